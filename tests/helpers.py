"""Fixture builders shared by the tests: small real files of every supported type."""

from __future__ import annotations

from pathlib import Path


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
