"""Fixture builders shared by the tests: small real files of every supported type."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(path: Path, pages: list[str], *, title: str | None = None) -> Path:
    """A real PDF with one text page per entry (Helvetica, one line per text line), written by hand."""
    objects: list[bytes] = []
    font_id = 3 + 2 * len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    for i, text in enumerate(pages):
        lines = text.split("\n")
        ops = ["BT", "/F1 11 Tf", "14 TL", "50 750 Td"]
        for line in lines:
            ops.append(f"({_pdf_escape(line)}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    info_id = None
    if title:
        objects.append(f"<< /Title ({_pdf_escape(title)}) >>".encode())
        info_id = len(objects)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    info = f" /Info {info_id} 0 R" if info_id else ""
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{info} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


def make_encrypted_pdf(path: Path, pages: list[str], password: str = "secret") -> Path:
    from pypdf import PdfReader, PdfWriter

    plain = make_pdf(path.with_suffix(".plain.pdf"), pages)
    writer = PdfWriter()
    writer.append(PdfReader(str(plain)))
    writer.encrypt(password)
    with path.open("wb") as handle:
        writer.write(handle)
    plain.unlink()
    return path


def make_docx(path: Path, paragraphs: list[str], *, title: str | None = None) -> Path:
    import docx

    document = docx.Document()
    if title:
        document.core_properties.title = title
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path


ECONOMY = (
    "The scale of China's digital economy came to 45.5 trillion yuan in 2021, accounting for 39.8 percent of GDP. "
    "Data output reached 6.6ZB in 2021, a year-on-year increase of 29.4 percent."
)
HARBOUR = (
    "The harbour handled 12 million containers last year. Its new quay opened in the U.S. style in March. "
    "Dockers unloaded 300 ships in a single month."
)
ORCHARD = "The orchard grows apples and pears. A zymurgical cellar ferments the cider for nine months."


def write_corpus(root: Path) -> Path:
    """A tiny corpus of three text documents with distinct topics."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "economy.txt").write_text("Digital economy\n\n" + ECONOMY)
    (root / "harbour.md").write_text("---\ntitle: Harbour report\ndate: 2022-01-05\n---\n" + HARBOUR)
    (root / "orchard.txt").write_text("Orchard notes\n\n" + ORCHARD)
    return root


def make_pptx(path: Path, *, title: str | None = None) -> Path:
    """A real two-slide deck: a title and bullets, then a table with speaker notes."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    if title:
        deck.core_properties.title = title
    first = deck.slides.add_slide(deck.slide_layouts[1])  # title and content
    first.shapes.title.text = "Harbour results"
    first.placeholders[1].text_frame.text = "Containers rose to 12 million."
    first.placeholders[1].text_frame.add_paragraph().text = "Three new cranes arrived."
    second = deck.slides.add_slide(deck.slide_layouts[5])  # title only
    second.shapes.title.text = "Throughput by quay"
    rows = [["Quay", "2021", "2022"], ["North", "4.1", "4.6"], ["South", "7.9", "8.2"]]
    table = second.shapes.add_table(3, 3, Inches(1), Inches(2), Inches(6), Inches(2)).table
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    second.notes_slide.notes_text_frame.text = "Mention the dredging works of 2022."
    deck.save(str(path))
    return path


def text_image(lines: list[str]) -> object:
    """A white page with black text, large enough for OCR to read (a PIL image)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=48)
    image = Image.new("RGB", (1700, 160 + 90 * len(lines)), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((80, 80 + 90 * i), line, fill="black", font=font)
    return image


def make_png(path: Path, lines: list[str]) -> Path:
    text_image(lines).save(path)  # type: ignore[attr-defined]
    return path


def make_scanned_pdf(path: Path, lines: list[str]) -> Path:
    """A PDF page that is only a picture of text (no text layer), as a scanner writes it."""
    text_image(lines).save(path, "PDF", resolution=150)  # type: ignore[attr-defined]
    return path


def through_schema(shape: type, data: dict[str, Any]) -> Any:
    """JSON validated against a result shape of assistant/schema.py, as FastAPI validates a response (a
    missing field, an extra key or a wrong type raises), and dumped back."""
    from pydantic import TypeAdapter

    adapter: TypeAdapter[Any] = TypeAdapter(shape)
    return adapter.dump_python(adapter.validate_python(data))
