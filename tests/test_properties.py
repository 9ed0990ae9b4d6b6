"""Properties on generated input: the chunker keeps offsets and bounds, figures point at their text, loaders
never raise anything but UnreadableDocument."""

from __future__ import annotations

import json
import math
import random
import shutil
import tempfile
from functools import cache
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from assistant.errors import UnreadableDocument
from assistant.figures.extraction import extract_figures
from assistant.ingest.chunking import ChunkerSettings, chunk_document, estimate_tokens
from assistant.ingest.decoding import split_front_matter
from assistant.ingest.document import Document
from assistant.ingest.formats import SUPPORTED
from assistant.ingest.loaders import load_file
from tests.helpers import make_docx, make_encrypted_pdf, make_pdf

# --- the chunker ------------------------------------------------------------------------------------

# Words that cost at most 3 estimated tokens each, sentence ends, abbreviations, numbers with their units,
# and every kind of space: enough to reach every branch of sentence splitting and packing.
_PIECES = st.sampled_from(
    ["the", "harbour", "Handled", "containers", "zymurgical", "U.S.", "Dr.", "approx.", "e.g.", "J.", "45.5",
     "1,234", "2021", "million", "percent", "yuan", "(12)", "“quoted”", "日本語", "مرحبا", "🙂", ".", "!", "?",
     "...", ".”", ")", ",", ";"]
)  # fmt: skip
_SPACES = st.sampled_from([" ", " ", " ", "\n", "\n\n", "\t", " \n \n ", "  "])
_PROSE = st.lists(st.tuples(_PIECES, _SPACES), max_size=150).map(
    lambda pairs: "".join(a + b for a, b in pairs)
)


@st.composite
def _documents(draw: st.DrawFn, text: st.SearchStrategy[str] = _PROSE) -> Document:
    """A document, sometimes split into pages at random offsets."""
    body = draw(text)
    cuts = sorted(set(draw(st.lists(st.integers(1, max(1, len(body) - 1)), max_size=4)))) if body else []
    pages = tuple((start, number) for number, start in enumerate([0, *cuts], start=1)) if cuts else ()
    return Document(id="d", text=body, source="d.txt", pages=pages)


_SETTINGS = st.builds(
    lambda max_tokens, share: ChunkerSettings(max_tokens, int(max_tokens * share)),
    st.integers(10, 80),
    st.floats(0.0, 1.0),
)


def _check_chunks(doc: Document, chunker: ChunkerSettings) -> list[tuple[int, int]]:
    chunks = chunk_document(doc, chunker)
    sections = doc.sections()
    previous = (-1, -1)
    for chunk in chunks:
        assert chunk.text == doc.text[chunk.start : chunk.end]  # offsets round-trip
        assert chunk.text.strip() == chunk.text != ""  # no empty chunk, no padding
        assert chunk.start > previous[0] and chunk.end > previous[1]  # each chunk adds text
        previous = (chunk.start, chunk.end)
        # never across a page boundary, and labelled with its page
        assert any(s <= chunk.start and chunk.end <= e and p == chunk.page for s, e, p in sections)
        assert chunk.id == f"{doc.id}#{chunk.start}-{chunk.end}"
    # nothing is lost: every visible character is in some chunk
    covered = bytearray(len(doc.text))
    for chunk in chunks:
        covered[chunk.start : chunk.end] = b"\x01" * (chunk.end - chunk.start)
    assert all(covered[i] or ch.isspace() for i, ch in enumerate(doc.text))
    return [(c.start, c.end) for c in chunks]


@settings(max_examples=300, deadline=None)
@given(_documents(), _SETTINGS)
def test_chunks_round_trip_cover_everything_and_stay_bounded(doc: Document, chunker: ChunkerSettings) -> None:
    for start, end in _check_chunks(doc, chunker):
        # Every word costs at most 3 tokens here, so only a unit glued to its number ("45.5 million") may
        # take a chunk past the limit.
        assert estimate_tokens(doc.text[start:end]) <= chunker.max_tokens + 3


@settings(max_examples=300, deadline=None)
@given(_documents(st.text(max_size=600)), _SETTINGS)
def test_chunks_of_any_text_round_trip_and_cover_everything(doc: Document, chunker: ChunkerSettings) -> None:
    _check_chunks(doc, chunker)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta"]), min_size=1, max_size=400))
