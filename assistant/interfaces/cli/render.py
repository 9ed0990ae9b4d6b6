"""Render answers, hits and figures for people: plain text for pipes, rich markup for terminals."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.markup import escape

if TYPE_CHECKING:
    from assistant.answering.results import Answer, Citation, CitedFigure
    from assistant.storage.generations import DocumentInfo
    from assistant.tables.model import Table


def grid_text(header: Sequence[Sequence[str]], rows: Sequence[Sequence[str]], *, width: int = 100) -> str:
    """Rows under their header rows as a small boxed table (drawn by rich, returned as plain text)."""
    from rich.console import Console
    from rich.table import Table as RichTable

    columns = max((len(r) for r in [*header, *rows]), default=0)
    grid = RichTable(show_header=bool(header), show_lines=False)
    heads = [" ".join(dict.fromkeys(h[c] for h in header if c < len(h) and h[c])) for c in range(columns)]
    for c in range(columns):
        grid.add_column(heads[c] if header else "", overflow="fold", justify="left" if c == 0 else "right")
    for row in rows:
        grid.add_row(*[row[c] if c < len(row) else "" for c in range(columns)])
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False)
    console.print(grid)
    return console.file.getvalue().rstrip("\n")  # type: ignore[attr-defined]


def cited_row_text(answer: Answer) -> str:
    """The row a table answer comes from under its header, with where the cell stands; "" for prose."""
    info = answer.table
    if info is None or info.cell is None:
        if info is not None and info.closest:  # an abstention: the closest rows
            pieces = {id(pc.piece): pc.piece for pc in info.closest}
            piece = next(iter(pieces.values())).table
            rows = sorted({pc.cell.row: pc for pc in info.closest}.values(), key=lambda pc: pc.cell.row)
            body = [pc.piece.table.grid[pc.piece.local_row(pc.cell.row)] for pc in rows]
            return "Closest rows:\n" + grid_text(piece.grid[: piece.header_rows], body)
        return ""
    pc = info.cell
    table = pc.piece.table
    row = table.grid[pc.piece.local_row(pc.cell.row)]
    where = f"Row {pc.cell.label!r}, column {pc.cell.column_header!r}"
    extra = ", ".join(
        p for p in (pc.cell.period.text, " ".join(x for x in (pc.cell.unit, pc.cell.scale) if x)) if p
    )
    lines = [where + (f" ({extra})" if extra else "")]
    if table.caption:
        lines.append(table.caption)
    lines.append(grid_text(table.grid[: table.header_rows], [row]))
    return "\n".join(lines)


def piece_text(table: Table) -> str:
    """A table piece: caption, then its rows under its header."""
    text = grid_text(table.grid[: table.header_rows], table.grid[table.header_rows :])
    return f"{table.caption}\n{text}" if table.caption else text


def to_json(obj: Any) -> str:
    return json.dumps(obj.to_dict() if hasattr(obj, "to_dict") else obj, ensure_ascii=False)


def cite_line(c: Citation) -> str:
    """[n] title, source, page, characters start-end."""
    page = f", page {c.page}" if c.page is not None else ""
    return f"[{c.n}] {c.title} — {c.source}{page}, chars {c.start}-{c.end}"


def _one_line(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def working_lines(answer: Answer) -> list[str]:
    """A derived answer's working: the formula with its result, then each operand labelled and cited
    ("[1] Net cash provided by operating activities, 2019: 4,421.8"); for a refusal, the operands found."""
    d = answer.derivation
    if d is None:
        return []
    lines = [f"  {d.working}"] if d.value is not None else []
    lines.extend(f"  [{o.citation}] {o.label}: {o.text}" for o in d.operands)
    return lines


def weak(answer: Answer) -> bool:
    """An answer given, but with a confidence below SURE: shown as "probably ..."."""
    from assistant.answering.confidence import SURE

    return not answer.abstained and answer.confidence < SURE


def answer_text(answer: Answer, *, passages: int = 3, width: int = 240) -> str:
    """The answer as plain text: answer line, its sentence (or a derived figure's working), citations, then
    the passages."""
    lines: list[str] = []
    if answer.derivation is not None:
        lines.append(f"Answer: {answer.answer}")
        lines.extend(working_lines(answer))
    elif answer.abstained:
        lines.append(f"Answer: {answer.answer}")
        if answer.reason:
            lines.append(f"Why: {answer.reason}")
        if answer.citations:
            lines.append("Closest passages:")
    else:
        cite = f" [{answer.sentence.citation}]" if answer.sentence else ""
        if weak(answer):
            lines.append(f"Answer: probably {answer.answer}{cite} (confidence {answer.confidence:.2f})")
        else:
            lines.append(f"Answer: {answer.answer}{cite}")
        if answer.table is None and answer.sentence is not None and answer.answer != answer.sentence.text:
            lines.append(f"From: {answer.sentence.text}")
    if answer.table is not None and (row := cited_row_text(answer)):
        lines.append(row)
    if answer.citations:
        lines.append("")
        lines.extend(cite_line(c) for c in answer.citations)
    shown = answer.citations[:passages]
    if shown:
        lines.append("")
        lines.extend(f"  [{c.n}] {_one_line(c.excerpt(width - 1), width)}" for c in shown)
    return "\n".join(lines)


def _head_markup(answer: Answer) -> list[str]:
    """The answer's first lines in rich markup: the answer (the figure in bold, highlighted in its sentence),
    or the abstention and the heading of the closest passages."""
    lines: list[str] = []
    if answer.derivation is not None:
        colour = "yellow" if answer.abstained else "bold green"
        lines.append(f"[{colour}]{escape(answer.answer)}[/{colour}]")
        lines.extend(escape(line) for line in working_lines(answer))
    elif answer.abstained:
        lines.append(f"[yellow]{escape(answer.answer)}[/yellow]")
        if answer.reason:
            lines.append(f"[yellow]Why: {escape(answer.reason)}[/yellow]")
        if answer.citations:
            lines.append("[dim]Closest passages:[/dim]")
    else:
        cite = f" [cyan]\\[{answer.sentence.citation}][/cyan]" if answer.sentence else ""
        if weak(answer):
            lines.append(
                f"[yellow]probably[/yellow] [bold]{escape(answer.answer)}[/bold]{cite}"
                f" [yellow](confidence {answer.confidence:.2f})[/yellow]"
            )
        else:
            lines.append(f"[bold green]{escape(answer.answer)}[/bold green]{cite}")
        if answer.table is not None:
            pass  # the cited row is shown under its header below
        elif answer.figure is not None and answer.sentence is not None:
            lines.append(highlight(answer.sentence.text, answer.figure))
        elif answer.sentence is not None and answer.answer != answer.sentence.text:  # a numbered name
            start = answer.sentence.text.find(answer.answer)
            lines.append(_marked(answer.sentence.text, start, start + len(answer.answer)))
    if answer.table is not None and (row := cited_row_text(answer)):
        lines.append(escape(row))
    return lines


def answer_markup(answer: Answer, *, passages: int = 3, width: int = 240) -> str:
    """The answer in rich markup: the figure in bold, highlighted in its sentence."""
    lines = _head_markup(answer)
    if answer.citations:
        lines.append("")
        lines.extend(f"[cyan]{escape(cite_line(c))}[/cyan]" for c in answer.citations)
    for c in answer.citations[:passages]:
        lines.append(f"[dim]  \\[{c.n}] {escape(_one_line(c.excerpt(width - 1), width))}[/dim]")
    return "\n".join(lines)


def highlight(sentence: str, figure: CitedFigure) -> str:
    return _marked(sentence, figure.figure.start, figure.figure.end)


def _marked(sentence: str, start: int, end: int) -> str:
    """The sentence in italics with sentence[start:end] in bold reverse (all italics when start < 0)."""
    if start < 0:
        return f"[italic]{escape(sentence)}[/italic]"
    return (
        f"[italic]{escape(sentence[:start])}[/italic][bold reverse]{escape(sentence[start:end])}"
        f"[/bold reverse][italic]{escape(sentence[end:])}[/italic]"
    )


def hits_text(result: Any, *, width: int = 240) -> str:
    """Each hit's location line, then its passage from the sentence holding most of the query's terms when
    the passage's start would hide it."""
    from assistant.answering.results import excerpt

    lines = []
    for n, hit in enumerate(result.hits, start=1):
        page = f", page {hit.chunk.page}" if hit.chunk.page is not None else ""
        lines.append(
            f"[{n}] {hit.score:.3f} {hit.title} — {hit.source}{page}, chars {hit.chunk.start}-{hit.chunk.end}"
        )
        lines.append(
            f"    {_one_line(excerpt(hit.chunk.text, hit.chunk.start, hit.focus, width - 1), width)}"
        )
    return "\n".join(lines) if lines else "No passages found."


def figures_text(result: Any) -> str:
    if not result.figures:
        return "No figures found."
    return "\n".join(_figure_line(f) for f in result.figures)


def _figure_line(f: CitedFigure) -> str:
    """[n] text (kind) — context; a table figure names its row, column, period and unit instead."""
    if f.cell is None:
        return f"[{f.citation}] {f.figure.text} ({f.figure.kind}) — {f.context}"
    about = ", ".join(p for p in (f.cell.period, f.cell.unit) if p)
    about = f" ({f.figure.kind}, {about})" if about else f" ({f.figure.kind})"
    return (
        f"[{f.citation}] {f.figure.text}{about} — row {f.cell.row_label!r}, column {f.cell.column_header!r}"
    )


def figures_csv(result: Any) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "text",
            "value",
            "unit",
            "kind",
            "qualifier",
            "period",
            "citation",
            "source",
            "context",
            "row",
            "column",
        ]
    )
    sources = {c.n: c.source for c in result.citations}
    for f in result.figures:
        d = f.to_dict()
        writer.writerow(
            [
                d["text"],
                d["value"],
                d["unit"] or (f.cell.unit if f.cell else None),
                d["kind"],
                d["qualifier"],
                d["period"],
                d["citation"],
                sources.get(f.citation, ""),
                d["context"],
                f.cell.row_label if f.cell else "",
                f.cell.column_header if f.cell else "",
            ]
        )
    return out.getvalue().rstrip("\n")


