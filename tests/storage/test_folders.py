"""Indexing a real user's folder: text in East Asian and Windows encodings, decks, reStructuredText, images
and scans, pipes and odd names; every file ends up indexed or named with its reason."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from assistant.assistant import Assistant
from assistant.storage.build import build_index
from tests.fakes import FakeEmbedder
from tests.helpers import make_pdf, make_png, make_pptx, make_scanned_pdf, write_corpus

TEXTS = {
    "gbk.txt": ("中国数字经济规模达到四十五万亿元", "gbk"),
    "big5.txt": ("臺灣的港口去年處理了一千二百萬個貨櫃", "big5"),
    "shift_jis.txt": ("東京の港は昨年千二百万個のコンテナを取り扱った", "shift_jis"),
    "euc_kr.txt": ("부산항은 작년에 천이백만 개의 컨테이너를 처리했다", "euc-kr"),
    "cp1251.txt": ("Порт Санкт-Петербурга обработал два миллиона контейнеров", "cp1251"),
}


def open_fake(index: Path) -> Assistant:
    return Assistant.open(index, embedder=FakeEmbedder(64))


def test_east_asian_and_windows_encodings_come_back_exactly_in_search_hits(
    corpus: Path, tmp_path: Path
) -> None:
    for name, (sentence, encoding) in TEXTS.items():
        (corpus / name).write_bytes(f"{sentence}.\n".encode(encoding))
    report = build_index(corpus, tmp_path / "index", FakeEmbedder(64))
    assert report.skipped == () and report.documents == 3 + len(TEXTS)
    assistant = open_fake(tmp_path / "index")
    for name, (sentence, _) in TEXTS.items():
        hit = assistant.search(sentence, k=1).hits[0]
        assert hit.source == name
        assert sentence in hit.chunk.text  # the exact characters, not mojibake
        assert hit.title.startswith(sentence)


def test_text_of_no_encoding_is_skipped_and_named(corpus: Path, tmp_path: Path) -> None:
    (corpus / "garbled.txt").write_bytes(bytes([0x81, 0xFE, 0x8D, 0x90, 0x9D, 0xF5, 0x81, 0xFF]) * 40)
    report = build_index(corpus, tmp_path / "index", FakeEmbedder(64))
    (skipped,) = report.skipped
    assert skipped.source == "garbled.txt"
    assert skipped.reason in (
        "not UTF-8, and no other encoding fits it with confidence",
        "binary data, not text",
    )
    assert report.documents == 3


def test_deck_and_rst_are_indexed_and_cited_by_slide(corpus: Path, tmp_path: Path) -> None:
    make_pptx(corpus / "deck.pptx")
    (corpus / "quay.rst").write_text("Quay notes\n==========\n\nThe quay is 400 metres long.\n")
    report = build_index(corpus, tmp_path / "index", FakeEmbedder(64))
    assert report.skipped == () and report.documents == 5
    assistant = open_fake(tmp_path / "index")
    hit = assistant.search("throughput quay north south", k=1).hits[0]
    assert (hit.source, hit.chunk.page) == ("deck.pptx", 2)
    assert "North: 2021 4.1; 2022 4.6" in hit.chunk.text
    notes = assistant.search("dredging works", k=1).hits[0]
    assert notes.source == "deck.pptx" and "Notes: Mention the dredging works of 2022." in notes.chunk.text
    rst = assistant.search("quay 400 metres long", k=1).hits[0]
    assert (rst.source, rst.title, rst.chunk.text) == (
        "quay.rst",
        "Quay notes",
        "Quay notes\n\nThe quay is 400 metres long.",
    )


def test_every_file_is_accounted_for(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))  # no OCR engine on this machine
    make_png(corpus / "scan.png", ["Exports rose 12 percent."])
    make_scanned_pdf(corpus / "scan.pdf", ["Exports rose 12 percent."])
    make_pdf(corpus / "typed.pdf", ["Typed: 45.5 trillion yuan."])
    (corpus / "sales.ods").write_text("a,b\n1,2\n")
    (corpus / "README").write_text("no extension")
    os.mkfifo(corpus / "x.txt")
    (corpus / "sub").mkdir()
    os.mkfifo(corpus / "sub" / "pipe.md")
    report = build_index(corpus, tmp_path / "index", FakeEmbedder(64))
    assert [(f.source, f.status, f.reason) for f in report.files] == [
        ("README", "skipped", "unsupported type (no extension)"),
        ("economy.txt", "indexed", ""),
        ("harbour.md", "indexed", ""),
        ("orchard.txt", "indexed", ""),
        ("sales.ods", "skipped", "unsupported type .ods"),
        ("scan.pdf", "skipped", "scanned PDF: install tesseract-ocr to read it"),
        ("scan.png", "skipped", "image: install tesseract-ocr to read it"),
        ("sub/pipe.md", "skipped", "not a regular file"),
        ("typed.pdf", "indexed", ""),
        ("x.txt", "skipped", "not a regular file"),
    ]
    assert sorted(s.source for s in report.skipped) == [
        f.source for f in report.files if f.status == "skipped"
    ]
    again = build_index(corpus, tmp_path / "index", FakeEmbedder(64))
    assert not again.written
    assert {f.source: f.status for f in again.files if f.status != "skipped"} == dict.fromkeys(
        ["economy.txt", "harbour.md", "orchard.txt", "typed.pdf"], "unchanged"
    )


def test_distinct_non_utf8_names_stay_distinct_and_a_newline_forges_nothing(
    corpus: Path, tmp_path: Path
) -> None:
    base = os.fsencode(corpus)
    for name, text in (
        (b"\xff-report.txt", b"Report one: 3 cranes."),
        (b"\xfe-report.txt", b"Report two: 4 cranes."),
    ):
        with open(base + b"/" + name, "wb") as handle:
            handle.write(text)
    (corpus / "wheat.txt\nskipped wheat.txt: empty file").write_text("Wheat: 7 tonnes.")
    (corpus / "tab\there.md").write_text("Tabbed name: 5 barges.")
    for _ in range(2):  # the second run neither drops one nor calls it a duplicate
        report = build_index(corpus, tmp_path / "index", FakeEmbedder(64))
        assert report.skipped[0].source == "wheat.txt\\x0askipped wheat.txt: empty file"
        assert all("\n" not in f.source and "\t" not in f.source for f in report.files)
    ids = {d.id for d in open_fake(tmp_path / "index").documents()}
    assert {"\\xff-report.txt", "\\xfe-report.txt", "tab\\x09here.md"} <= ids
    assistant = open_fake(tmp_path / "index")
    assert assistant.search("report two cranes", k=1).hits[0].source == "\\xfe-report.txt"


needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract-ocr")


@pytest.mark.slow
@needs_tesseract
def test_scans_and_images_are_read_by_ocr_and_cited_by_page(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    make_png(corpus / "board.png", ["The board approved 14 new cranes."])
    make_scanned_pdf(corpus / "letter.pdf", ["The letter promised 27 barges by June."])
    report = build_index(corpus, tmp_path / "index", FakeEmbedder(64))
    assert report.skipped == () and report.documents == 5
    assistant = open_fake(tmp_path / "index")
    png = assistant.search("board approved cranes", k=1).hits[0]
    assert (png.source, png.chunk.text) == ("board.png", "The board approved 14 new cranes.")
    pdf = assistant.search("letter promised barges", k=1).hits[0]
    assert (pdf.source, pdf.chunk.page, pdf.chunk.text) == (
        "letter.pdf",
        1,
        "The letter promised 27 barges by June.",
    )


def _mixed_pdf(path: Path, tmp: Path) -> Path:
    """A typed page, a scanned page and a blank page, in that order."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(str(make_pdf(tmp / "typed.pdf", ["Typed page: 45.5 trillion yuan."]))))
    writer.append(PdfReader(str(make_scanned_pdf(tmp / "scanned.pdf", ["Scanned page: 39.8 percent."]))))
    writer.append(PdfReader(str(make_pdf(tmp / "blank.pdf", [""]))))
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def test_scanned_pages_of_a_typed_pdf_are_named_without_ocr(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    _mixed_pdf(corpus / "mixed.pdf", tmp_path)
    note = "page 2 is scanned: install tesseract-ocr to read it"  # the blank page 3 is not named
    report = build_index(corpus, tmp_path / "index", FakeEmbedder(64))
    assert [(s.source, s.reason) for s in report.skipped] == [("mixed.pdf", note)]
    assert ("mixed.pdf", "indexed", note) in [(f.source, f.status, f.reason) for f in report.files]
    hit = open_fake(tmp_path / "index").search("typed page trillion yuan", k=1).hits[0]
    assert (hit.source, hit.chunk.page, hit.chunk.text) == ("mixed.pdf", 1, "Typed page: 45.5 trillion yuan.")
    # read again on the next run (the engine may have been installed since), and still named
    again = build_index(corpus, tmp_path / "index", FakeEmbedder(64))
    assert not again.written and [(s.source, s.reason) for s in again.skipped] == [("mixed.pdf", note)]


@pytest.mark.slow
@needs_tesseract
def test_a_partly_read_pdf_is_read_whole_once_the_engine_is_installed(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _mixed_pdf(corpus / "mixed.pdf", tmp_path)
    with monkeypatch.context() as without:
        without.setenv("PATH", str(tmp_path / "no-bin"))
        assert build_index(corpus, tmp_path / "index", FakeEmbedder(64)).skipped != ()
    report = build_index(corpus, tmp_path / "index", FakeEmbedder(64))  # tesseract on PATH again
    assert report.written and report.skipped == () and report.updated == 1
    hit = open_fake(tmp_path / "index").search("scanned page percent", k=1).hits[0]
    assert (hit.source, hit.chunk.page, hit.chunk.text) == ("mixed.pdf", 2, "Scanned page: 39.8 percent.")