def test_a_sentence_without_stops_is_split_within_the_limit(words: list[str]) -> None:
    doc = Document(id="d", text=" ".join(words), source="d.txt")
    for start, end in _check_chunks(doc, ChunkerSettings(12, 4)):
        assert estimate_tokens(doc.text[start:end]) <= 12


# --- figures ----------------------------------------------------------------------------------------

_NUMBER = st.one_of(
    st.integers(0, 10**9).map(lambda n: f"{n:,}"),
    st.integers(0, 99_999).map(str),
    st.decimals("0.01", "9999.99", places=2).map(str),
    st.integers(1, 99).map(lambda n: f"{n}.{n % 10}"),
)
_QUANTITY = st.one_of(
    st.tuples(_NUMBER, st.sampled_from([" percent", "%", " per cent"])).map("".join),
    st.tuples(st.sampled_from(["$", "€", "£", "US$", "RMB "]), _NUMBER, st.sampled_from(["", " million", " bn"])).map("".join),
    st.tuples(_NUMBER, st.sampled_from([" million", " billion", " trillion"]), st.sampled_from([" yuan", " dollars", ""])).map("".join),
    st.tuples(_NUMBER, st.sampled_from([" km", " kg", " tonnes", " MW", " °C", " hours", " years", " ships"])).map("".join),
    st.tuples(st.sampled_from(["between ", "from "]), _NUMBER, st.sampled_from([" and ", " to "]), _NUMBER, st.just(" percent")).map("".join),
    st.tuples(_NUMBER, st.just("–"), _NUMBER).map("".join),
    st.integers(1990, 2030).map(str),
)  # fmt: skip
_SUBJECT = st.sampled_from(
    ["The harbour", "Exports", "China's digital economy", "Revenue", "The index", "It"]
)
_VERB = st.sampled_from(
    ["rose", "fell by", "reached", "came to", "handled", "was", "grew", "stood at", "hit"]
)
_TAIL = st.sampled_from(
    ["", " in 2021", " year-on-year", " last month", " (up 3.2%)", ", a record", " in Q4"]
)


@st.composite
def _sentences(draw: st.DrawFn) -> tuple[str, list[str]]:
    """Real-looking sentences with numbers and units, and the quantities written into them."""
    parts: list[str] = []
    quantities: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        quantity = draw(_QUANTITY)
        quantities.append(quantity)
        parts.append(f"{draw(_SUBJECT)} {draw(_VERB)} {quantity}{draw(_TAIL)}.")
    return " ".join(parts), quantities


@settings(max_examples=400, deadline=None)
@given(_sentences())
def test_figures_in_real_looking_sentences_point_at_their_text(case: tuple[str, list[str]]) -> None:
    text, quantities = case
    figures = extract_figures(text)
    end = 0
    for figure in figures:
        assert text[figure.start : figure.end] == figure.text
        assert end <= figure.start < figure.end  # in order, never overlapping
        assert figure.value is None or math.isfinite(figure.value)
        assert figure.range_to is None or math.isfinite(figure.range_to)
        end = figure.end
    # every number written into the text is inside some figure
    cursor = 0
    for quantity in quantities:
        digit = next(i for i, ch in enumerate(quantity) if ch.isdigit())
        start = text.index(quantity, cursor)
        at = start + digit
        assert any(f.start <= at < f.end for f in figures), (quantity, [f.text for f in figures])
        cursor = start + len(quantity)  # past the whole quantity: a later one may repeat a part of it


_TRICKY = st.sampled_from(
    ["3:08", "left", "25m", "people", "12-screen", "512-bit", "(118)", "(1)", "tackles", "late", "mid-", "2008",
     "2nd", "century", "BCE", "110", "mph", "km/h", "Apollo", "17", "State", "Route", "99", "AS-501", "720p",
     "Super", "Bowl", "XLIV", "In", "On", "October", "-", "(", ")", ",", ".", "k", "m", "s"]
)  # fmt: skip
_TRICKY_TEXT = st.lists(st.tuples(_TRICKY, st.sampled_from([" ", "", "\n"])), max_size=60).map(
    lambda pairs: "".join(a + b for a, b in pairs)
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(_TRICKY_TEXT, st.text(max_size=200)))
def test_figures_and_numbered_names_of_any_text_point_at_their_text(text: str) -> None:
    from assistant.answering.names import numbered_names

    end = 0
    for figure in extract_figures(text):
        assert text[figure.start : figure.end] == figure.text
        assert end <= figure.start < figure.end
        end = figure.end
    for name in numbered_names(text):
        assert text[name.start : name.end] == name.text and name.text.strip() == name.text