def documents_text(docs: Sequence[DocumentInfo]) -> str:
    if not docs:
        return "No documents indexed."
    return "\n".join(
        f"{d.id} — {d.title} ({d.chunks} chunk{'' if d.chunks == 1 else 's'}{f', {len(d.pages)} pages' if d.pages else ''})"
        for d in docs
    )


# --- the chat ------------------------------------------------------------------------------------


def source_line(c: Citation) -> str:
    """[n] title — source, page (no character span: the short form for lists)."""
    page = f", page {c.page}" if c.page is not None else ""
    return f"[{c.n}] {c.title} — {c.source}{page}"


def fold(text: str, *, lines: int = 2, width: int = 96) -> list[str]:
    """The first lines of a passage wrapped to width, the last ending in … when some text is left out."""
    import textwrap

    width = max(width, 20)
    wrapped = textwrap.wrap(" ".join(text.split()), width=width) or [""]
    if len(wrapped) <= lines:
        return wrapped
    shown = wrapped[:lines]
    last = shown[-1]
    if len(last) + 2 > width:
        last = last[: width - 2].rsplit(" ", 1)[0]
    shown[-1] = last + " …"
    return shown


def _folded(c: Citation, *, lines: int, width: int) -> list[str]:
    """A passage folded to lines: from its start when that shows its focus sentence, else from the sentence."""
    shown = fold(c.text, lines=lines, width=width)
    visible = len(" ".join(shown).removesuffix(" …"))
    return fold(c.excerpt(visible), lines=lines, width=width)


