"""A hostile corpus: files swapped for links mid-build, archive bombs, deep HTML, huge PDFs, runs without spaces."""

from __future__ import annotations

import os
import threading
import zipfile
from pathlib import Path

import pytest

import assistant.ingest.formats as formats
from assistant.ingest.chunking import ChunkerSettings, chunk_document
from assistant.ingest.document import Document, RawFile
from assistant.ingest.limits import MB, IngestLimits, html_depth
from assistant.ingest.loaders import load_corpus
from assistant.storage.build import build_index
from assistant.storage.generations import open_index
from tests.fakes import FakeEmbedder
from tests.helpers import make_docx, make_pdf

SECRET = "root:x:0:0:root:/root:/bin/bash nologin shadowline"


def _zip_bomb_docx(path: Path, inflated: int) -> Path:
    """A real .docx whose document.xml is padded (with a comment) to inflate to `inflated` bytes."""
    make_docx(path, ["A small report about the harbour."])
    with zipfile.ZipFile(path) as src:
        members = {info.filename: src.read(info) for info in src.infolist()}
    xml = members["word/document.xml"]
    head, sep, rest = xml.partition(b"?>")
    members["word/document.xml"] = head + sep + b"<!--" + b"0" * inflated + b"-->" + rest
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
    return path


def _indexed_texts(index: Path) -> str:
    reader = open_index(index, model="fake-embedder")
    try:
        return "\n".join(sc.chunk.text for sc in reader.chunks(list(range(reader.size))).values())
    finally:
        reader.close()


def test_file_swapped_for_a_link_during_the_build_is_not_read(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The attack: while a slow file parses, another writer swaps a later file for a link to a secret."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Slow file\n\nThe harbour handled 12 million containers.")
    (corpus / "z.txt").write_text("Zebra notes\n\nZebras graze on the plain.")
    outside = tmp_path / "passwd"
    outside.write_text(SECRET + "\n")
    parsing, swapped = threading.Barrier(2), threading.Barrier(2)
    plain = formats.LOADERS[".txt"]

    def slow(raw: RawFile) -> list[Document]:
        if raw.rel == "a.txt":
            parsing.wait(5)  # the attacker swaps z.txt now
            swapped.wait(5)
        return plain(raw)

    def attacker() -> None:
        parsing.wait(5)
        (corpus / "z.txt").unlink()
        (corpus / "z.txt").symlink_to(outside)
        swapped.wait(5)

    monkeypatch.setitem(formats.LOADERS, ".txt", slow)
    thread = threading.Thread(target=attacker)
    thread.start()
    report = build_index(corpus, tmp_path / "index", FakeEmbedder(64))
    thread.join()
    assert [(s.source, s.reason) for s in report.skipped] == [
        ("z.txt", "symlink leads outside the corpus (not followed)")
    ]
    assert report.documents == 1
    assert "nologin" not in _indexed_texts(tmp_path / "index")


def test_file_replaced_by_another_after_the_scan_is_refused(tmp_path: Path) -> None:
    from assistant.ingest.corpus import scan_corpus
    from assistant.ingest.loaders import load_file

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("First text.")
    (source,), _ = scan_corpus(corpus)
    (corpus / "b.txt").write_text("Other text.")
    os.replace(corpus / "b.txt", corpus / "a.txt")  # same name, another inode
    with pytest.raises(Exception, match="replaced by another file while indexing"):
        load_file(source.path, source.rel, root=corpus, expect=source.inode)


def test_link_inside_the_corpus_is_still_read(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "sub" / "real.txt").write_text("Real\n\nApples grow here.")
    (corpus / "alias.txt").symlink_to(corpus / "sub" / "real.txt")
    docs, skipped = load_corpus(corpus)
    assert sorted(d.source for d in docs) == ["alias.txt", "sub/real.txt"]
    assert skipped == []