# --- loaders ----------------------------------------------------------------------------------------


def _load(data: bytes, suffix: str) -> list[Document] | None:
    """load_file on data written with the suffix; None when it is refused (the only error allowed)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"file{suffix}"
        path.write_bytes(data)
        try:
            docs = load_file(path, path.name)
        except UnreadableDocument as exc:
            assert exc.message and "\n" not in exc.message
            return None
    for doc in docs:
        assert doc.text.strip() and isinstance(doc.id, str) and doc.source == path.name
        doc.text.encode("utf-8")  # nothing that SQLite or the tokenizer cannot take
        doc.id.encode("utf-8")
    return docs


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000), st.sampled_from(SUPPORTED))
def test_random_bytes_never_raise_anything_but_unreadable(data: bytes, suffix: str) -> None:
    _load(data, suffix)


_MAGIC = {".pdf": b"%PDF-1.4\n", ".docx": b"PK\x03\x04", ".html": b"<html><body>", ".jsonl": b'{"id": '}


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(_MAGIC)), st.binary(max_size=3000))
def test_random_bytes_behind_a_real_header_never_raise_anything_but_unreadable(
    suffix: str, data: bytes
) -> None:
    _load(_MAGIC[suffix] + data, suffix)


@cache
def _real_files() -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        pages = ["Exports rose 12 percent (to $4.5 bn).", "Page two: 3 million tonnes."]
        return {
            ".pdf": make_pdf(base / "a.pdf", pages, title="Trade").read_bytes(),
            ".encrypted.pdf": make_encrypted_pdf(base / "e.pdf", pages).read_bytes(),
            ".docx": make_docx(base / "a.docx", pages, title="Trade").read_bytes(),
        }


def _damage(kind: str, seed: int, flips: int) -> None:
    data = bytearray(_real_files()[kind])
    rng = random.Random(seed)
    if rng.random() < 0.3:
        data = data[: rng.randrange(len(data))]  # truncated
    else:
        for _ in range(flips):
            data[rng.randrange(len(data))] = rng.randrange(256)
    _load(bytes(data), ".pdf" if kind.endswith(".pdf") else ".docx")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([".pdf", ".encrypted.pdf", ".docx"]), st.integers(0, 2**32), st.integers(1, 12))
def test_damaged_pdf_and_docx_never_raise_anything_but_unreadable(kind: str, seed: int, flips: int) -> None:
    # without the OCR engine (a page that lost its text is then "scanned"): the OCR path has its own test
    with mock.patch("assistant.ingest.formats.pdf.ocr_available", return_value=False):
        _damage(kind, seed, flips)


@pytest.mark.slow  # Tesseract reads the pages whose text layer the damage broke
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract-ocr")
@settings(max_examples=100, deadline=None)
@given(st.sampled_from([".pdf", ".encrypted.pdf"]), st.integers(0, 2**32), st.integers(1, 12))
def test_damaged_pdf_through_ocr_never_raises_anything_but_unreadable(
    kind: str, seed: int, flips: int
) -> None:
    _damage(kind, seed, flips)


_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=500)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.sampled_from([".txt", ".md"]))
def test_any_utf8_text_round_trips_through_the_text_loader(text: str, suffix: str) -> None:
    body = split_front_matter(text.removeprefix("\ufeff"))[1]
    docs = _load(text.encode("utf-8"), suffix)
    if not body.strip():
        assert docs is None
        return
    assert docs is not None and [d.text for d in docs] == [body]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=20), _TEXT), min_size=1, max_size=5, unique_by=lambda r: r[0]))
def test_any_text_round_trips_through_the_jsonl_loader(records: list[tuple[str, str]]) -> None:
    assume(any(text.strip() for _, text in records))
    lines = [json.dumps({"id": doc_id, "text": text}) for doc_id, text in records]
    docs = _load("\n".join(lines).encode("utf-8"), ".jsonl")
    assert docs is not None
    assert [(d.id, d.text) for d in docs] == [(i, t) for i, t in records if t.strip()]
