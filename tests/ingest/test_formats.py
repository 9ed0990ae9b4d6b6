"""The readers added for whole folders: encodings, YAML front matter, .rst, .pptx, images and scans (OCR)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import UnreadableDocument
from assistant.ingest.decoding import decode_text, escape_name, split_front_matter
from assistant.ingest.loaders import load_file
from assistant.tables.model import Table
from tests.helpers import make_pdf, make_png, make_pptx, make_scanned_pdf

SENTENCES = {
    "gbk": "中国数字经济规模达到45.5万亿元，占国内生产总值的39.8%。",
    "gb18030": "数据产量达到6.6泽字节，同比增长29.4%。",
    "big5": "臺灣的港口去年處理了一千二百萬個貨櫃。",
    "shift_jis": "東京の港は昨年、千二百万個のコンテナを取り扱った。",
    "euc-kr": "부산항은 작년에 천이백만 개의 컨테이너를 처리했다.",
    "cp1251": "Порт Санкт-Петербурга обработал два миллиона контейнеров в прошлом году.",
    "cp1250": "Przystań w Gdańsku obsłużyła żółte statki w zeszłym roku.",
    "cp1253": "Το λιμάνι του Πειραιά διακίνησε πέντε εκατομμύρια κοντέινερ.",
    "cp1252": "Zürich café menu: a croissant costs 4 € – “fresh” daily.",
    "latin-1": "Señora Müller's smørrebrød costs £7 in Århus.",
}


@pytest.mark.parametrize("encoding", list(SENTENCES))
def test_text_in_each_encoding_comes_back_exactly(encoding: str) -> None:
    assert decode_text(SENTENCES[encoding].encode(encoding)) == SENTENCES[encoding]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("今天天气很好。", "gbk"),
        ("报告显示出口增加\n", "gb18030"),
        ("中国数字经济规模达到四十五万亿元.", "gbk"),
        ("港口處理了一千萬個貨櫃", "big5"),
        ("報告書によると輸出が増加した", "shift_jis"),
        ("東京と大阪", "euc-jp"),
        ("회사 수입이 증가했다", "euc-kr"),
    ],
)
def test_a_single_short_line_is_not_mistaken_for_another_script(text: str, encoding: str) -> None:
    # one line fits several code pages; the wrong ones read as Korean or half-width katakana soup
    assert decode_text(text.encode(encoding)) == text


def test_text_of_no_encoding_is_refused_not_indexed_as_garbage() -> None:
    # bytes that are valid in no encoding with any confidence: a jumble of high bytes without structure
    junk = bytes([0x81, 0xFE, 0x8D, 0x90, 0x9D, 0xF5, 0x81, 0xFF]) * 40
    with pytest.raises(UnreadableDocument) as info:
        decode_text(junk)
    assert info.value.message in (
        "not UTF-8, and no other encoding fits it with confidence",
        "binary data, not text",
    )


def test_front_matter_is_yaml_lists_quotes_and_multi_line_values() -> None:
    meta, body = split_front_matter(
        "---\n"
        'title: "Report: 2021"\n'
        "Tags: [trade, 'ports']\n"
        "authors:\n  - Li Wei\n  - Ana Souza\n"
        "summary: >\n  Exports rose\n  in 2021.\n"
        "date: 2022-12-22\n"
        "pages: 12\n"
        "---\n"
        "Body.\n"
    )
    assert meta == {
        "title": "Report: 2021",
        "tags": ["trade", "ports"],
        "authors": ["Li Wei", "Ana Souza"],
        "summary": "Exports rose in 2021.\n",
        "date": "2022-12-22",
        "pages": 12,
    }
    assert body == "Body.\n"


def test_a_rule_that_is_not_yaml_stays_in_the_body() -> None:
    text = "---\nThis is: a: horizontal rule: not front matter\n  - broken\n---\nMore text."
    assert split_front_matter(text) == ({}, text)


def test_escaped_names_are_distinct_printable_and_leave_plain_names_alone() -> None:
    names = [
        "\udcff-report.txt",
        "\udcfe-report.txt",
        "wheat.txt\nskipped x.txt",
        "a\\xff.txt",
        "plain é.txt",
    ]
    escaped = [escape_name(n) for n in names]
    assert escaped == [
        "\\xff-report.txt",
        "\\xfe-report.txt",
        "wheat.txt\\x0askipped x.txt",
        "a\\\\xff.txt",
        "plain é.txt",
    ]
    assert len(set(escaped)) == len(names)
    assert all(ch.isprintable() for e in escaped for ch in e)


def test_rst_drops_adornments_and_directive_markers(tmp_path: Path) -> None:
    path = tmp_path / "notes.rst"
    path.write_text(
        "=============\nHarbour notes\n=============\n\n"
        "The quay is 400 metres long.\n\n"
        ".. note:: Dredging ends in May.\n\n"
        ".. image:: quay.png\n\n"
        "Cranes\n------\n\nThree cranes arrived.\n"
    )
    (doc,) = load_file(path, "notes.rst")
    assert doc.title == "Harbour notes"
    assert doc.text == (
        "Harbour notes\n\nThe quay is 400 metres long.\n\nDredging ends in May.\n\nCranes\n\nThree cranes arrived."
    )


def test_pptx_slides_tables_and_notes(tmp_path: Path) -> None:
    (doc,) = load_file(make_pptx(tmp_path / "deck.pptx"), "deck.pptx")
    assert doc.title == "Harbour results"
    assert doc.text == (
        "Harbour results\n\nContainers rose to 12 million.\n\nThree new cranes arrived.\n\n"
        "Throughput by quay\n\nQuay | 2021 | 2022\nNorth: 2021 4.1; 2022 4.6\nSouth: 2021 7.9; 2022 8.2\n\n"
        "Notes: Mention the dredging works of 2022."
    )
    # each slide is a page: a citation says which slide
    assert [page for _, page in doc.pages] == [1, 2]
    assert doc.text[doc.pages[1][0] :].startswith("Throughput by quay")
    (placed,) = doc.tables
    assert placed.table == Table(
        grid=(("Quay", "2021", "2022"), ("North", "4.1", "4.6"), ("South", "7.9", "8.2")), header_rows=1
    )
    # each body row is written naming its cells, so that a row is found by its label and its periods
    assert (
        doc.text[placed.start : placed.end]
        == "Quay | 2021 | 2022\nNorth: 2021 4.1; 2022 4.6\nSouth: 2021 7.9; 2022 8.2"
    )


def test_pptx_core_title_wins_and_junk_is_named(tmp_path: Path) -> None:
    (doc,) = load_file(make_pptx(tmp_path / "deck.pptx", title="Quarterly deck"), "deck.pptx")
    assert doc.title == "Quarterly deck"
    bad = tmp_path / "bad.pptx"
    bad.write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(UnreadableDocument, match=r"^not a valid \.pptx \(not a zip archive\)$"):
        load_file(bad, "bad.pptx")


def test_image_without_the_ocr_engine_is_skipped_with_the_install_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # no tesseract on PATH
    png = make_png(tmp_path / "scan.png", ["Exports rose 12 percent."])
    with pytest.raises(UnreadableDocument) as info:
        load_file(png, "scan.png")
    assert info.value.message == "image: install tesseract-ocr to read it"
    pdf = make_scanned_pdf(tmp_path / "scan.pdf", ["Exports rose 12 percent."])
    with pytest.raises(UnreadableDocument) as info:
        load_file(pdf, "scan.pdf")
    assert info.value.message == "scanned PDF: install tesseract-ocr to read it"


def test_pdf_with_a_text_layer_needs_no_ocr_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    (doc,) = load_file(make_pdf(tmp_path / "r.pdf", ["Typed page: 45.5 trillion yuan."]), "r.pdf")
    assert doc.text == "Typed page: 45.5 trillion yuan."


def test_a_file_that_is_not_an_image_is_named(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"this is not a JPEG at all")
    with pytest.raises(UnreadableDocument) as info:
        load_file(path, "photo.jpg")
    assert info.value.message in (
        "not a readable image (not a JPEG file)",
        "image: install tesseract-ocr to read it",  # on a machine without the engine
    )


needs_tesseract = pytest.mark.skipif(
    __import__("shutil").which("tesseract") is None, reason="the Tesseract engine is not installed"
)


@pytest.mark.slow
@needs_tesseract
def test_png_is_read_by_ocr(tmp_path: Path) -> None:
    png = make_png(
        tmp_path / "scan.png", ["Exports rose 12 percent in 2021.", "The harbour handled 9 million."]
    )
    (doc,) = load_file(png, "scan.png")
    assert doc.text == "Exports rose 12 percent in 2021.\n\nThe harbour handled 9 million."
    assert doc.title == "scan"


@pytest.mark.slow
@needs_tesseract
def test_scanned_pdf_pages_are_read_by_ocr_with_their_page_numbers(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    typed = make_pdf(tmp_path / "typed.pdf", ["Typed page: 45.5 trillion yuan."])
    scanned = make_scanned_pdf(tmp_path / "scanned.pdf", ["Scanned page: 39.8 percent of GDP."])
    writer = PdfWriter()
    writer.append(PdfReader(str(typed)))
    writer.append(PdfReader(str(scanned)))
    mixed = tmp_path / "mixed.pdf"
    with mixed.open("wb") as handle:
        writer.write(handle)
    (doc,) = load_file(mixed, "mixed.pdf")
    (first, _, p1), (second, end, p2) = doc.sections()
    assert (p1, p2) == (1, 2)
    assert doc.text[first:second].strip() == "Typed page: 45.5 trillion yuan."
    assert doc.text[second:end] == "Scanned page: 39.8 percent of GDP."


def test_pptx_merged_header_cells_repeat_across_their_span(tmp_path: Path) -> None:
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[6])  # blank: no title
    table = slide.shapes.add_table(3, 3, Inches(1), Inches(1), Inches(6), Inches(2)).table
    rows = [["Quay", "Containers (m)", ""], ["", "2021", "2022"], ["North", "4.1", "4.6"]]
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    table.cell(0, 1).merge(table.cell(0, 2))
    deck.save(str(tmp_path / "merged.pptx"))
    (doc,) = load_file(tmp_path / "merged.pptx", "merged.pptx")
    assert doc.title == "merged"  # no slide title, no core title: the file name
    (placed,) = doc.tables
    assert placed.table.grid == (
        ("Quay", "Containers (m)", "Containers (m)"),
        ("", "2021", "2022"),
        ("North", "4.1", "4.6"),
    )
