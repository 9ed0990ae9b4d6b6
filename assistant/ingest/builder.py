"""Assemble a document's text from paragraphs and tables in reading order, keeping where each table lies."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from assistant.tables.model import PlacedTable, Table, rectangular, table_text


@dataclass
class TextBuilder:
    """Paragraphs and tables appended in order, separated by blank lines."""

    parts: list[str] = field(default_factory=list)
    tables: list[PlacedTable] = field(default_factory=list)
    length: int = 0

    def _append(self, text: str) -> int:
        if self.parts:
            self.parts.append("\n\n")
            self.length += 2
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start

    def paragraph(self, text: str) -> None:
        text = text.strip()
        if text:
            self._append(text)

    def table(self, table: Table) -> None:
        # one line per cell and per caption: the text shows each body row as one line
        grid = rectangular([list(r) for r in table.grid])
        if not grid:
            return
        table = replace(
            table,
            grid=grid,
            header_rows=min(table.header_rows, len(grid)),
            caption=" ".join(table.caption.split()),
            unit_note=" ".join(table.unit_note.split()),
        )
        text = table_text(table)
        start = self._append(text)
        self.tables.append(PlacedTable(start, start + len(text), table))

    @property
    def text(self) -> str:
        return "".join(self.parts)