def answer_chat_markup(answer: Answer, *, lines: int = 2, width: int = 96) -> str:
    """The answer for a chat terminal: figure in its sentence, then each citation with its passage folded."""
    out = _head_markup(answer)
    for c in answer.citations:
        out.append("")
        out.append(f"[cyan]{escape(source_line(c))}[/cyan]")
        out.extend(f"[dim]    {escape(line)}[/dim]" for line in _folded(c, lines=lines, width=width - 4))
    if answer.citations:
        out.append("")
        out.append("[dim]:sources N shows passage N in full[/dim]")
    return "\n".join(out)


def passage_text(c: Citation) -> str:
    """A cited passage in full under its location line; a table piece as a table."""
    if c.piece is not None:
        return f"{cite_line(c)}\n\n{piece_text(c.piece.table)}"
    return f"{cite_line(c)}\n\n{c.text.strip()}"


def passage_markup(c: Citation) -> str:
    """A cited passage in full, the sentence it is cited for (its focus) in bold; a table piece as a table."""
    if c.piece is not None:
        return f"[cyan]{escape(cite_line(c))}[/cyan]\n\n{escape(piece_text(c.piece.table))}"
    text = c.text.strip()
    if c.focus is None:
        return f"[cyan]{escape(cite_line(c))}[/cyan]\n\n{escape(text)}"
    lead = len(c.text) - len(c.text.lstrip())
    start, end = c.focus[0] - c.start - lead, c.focus[1] - c.start - lead
    return (
        f"[cyan]{escape(cite_line(c))}[/cyan]\n\n{escape(text[:start])}[bold]{escape(text[start:end])}[/bold]"
        f"{escape(text[end:])}"
    )


def figures_cited_text(result: Any) -> str:
    """The figures about a topic, then the passages they come from."""
    if not result.figures:
        return "No figures found."
    used = {f.citation for f in result.figures}
    sources = [cite_line(c) for c in result.citations if c.n in used]
    return figures_text(result) + "\n\n" + "\n".join(sources)
