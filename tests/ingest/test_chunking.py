"""Chunking: offsets round-trip, sentences and numbers stay whole, chunks are bounded and stable."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.ingest.chunking import ChunkerSettings, chunk_document, estimate_tokens
from assistant.ingest.document import Document
from assistant.text.sentences import sentence_spans

SEED_PARAGRAPH = (
    "The China Internet Development Report 2022 released during the 2022 World Internet Conference Wuzhen Summit "
    "shows that the scale of China's digital economy came to 45.5 trillion yuan in 2021, accounting for 39.8 "
    "percent of China's GDP. A staff member displays an AR device at the Expo in Shijiazhuang, Sept. 7, 2021. "
    "Trade with the U.S. grew. Epson (China) Co., Ltd. said the glasses are used in parks."
)


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_sentences_respect_numbers_and_abbreviations() -> None:
    got = sentences(SEED_PARAGRAPH)
    assert got[0].endswith("accounting for 39.8 percent of China's GDP.")
    assert "45.5 trillion yuan" in got[0]
    assert got[1] == "A staff member displays an AR device at the Expo in Shijiazhuang, Sept. 7, 2021."
    assert got[2] == "Trade with the U.S. grew."
    assert got[3] == "Epson (China) Co., Ltd. said the glasses are used in parks."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dr. Li spoke. Then he left.", ["Dr. Li spoke.", "Then he left."]),
        ("It cost approx. five dollars. Fine.", ["It cost approx. five dollars.", "Fine."]),
        ('"The view is vivid." A participant said so.', ['"The view is vivid."', "A participant said so."]),
        ("Heading without stop\n\nBody sentence.", ["Heading without stop", "Body sentence."]),
        ("Is it 3.5 percent? Yes!", ["Is it 3.5 percent?", "Yes!"]),
        ("J. R. R. Tolkien wrote books.", ["J. R. R. Tolkien wrote books."]),
    ],
)
def test_sentence_cases(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def make_doc(text: str, doc_id: str = "d.txt", pages: tuple[tuple[int, int], ...] = ()) -> Document:
    return Document(id=doc_id, text=text, source=doc_id, title="T", pages=pages)


def test_chunks_round_trip_and_are_bounded() -> None:
    text = " ".join([SEED_PARAGRAPH] * 12)
    doc = make_doc(text)
    cfg = ChunkerSettings(max_tokens=60, overlap_tokens=20)
    chunks = chunk_document(doc, cfg)
    assert len(chunks) > 5
    for chunk in chunks:
        assert doc.text[chunk.start : chunk.end] == chunk.text
        assert estimate_tokens(chunk.text) <= 60 or len(sentence_spans(chunk.text)) == 1
    # Consecutive chunks overlap or touch; together they cover every sentence.
    for a, b in itertools.pairwise(chunks):
        assert b.start <= a.end + 1 and b.start > a.start
    covered = {s for c in chunks for s in range(c.start, c.end)}
    for s, e in sentence_spans(text):
        assert s in covered and e - 1 in covered


def test_no_chunk_splits_a_figure() -> None:
    doc = make_doc(" ".join([SEED_PARAGRAPH] * 30))
    for cfg in (ChunkerSettings(40, 10), ChunkerSettings(80, 20), ChunkerSettings(200, 40)):
        for chunk in chunk_document(doc, cfg):
            # A chunk that holds "45.5" holds the whole figure, and none starts or ends inside it.
            for m in re.finditer(r"45\.5", chunk.text):
                assert chunk.text[m.start() : m.start() + len("45.5 trillion yuan")] == "45.5 trillion yuan"
            assert not chunk.text.startswith(("5 trillion", ".5 trillion", "trillion"))
            assert not chunk.text.endswith(("45", "45.", "45.5"))


def test_overlong_sentence_is_split_between_words_not_inside_numbers() -> None:
    long_sentence = "Growth " + " ".join(f"item {i} rose 45.5 trillion yuan" for i in range(80)) + "."
    doc = make_doc(long_sentence)
    chunks = chunk_document(doc, ChunkerSettings(50, 0))
    assert len(chunks) > 3
    for chunk in chunks:
        assert estimate_tokens(chunk.text) <= 50
        assert not chunk.text.startswith(("trillion", "yuan"))


def test_pages_are_not_crossed_and_are_kept() -> None:
    text = "Page one talks about 10 percent.\n\nPage two talks about 20 percent."
    doc = make_doc(text, pages=((0, 1), (34, 2)))
    chunks = chunk_document(doc)
    assert [(c.page, c.text) for c in chunks] == [
        (1, "Page one talks about 10 percent."),
        (2, "Page two talks about 20 percent."),
    ]


def test_chunk_ids_are_stable_and_unique() -> None:
    doc = make_doc(" ".join([SEED_PARAGRAPH] * 8))
    first = chunk_document(doc, ChunkerSettings(60, 20))
    second = chunk_document(make_doc(doc.text), ChunkerSettings(60, 20))
    assert [c.id for c in first] == [c.id for c in second]
    assert len({c.id for c in first}) == len(first)


def test_real_tokenizer_stays_within_model_window() -> None:
    """The estimate is conservative enough that the default chunk fits the model's 256-token window."""
    from tokenizers import Tokenizer

    from assistant.embedding.model import packaged_model_dir

    tokenizer = Tokenizer.from_file(str(packaged_model_dir() / "tokenizer.json"))
    tokenizer.no_truncation()
    doc = make_doc(" ".join([SEED_PARAGRAPH] * 20))
    for chunk in chunk_document(doc):
        assert len(tokenizer.encode(chunk.text).ids) <= 256


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .,!?\n0123456789UuS")), max_size=400), st.integers(5, 80))
def test_offsets_always_round_trip(text: str, max_tokens: int) -> None:
    doc = make_doc(text)
    for chunk in chunk_document(doc, ChunkerSettings(max_tokens, max_tokens // 3)):
        assert doc.text[chunk.start : chunk.end] == chunk.text
        assert chunk.text.strip() == chunk.text and chunk.text