def test_zip_bomb_docx_is_skipped_before_extracting(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _zip_bomb_docx(corpus / "bomb.docx", 3 * MB)
    make_docx(corpus / "fine.docx", ["The orchard grows apples."])
    assert (corpus / "bomb.docx").stat().st_size < 100_000  # small stored, large inflated
    limits = IngestLimits(max_unpacked_bytes=2 * MB)
    report = build_index(corpus, tmp_path / "index", FakeEmbedder(64), limits=limits)
    assert [s.source for s in report.skipped] == ["bomb.docx"]
    assert report.skipped[0].reason.startswith("unpacks to 3 MB, over the limit of 2 MB")
    assert report.documents == 1


def test_deep_html_is_skipped_by_its_depth(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "deep.html").write_text("<html><body>" + "<div>" * 5000 + "deep" + "</div>" * 5000)
    (corpus / "ok.html").write_text("<html><body><div><p>Apples<p>Pears<br><img src=x></div></body></html>")
    report = build_index(corpus, tmp_path / "index", FakeEmbedder(64))
    assert [(s.source, s.reason) for s in report.skipped] == [
        ("deep.html", "HTML nested 5,002 elements deep, over the limit of 1,000 (limit: max_html_depth)")
    ]
    assert report.documents == 1


def test_html_depth_counts_only_elements_that_nest() -> None:
    assert html_depth(b"<div><p>a<p>b<li>c<br/><img src='x'></div><div></div>") == 1
    assert html_depth(b"<div>" * 30 + b"</div>" * 30) == 30
    # unclosed tag openings cost one step each: the scan stays linear
    assert html_depth(b"<a" * 100_000) == 0


def test_pdf_with_too_many_pages_is_skipped(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_pdf(corpus / "long.pdf", [f"Page {i} text." for i in range(5)])
    make_pdf(corpus / "short.pdf", ["Page one.", "Page two."])
    report = build_index(corpus, tmp_path / "index", FakeEmbedder(64), limits=IngestLimits(max_pdf_pages=3))
    assert [(s.source, s.reason) for s in report.skipped] == [
        ("long.pdf", "PDF of 5 pages, over the limit of 3 (limit: max_pdf_pages)")
    ]


def test_text_over_the_limit_is_skipped_before_and_after_parsing(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "big.txt").write_text("x" * 2000)
    # a zip-based file is not held to the text limit by its bytes: it is caught on the extracted text
    make_docx(corpus / "wordy.docx", ["word " * 100 + "end." for _ in range(3)])
    (corpus / "small.txt").write_text("Small\n\nA short text.")
    limits = IngestLimits(max_text_chars=1000)
    report = build_index(corpus, tmp_path / "index", FakeEmbedder(64), limits=limits)
    reasons = {s.source: s.reason for s in report.skipped}
    assert reasons["big.txt"] == "over 1,000 bytes of text (limit: max_text_chars)"
    assert (
        reasons["wordy.docx"] == "1,516 characters of text, over the limit of 1,000 (limit: max_text_chars)"
    )
    assert report.documents == 1


def test_run_without_spaces_is_cut_at_the_chunk_cap() -> None:
    text = "Title\n\n" + "A" * 20_000 + " tail words here. " + "b " * 3000
    doc = Document(id="d", text=text, source="d.txt")
    chunks = chunk_document(doc, ChunkerSettings())
    assert max(len(c.text) for c in chunks) <= 4000
    assert all(c.text == text[c.start : c.end] for c in chunks)
    covered = "".join(c.text for c in chunks if "A" in c.text)
    assert covered.count("A") == 20_000  # nothing of the run is lost
    small = chunk_document(doc, ChunkerSettings(max_chars=500))
    assert max(len(c.text) for c in small) <= 500


def test_chunk_cap_is_recorded_only_when_changed() -> None:
    assert ChunkerSettings().to_dict() == {"max_tokens": 200, "overlap_tokens": 40}
    assert ChunkerSettings(max_chars=900).to_dict()["max_chars"] == 900


def test_limits_come_from_settings() -> None:
    from assistant.config import Settings

    settings = Settings.from_env({"ASSISTANT_MAX_UNPACKED_MB": "3", "ASSISTANT_PARSE_WORKER": "off"})
    limits = IngestLimits.from_settings(settings)
    assert limits.max_unpacked_bytes == 3 * MB
    assert not limits.isolate
    with pytest.raises(ValueError, match="ASSISTANT_MAX_PDF_PAGES must be a positive integer"):
        Settings.from_env({"ASSISTANT_MAX_PDF_PAGES": "0"})


# --- the worker process -------------------------------------------------------------------------------


@pytest.mark.slow
def test_worker_parses_like_the_build_process(corpus: Path, tmp_path: Path) -> None:
    inline = build_index(corpus, tmp_path / "a", FakeEmbedder(64))
    isolated = build_index(corpus, tmp_path / "b", FakeEmbedder(64), limits=IngestLimits(isolate=True))
    assert (isolated.documents, isolated.chunks) == (inline.documents, inline.chunks)
    assert _indexed_texts(tmp_path / "a") == _indexed_texts(tmp_path / "b")


@pytest.mark.slow
def test_worker_kills_a_parse_that_runs_too_long_and_goes_on(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    # 60,000 nested divs take the HTML parser well over a second (quadratic in depth)
    (corpus / "a-deep.html").write_text("<html><body>" + "<div>" * 60_000 + "x" + "</div>" * 60_000)
    (corpus / "b-fine.txt").write_text("Fine\n\nThe orchard grows apples.")
    limits = IngestLimits(isolate=True, parse_timeout=1.0, max_html_depth=10**9)
    report = build_index(corpus, tmp_path / "index", FakeEmbedder(64), limits=limits)
    assert [(s.source, s.reason) for s in report.skipped] == [
        ("a-deep.html", "took longer than 1 s to parse (limit: parse_timeout)")
    ]
    assert report.documents == 1  # the worker restarted for the next file


@pytest.mark.slow
def test_worker_memory_limit_skips_a_bomb_and_goes_on(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _zip_bomb_docx(corpus / "a-bomb.docx", 400 * MB)
    (corpus / "b-fine.txt").write_text("Fine\n\nThe orchard grows apples.")
    limits = IngestLimits(isolate=True, parse_memory_mb=600, max_unpacked_bytes=10**12, parse_timeout=60)
    report = build_index(corpus, tmp_path / "index", FakeEmbedder(64), limits=limits)
    assert [s.source for s in report.skipped] == ["a-bomb.docx"]
    assert "memory" in report.skipped[0].reason
    assert report.documents == 1


@pytest.mark.slow
def test_worker_killed_from_outside_between_files_is_replaced(tmp_path: Path) -> None:
    from assistant.ingest.corpus import scan_corpus
    from assistant.ingest.worker import ParseWorker

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("First\n\nApples.")
    (corpus / "b.txt").write_text("Second\n\nPears.")
    (first, second), _ = scan_corpus(corpus)
    worker = ParseWorker(IngestLimits(isolate=True), corpus)
    try:
        assert [d.id for d in worker.load(first)] == ["a.txt"]
        assert worker._process is not None
        worker._process.kill()
        worker._process.join(5)
        assert [d.id for d in worker.load(second)] == ["b.txt"]
    finally:
        worker.close()
