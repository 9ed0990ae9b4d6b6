"""Loaders: every supported type on a real file, and every kind of unreadable file skipped with its reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.errors import CorpusNotFound, UnreadableDocument
from assistant.ingest.decoding import decode_text, split_front_matter
from assistant.ingest.loaders import load_corpus, load_file
from tests.helpers import make_docx, make_encrypted_pdf, make_pdf


def test_txt_front_matter_becomes_metadata(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text('---\ntitle: "Report: 2021"\ndate: 2022-12-22\npublisher: Portal\n---\nBody text here.\n')
    (doc,) = load_file(path, "a.txt")
    assert doc.title == "Report: 2021"
    assert doc.metadata == {"date": "2022-12-22", "publisher": "Portal"}
    assert doc.text == "Body text here.\n"
    assert doc.id == doc.source == "a.txt"


def test_txt_without_front_matter_takes_first_line_as_title(tmp_path: Path) -> None:
    path = tmp_path / "b.md"
    path.write_text("# Harbour notes\n\nShips came in.")
    (doc,) = load_file(path, "b.md")
    assert doc.title == "Harbour notes"
    assert "Ships came in." in doc.text


def test_html_keeps_visible_text_only(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Trade page</title><style>p{color:red}</style>"
        "<script>var secret = 'hidden';</script></head>"
        "<body><h1>Trade</h1><p>Exports rose <b>12 percent</b> in 2021.</p><script>alert(1)</script></body></html>"
    )
    (doc,) = load_file(path, "page.html")
    assert doc.title == "Trade page"
    assert "Exports rose" in doc.text and "12 percent" in doc.text
    assert (
        "secret" not in doc.text
        and "alert" not in doc.text
        and "color" not in doc.text
        and "<" not in doc.text
    )


def test_pdf_text_per_page_with_page_numbers(tmp_path: Path) -> None:
    path = make_pdf(
        tmp_path / "r.pdf",
        ["First page says 45.5 trillion yuan.", "Second page says 39.8 percent."],
        title="Annual",
    )
    (doc,) = load_file(path, "r.pdf")
    assert doc.title == "Annual"
    assert [p for _, p in doc.pages] == [1, 2]
    sections = doc.sections()
    assert "45.5 trillion yuan" in doc.text[sections[0][0] : sections[0][1]]
    assert "39.8 percent" in doc.text[sections[1][0] : sections[1][1]]
    assert sections[1][2] == 2


def test_docx_paragraphs(tmp_path: Path) -> None:
    path = make_docx(
        tmp_path / "memo.docx", ["Memo on trade", "Exports rose 12 percent in 2021."], title="Trade memo"
    )
    (doc,) = load_file(path, "memo.docx")
    assert doc.title == "Trade memo"
    assert doc.text == "Memo on trade\n\nExports rose 12 percent in 2021."


def test_jsonl_one_document_per_line(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    lines = [
        {"_id": "d1", "title": "One", "text": "Alpha text.", "metadata": {"year": 2021}, "lang": "en"},
        {"id": 7, "title": "Two", "text": "Beta text."},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n")
    docs = load_file(path, "docs.jsonl")
    assert [d.id for d in docs] == ["d1", "7"]
    assert docs[0].metadata == {"year": 2021, "lang": "en"}
    assert docs[1].title == "Two" and docs[1].source == "docs.jsonl"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"   \n\n", "no text found"),
        ("binary.txt", bytes(range(256)) * 4, "binary data, not text"),
        ("corrupt.pdf", b"%PDF-1.4\nthis is not really a pdf", "corrupt PDF"),
        ("junk.docx", b"PK\x03\x04 junk that is not a zip", "not a valid .docx"),
        ("bad.jsonl", b'{"_id": "1", "text": "ok"}\n{not json\n', "line 2: invalid JSON"),
        ("noid.jsonl", b'{"text": "no id"}\n', "line 1: no '_id' or 'id' field"),
    ],
)
def test_unreadable_files_raise_with_reason(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableDocument) as info:
        load_file(path, name)
    assert info.value.message.startswith(reason)


def test_password_protected_pdf_is_named(tmp_path: Path) -> None:
    path = make_encrypted_pdf(tmp_path / "locked.pdf", ["Secret figures: 10 percent."])
    with pytest.raises(UnreadableDocument, match="password-protected PDF"):
        load_file(path, "locked.pdf")


def test_decode_text_handles_latin1_and_utf16() -> None:
    assert decode_text("Café costs 5 €".encode("utf-16")) == "Café costs 5 €"
    assert decode_text("naïve résumé".encode("latin-1")) == "naïve résumé"
    assert decode_text("\ufeffBOM text".encode()) == "BOM text"


def test_front_matter_only_at_start() -> None:
    meta, body = split_front_matter("Intro\n---\ntitle: x\n---\n")
    assert meta == {} and body.startswith("Intro")


def test_load_corpus_skips_bad_files_and_keeps_the_rest(tmp_path: Path) -> None:
    root = tmp_path / "c"
    (root / "sub dir").mkdir(parents=True)
    (root / "good.txt").write_text("Good document with 3 figures.")
    (root / "sub dir" / "naïve name.md").write_text("Nested document.")
    (root / "empty.txt").write_bytes(b"")
    (root / "image.gif").write_bytes(b"GIF89a")  # unsupported types are named, not read
    (root / ".hidden.txt").write_text("hidden files are ignored")
    (root / "loop").symlink_to(root)  # a symlink loop must not hang the walk
    docs, skipped = load_corpus(root)
    assert sorted(d.id for d in docs) == ["good.txt", "sub dir/naïve name.md"]
    assert sorted((s.source, s.reason) for s in skipped) == [
        ("empty.txt", "empty file"),
        ("image.gif", "unsupported type .gif"),
    ]


def test_missing_corpus_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusNotFound, match="corpus directory not found"):
        load_corpus(tmp_path / "nope")
