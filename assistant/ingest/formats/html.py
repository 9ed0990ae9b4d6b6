"""HTML pages: the visible text of the body, titled by <title>, with each <table> kept as a table in place."""

from __future__ import annotations

import re
from typing import Any

from assistant.ingest.builder import TextBuilder
from assistant.ingest.decoding import decode_text, first_line_title
from assistant.ingest.document import Document, RawFile
from assistant.tables.grid import SpanCell, expand, span_number
from assistant.tables.model import Table, infer_header_rows, rectangular
from assistant.tables.units import unit_note_in

_MARK = re.compile(r"\x00T(\d+)\x00")


def load_html(raw: RawFile) -> list[Document]:
    from selectolax.lexbor import LexborHTMLParser as HTMLParser  # imported here: only HTML corpora need it

    tree = HTMLParser(decode_text(raw.data))
    title_node = tree.css_first("title")
    title = title_node.text(strip=True) if title_node else ""
    for node in tree.css("script, style, noscript, template, head, svg"):
        node.decompose()
    body = tree.body or tree.root
    tables: list[Table] = []
    if body is not None:
        for node in body.css("table"):
            if _outer_table(node) is not None:
                continue  # a table inside a table is read as the text of its cell
            tables.append(_read_table(node))
            node.replace_with(f"\x00T{len(tables) - 1}\x00")
    text = body.text(separator="\n", strip=True) if body is not None else ""
    text = re.sub(r"\n{3,}", "\n\n", text)
    if not tables:
        return [
            Document(id=raw.rel, text=text, source=raw.rel, title=title or first_line_title(text) or raw.stem)
        ]
    builder = TextBuilder()
    pieces = _MARK.split(text)
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            builder.paragraph(piece)
            continue
        table = tables[int(piece)]
        if not table.unit_note:  # "(in millions)" on the line before the table
            before = pieces[i - 1].strip().rsplit("\n", 1)[-1] if i else ""
            note = unit_note_in(before) if len(before) <= 80 else ""
            table = Table(table.grid, table.header_rows, table.caption, note)
        builder.table(table)
    doc_title = title or first_line_title(builder.text) or raw.stem
    return [Document(raw.rel, builder.text, raw.rel, doc_title, tables=tuple(builder.tables))]


def _outer_table(node: Any) -> Any:
    parent = node.parent
    while parent is not None:
        if parent.tag == "table":
            return parent
        parent = parent.parent
    return None


def _same(a: Any, b: Any) -> bool:
    return a is not None and b is not None and a.mem_id == b.mem_id


def _read_table(table: Any) -> Table:
    """A <table> as a Table: spans expanded, header rows from <thead> or rows of <th>, the <caption>."""
    rows: list[list[SpanCell]] = []
    in_head: list[bool] = []
    for tr in table.css("tr"):
        if not _same(_outer_table(tr), table):
            continue
        cells = []
        for cell in tr.iter():
            if cell.tag not in ("td", "th"):
                continue
            text = " ".join(cell.text(separator=" ", strip=True).split())
            attrs = cell.attributes
            cells.append(
                SpanCell(
                    text,
                    span_number(attrs.get("colspan")),
                    span_number(attrs.get("rowspan")),
                    cell.tag == "th",
                )
            )
        rows.append(cells)
        parent = tr.parent
        in_head.append(parent is not None and parent.tag == "thead")
    grid_rows, th_rows = expand(rows)
    kept = [
        (r, h, t) for r, h, t in zip(grid_rows, in_head, th_rows, strict=True) if any(c.strip() for c in r)
    ]
    grid = rectangular([r for r, _, _ in kept])
    marked = 0
    for _, head, th in kept:
        if not (head or th):
            break
        marked += 1
    if marked >= len(grid):
        marked = 0  # a table of <th> only: guess
    caption_node = table.css_first("caption")
    caption = caption_node.text(separator=" ", strip=True) if caption_node is not None else ""
    return Table(grid, infer_header_rows(grid, marked), caption, unit_note_in(caption))
