"""PowerPoint decks (.pptx) through python-pptx: per slide its title, text frames, tables and speaker notes;
the slide number is the page number for citations."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from assistant.errors import UnreadableDocument
from assistant.ingest.builder import TextBuilder
from assistant.ingest.decoding import one_line
from assistant.ingest.document import Document, RawFile
from assistant.tables.model import Table, rectangular


def load_pptx(raw: RawFile) -> list[Document]:
    from pptx import Presentation  # imported here: only decks need it

    try:
        with zipfile.ZipFile(io.BytesIO(raw.data)) as archive:
            names = set(archive.namelist())
    except Exception:  # BadZipFile, or whatever a damaged directory makes zipfile raise
        raise UnreadableDocument("not a valid .pptx (not a zip archive)") from None
    if "[Content_Types].xml" not in names:
        raise UnreadableDocument("not a valid .pptx (a zip archive with no presentation in it)")
    try:
        deck = Presentation(io.BytesIO(raw.data))
        builder = TextBuilder()
        pages: list[tuple[int, int]] = []
        first_title = ""
        for number, slide in enumerate(deck.slides, start=1):
            before, had_parts = builder.length, bool(builder.parts)
            title_shape = slide.shapes.title
            title = (title_shape.text_frame.text.strip() if title_shape is not None else "") or ""
            first_title = first_title or title
            builder.paragraph(title)
            for shape in _shapes(slide.shapes):
                if title_shape is not None and shape.shape_id == title_shape.shape_id:
                    continue
                if getattr(shape, "has_table", False) and shape.has_table:
                    builder.table(_table(shape.table, caption=shape.name if _named(shape.name) else ""))
                elif getattr(shape, "has_text_frame", False) and shape.has_text_frame:
                    for paragraph in shape.text_frame.paragraphs:
                        builder.paragraph("".join(run.text for run in paragraph.runs) or paragraph.text)
            if slide.has_notes_slide:
                notes = slide.notes_slide.notes_text_frame
                if notes is not None and notes.text.strip():
                    builder.paragraph(f"Notes: {notes.text.strip()}")
            if builder.length != before:
                pages.append((before + 2 if had_parts else before, number))
        core_title = deck.core_properties.title or ""
    except (UnreadableDocument, FileNotFoundError, PermissionError):
        raise
    except Exception as exc:  # python-pptx raises assorted errors for packages that are not decks
        raise UnreadableDocument(f"not a valid .pptx ({type(exc).__name__}: {one_line(str(exc))})") from None
    return [
        Document(
            id=raw.rel,
            text=builder.text,
            source=raw.rel,
            title=core_title or first_title or raw.stem,
            pages=tuple(pages),
            tables=tuple(builder.tables),
        )
    ]


def _named(name: str) -> bool:
    """Whether a shape's name was given by a person, not PowerPoint's default ("Table 3")."""
    head = name.rsplit(" ", 1)
    return bool(name) and not (
        len(head) == 2 and head[1].isdigit() and head[0] in ("Table", "Content Placeholder")
    )


def _shapes(shapes: Iterable[Any]) -> Iterator[Any]:
    """The shapes of a slide in order, with the shapes of groups in place of the group."""
    for shape in shapes:
        if hasattr(shape, "shapes"):  # a group shape
            yield from _shapes(shape.shapes)
        else:
            yield shape


def _table(table: Any, *, caption: str) -> Table:
    """A slide table as a Table, a merged cell's text repeated in every slot it covers."""
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            if cell.is_merge_origin:
                for dr in range(cell.span_height):
                    for dc in range(cell.span_width):
                        rows[r + dr][c + dc] = cell.text
    header_rows = 1 if table.first_row else 0
    return Table(grid=rectangular(rows), header_rows=header_rows, caption=caption)
