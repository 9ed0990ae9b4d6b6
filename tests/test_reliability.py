"""Bad input and faults: unreadable files, hostile questions, killed and concurrent builds, damaged indexes."""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from assistant.answering.results import Answer
from assistant.assistant import Assistant
from assistant.config import Settings
from assistant.embedding.model import DEFAULT_MODEL_NAME
from assistant.errors import BadQuestion, IndexCorrupt
from assistant.ingest.document import Document, RawFile
from assistant.interfaces.cli.main import main
from assistant.storage.build import build_index
from assistant.storage.generations import current_generation, open_index
from tests.fakes import FakeEmbedder
from tests.helpers import HARBOUR, make_encrypted_pdf, write_corpus

ROOT = Path(__file__).resolve().parent.parent
DOCS = {"economy.txt", "harbour.md", "orchard.txt"}
HARBOUR_QUESTION = "How many containers did the harbour handle?"


def _run_python(script: str, *args: str, **kwargs: object) -> subprocess.Popen[str]:
    """Start a Python subprocess running script with the project importable (text mode unless told)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    kwargs.setdefault("text", True)
    return subprocess.Popen([sys.executable, "-c", script, *args], cwd=ROOT, env=env, **kwargs)  # type: ignore[call-overload]


def chunk_table(index: Path) -> list[tuple[str, int, int, str, tuple[float, ...]]]:
    """Every chunk of the live generation: document, offsets, text and vector (rounded), sorted."""
    reader = open_index(index, model="fake-embedder")
    try:
        stored = reader.chunks(range(reader.size)).values()
        return sorted(
            (
                c.chunk.doc_id,
                c.chunk.start,
                c.chunk.end,
                c.chunk.text,
                tuple(np.round(reader.vectors[c.row], 5).tolist()),
            )
            for c in stored
        )
    finally:
        reader.close()


def clean_table(corpus: Path, scratch: Path) -> list[tuple[str, int, int, str, tuple[float, ...]]]:
    """The chunk table of a fresh build of the same corpus."""
    shutil.rmtree(scratch, ignore_errors=True)
    build_index(corpus, scratch, FakeEmbedder(64))
    return chunk_table(scratch)


# --- corpus: each unreadable file is skipped with its reason, the rest is indexed -------------------------


def _junk_zip(path: Path) -> None:
    """A real zip archive whose members are junk, named .docx."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "not a word document")
        archive.writestr("blob.bin", bytes(range(256)) * 8)


def _outside(corpus: Path) -> Path:
    """A directory beside the corpus with a secret in it."""
    outside = corpus.parent / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.txt").write_text("The vault code is 4711.")
    return outside


def _outside_file(corpus: Path, name: str) -> None:
    (corpus / name).symlink_to(_outside(corpus) / "secret.txt")


def _outside_dir(corpus: Path, name: str) -> None:
    (corpus / name).symlink_to(_outside(corpus), target_is_directory=True)


BAD_FILES = [
    pytest.param("empty.txt", lambda c, n: (c / n).write_bytes(b""), "empty file", id="empty"),
    pytest.param(
        "photo.txt",
        lambda c, n: (c / n).write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16),
        "binary data, not text",
        id="binary-renamed-txt",
    ),
    pytest.param(
        "broken.pdf",
        lambda c, n: (c / n).write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R"),
        "corrupt PDF (",
        id="corrupt-pdf",
    ),
    pytest.param(
        "locked.pdf",
        lambda c, n: make_encrypted_pdf(c / n, ["Secret figures: 10 percent."]),
        "password-protected PDF",
        id="password-pdf",
    ),
    pytest.param(
        "memo.docx",
        lambda c, n: _junk_zip(c / n),
        "not a valid .docx (a zip archive with no Word document in it)",
        id="docx-zip-of-junk",
    ),
    pytest.param(
        "notes.docx",
        lambda c, n: (c / n).write_bytes(b"PK\x03\x04 not really a zip"),
        "not a valid .docx (not a zip archive)",
        id="docx-bad-bytes",
    ),
    pytest.param(
        "deep.jsonl",
        lambda c, n: (c / n).write_text("[" * 100_000),
        "line 1: invalid JSON (nested too deeply)",
        id="jsonl-too-deep",
    ),
    pytest.param(
        "huge.jsonl",
        lambda c, n: (c / n).write_text('{"id": 1, "n": ' + "9" * 5000 + "}\n"),
        "line 1: invalid JSON (a number too long)",
        id="jsonl-huge-number",
    ),
    pytest.param(
        "outside.txt",
        _outside_file,
        "symlink leads outside the corpus (not followed)",
        id="symlink-out-file",
    ),
    pytest.param(
        "elsewhere", _outside_dir, "symlink leads outside the corpus (not followed)", id="symlink-out-dir"
    ),
    pytest.param(
        "dangling.txt", lambda c, n: (c / n).symlink_to(c / "nowhere.txt"), "broken symlink", id="broken-link"
    ),
    pytest.param("self.txt", lambda c, n: (c / n).symlink_to(c / n), "symlink loop", id="self-link"),
]


@pytest.mark.parametrize(("name", "make", "reason"), BAD_FILES)
def test_bad_file_is_skipped_with_its_reason_and_the_rest_indexed(
    corpus: Path, tmp_path: Path, name: str, make, reason: str
) -> None:  # type: ignore[no-untyped-def]
    make(corpus, name)
    report = build_index(corpus, tmp_path / "index", FakeEmbedder(64))
    assert [(s.source, s.reason[: len(reason)]) for s in report.skipped] == [(name, reason)]
    assert "\n" not in report.skipped[0].reason
    assert report.documents == 3
    reader = open_index(tmp_path / "index", model="fake-embedder")
    assert {d.id for d in reader.documents} == DOCS
    assert not any("vault" in c.chunk.text for c in reader.chunks(range(reader.size)).values())


def test_every_bad_file_at_once(corpus: Path, tmp_path: Path) -> None:
    for param in BAD_FILES:
        name, make, _ = param.values
        make(corpus, name)  # type: ignore[operator]
    report = build_index(corpus, tmp_path / "index", FakeEmbedder(64))
    assert sorted(s.source for s in report.skipped) == sorted(p.values[0] for p in BAD_FILES)  # type: ignore[type-var]
    assert report.documents == 3


def test_nothing_outside_the_corpus_is_ever_opened(corpus: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import assistant.ingest.corpus as corpus_scan

    _outside_file(corpus, "secret.txt")
    _outside_dir(corpus, "mirror")
    (corpus / "nested").mkdir()
    (corpus / "nested" / "deeper.md").symlink_to(Path("..") / ".." / "outside" / "secret.txt")
    (corpus / "alias.txt").symlink_to(corpus / "orchard.txt")  # a link inside the corpus is fine
    (corpus / "loop").symlink_to(corpus, target_is_directory=True)
    opened: list[Path] = []
    checksum = corpus_scan.file_sha256
    monkeypatch.setattr(corpus_scan, "file_sha256", lambda p: opened.append(p.resolve()) or checksum(p))
    read_bytes = Path.read_bytes
    index = tmp_path / "index"

    def recorded(path: Path) -> bytes:
        if index not in path.parents:
            opened.append(path.resolve())
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", recorded)
    report = build_index(corpus, index, FakeEmbedder(64))
    inside = corpus.resolve()
    assert opened and all(inside in p.parents for p in opened)
    assert sorted((s.source, s.reason) for s in report.skipped) == [
        ("mirror", "symlink leads outside the corpus (not followed)"),
        ("nested/deeper.md", "symlink leads outside the corpus (not followed)"),
        ("secret.txt", "symlink leads outside the corpus (not followed)"),
    ]
    reader = open_index(tmp_path / "index", model="fake-embedder")
    assert {d.id for d in reader.documents} == DOCS | {"alias.txt"}


def test_symlink_loops_end_and_index_each_file_once(corpus: Path, tmp_path: Path) -> None:
    (corpus / "sub" / "deeper").mkdir(parents=True)
    (corpus / "sub" / "deeper" / "note.txt").write_text("A note about 3 lighthouses.")
    (corpus / "sub" / "deeper" / "up").symlink_to(corpus, target_is_directory=True)
    (corpus / "sub" / "around").symlink_to(corpus / "sub", target_is_directory=True)
    (corpus / "ping.txt").symlink_to(corpus / "pong.txt")
    (corpus / "pong.txt").symlink_to(corpus / "ping.txt")
    report = build_index(corpus, tmp_path / "index", FakeEmbedder(64))
    assert sorted((s.source, s.reason) for s in report.skipped) == [
        ("ping.txt", "symlink loop"),
        ("pong.txt", "symlink loop"),
    ]
    reader = open_index(tmp_path / "index", model="fake-embedder")
    assert sorted(d.id for d in reader.documents) == sorted(DOCS | {"sub/deeper/note.txt"})


def test_text_in_other_encodings_is_decoded_and_searchable(corpus: Path, tmp_path: Path) -> None:
    texts = {
        "cp1252.txt": ("Zürich café menu: a croissant costs 4 € – “fresh” daily.", "cp1252"),
        "latin1.txt": ("Señora Müller's smørrebrød costs £7 in Århus.", "latin-1"),
        "utf16le.txt": ("Die Brücke in Köln trägt 1.200 Tonnen; 東京 bridge.", "utf-16"),
        "utf16be.md": ("\ufeffΤο λιμάνι της Πειραιά: 5 εκατομμύρια κοντέινερ.", "utf-16-be"),
    }
    for name, (text, encoding) in texts.items():
        (corpus / name).write_bytes(text.encode(encoding))
    report = build_index(corpus, tmp_path / "index", FakeEmbedder(64))
    assert report.skipped == ()
    assistant = Assistant.open(tmp_path / "index", embedder=FakeEmbedder(64))
    stored = assistant.reader.chunks(range(assistant.reader.size)).values()
    by_doc = {c.chunk.doc_id: c.chunk.text for c in stored}
    for name, (text, _) in texts.items():
        assert by_doc[name] == text.lstrip("\ufeff")
    for query, name in [("smørrebrød Århus", "latin1.txt"), ("Zürich croissant", "cp1252.txt")]:
        assert assistant.search(query, k=1).hits[0].chunk.doc_id == name
    assert assistant.search("Köln Brücke Tonnen", k=1).hits[0].chunk.doc_id == "utf16le.txt"
    assert assistant.search("Πειραιά λιμάνι", k=1).hits[0].chunk.doc_id == "utf16be.md"


def test_file_names_with_spaces_non_ascii_and_undecodable_bytes(corpus: Path, tmp_path: Path) -> None:
    (corpus / "annual report 2021.txt").write_text("The annual report counts 14 wind farms.")
    (corpus / "café – menü").mkdir()
    (corpus / "café – menü" / "数字 经济.md").write_text("The kiosk sold 31 pretzels.")
    # A name written in Latin-1 on a UTF-8 system: its bytes are not UTF-8.
    with open(os.fsencode(corpus) + b"/caf\xe9 prices.txt", "wb") as handle:
        handle.write(b"Espresso costs 2 euros at the caf\xe9.")
    report = build_index(corpus, tmp_path / "index", FakeEmbedder(64))
    assert report.skipped == ()
    assistant = Assistant.open(tmp_path / "index", embedder=FakeEmbedder(64))
    ids = {d.id for d in assistant.documents()}
    assert ids == DOCS | {"annual report 2021.txt", "café – menü/数字 经济.md", "caf\\xe9 prices.txt"}
    assert assistant.search("pretzels kiosk", k=1).hits[0].source == "café – menü/数字 经济.md"
    assert assistant.search("espresso", k=1).hits[0].chunk.text == "Espresso costs 2 euros at the café."
    json.dumps(assistant.ask("How much does espresso cost?").to_dict(), ensure_ascii=False).encode()


def test_jsonl_with_lone_surrogate_escapes_is_indexed(corpus: Path, tmp_path: Path) -> None:
    (corpus / "records.jsonl").write_text(
        '{"id": "r\\ud800", "title": "Bad \\udc00 title", "text": "Kites fly 40 metres \\ud83d high."}\n'
        '{"id": "ok", "text": "A proper pair: \\ud83d\\ude00 smile."}\n'
    )
    report = build_index(corpus, tmp_path / "index", FakeEmbedder(64))
    assert report.skipped == () and report.documents == 5
    reader = open_index(tmp_path / "index", model="fake-embedder")
    texts = {c.chunk.doc_id: c.chunk.text for c in reader.chunks(range(reader.size)).values()}
    assert texts["r\ufffd"].endswith("Kites fly 40 metres \ufffd high.")
    assert texts["ok"] == "A proper pair: 😀 smile."


@pytest.mark.slow
def test_fifty_megabyte_text_file_is_indexed_in_bounded_time_and_memory(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    marker = "The zeppelin hangar at Friedrichshafen held 77 airships."
    with (corpus / "big.txt").open("w") as handle:
        size, part = 0, 0
        while size < 50 * 1024 * 1024:
            block = (
                f"Report {part}\n\n{HARBOUR} The depot stored {part % 997} tonnes of {part % 13} grains.\n\n"
            )
            if part == 150_000:
                block += marker + "\n\n"
            size += handle.write(block)
            part += 1
    # The build runs in its own process so its peak memory can be measured. Its fake embedder hashes each
    # passage once rather than each word: the test measures the pipeline, not the fake.
    script = """
import hashlib, json, sys, time
from pathlib import Path
import numpy as np
from tests.fakes import FakeEmbedder
from assistant.storage.build import build_index

class PassageHash(FakeEmbedder):
    def _vector(self, text):
        digest = hashlib.blake2b(text.encode(), digest_size=self.dimension).digest()
        vector = np.frombuffer(digest, dtype=np.int8).astype(np.float32) + 0.5
        return vector / np.linalg.norm(vector)

def peak_kib():
    # VmHWM, this program's own peak: ru_maxrss also counts the pages the process shared with its parent
    # between fork and exec, which is the whole test process once it has loaded the real model (2 GB)
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

started = time.perf_counter()
report = build_index(Path(sys.argv[1]), Path(sys.argv[2]), PassageHash(64))
print(json.dumps({"seconds": time.perf_counter() - started, "documents": report.documents,
                  "chunks": report.chunks, "skipped": len(report.skipped),
                  "peak_mb": peak_kib() / 1024}))
"""
    proc = _run_python(script, str(corpus), str(tmp_path / "index"), stdout=subprocess.PIPE)
    # Bounded time, without timing the test: a linear build takes well under a minute, a quadratic step
    # (the sentence splitter once had one) takes hours on a file this size, and fails this deadline.
    try:
        out, _ = proc.communicate(timeout=600)
    finally:
        proc.kill()  # no-op once it has exited
    assert proc.returncode == 0
    result = json.loads(out)
    assert result["documents"] == 1 and result["skipped"] == 0 and result["chunks"] > 50_000
    assert result["peak_mb"] < 1536, result  # about 16 times the file: text, chunks, BM25 and vectors
    assistant = Assistant.open(tmp_path / "index", embedder=FakeEmbedder(64))
    assert marker in assistant.search("zeppelin hangar airships", k=3).hits[0].chunk.text


def test_file_that_disappears_mid_build_is_named(corpus: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import assistant.storage.build as indexing

    (corpus / "gone.txt").write_text("Here one moment, gone the next.")
    scan = indexing.scan_corpus

    def scan_then_delete(root: Path):  # type: ignore[no-untyped-def]
        found = scan(root)
        (root / "gone.txt").unlink()  # deleted after the scan listed it, before it is loaded
        return found

    monkeypatch.setattr(indexing, "scan_corpus", scan_then_delete)
    report = build_index(corpus, tmp_path / "index", FakeEmbedder(64))
    assert [(s.source, s.reason) for s in report.skipped] == [("gone.txt", "file disappeared while reading")]
    assert report.documents == 3


def test_permission_denied_while_reading_is_named(corpus: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Simulated, so that it also runs as root (root reads every file whatever its mode)."""
    import assistant.ingest.formats as documents

    (corpus / "locked.txt").write_text("You may not read this.")
    plain = documents.LOADERS[".txt"]

    def refuse(raw: RawFile) -> list[Document]:
        if raw.rel == "locked.txt":
            raise PermissionError(13, "Permission denied", raw.rel)
        return plain(raw)

    monkeypatch.setitem(documents.LOADERS, ".txt", refuse)
    report = build_index(corpus, tmp_path / "index", FakeEmbedder(64))
    assert [(s.source, s.reason) for s in report.skipped] == [("locked.txt", "permission denied")]
    assert report.documents == 3


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads files whatever their mode"
)
def test_unreadable_file_and_directory_are_named(corpus: Path, tmp_path: Path) -> None:
    (corpus / "locked.txt").write_text("You may not read this.")
    (corpus / "locked.txt").chmod(0)
    (corpus / "closed").mkdir()
    (corpus / "closed" / "inner.txt").write_text("Nor this.")
    (corpus / "closed").chmod(0)
    try:
        report = build_index(corpus, tmp_path / "index", FakeEmbedder(64))
    finally:
        (corpus / "closed").chmod(0o755)
    assert sorted((s.source, s.reason) for s in report.skipped) == [
        ("closed", "cannot list directory (permission denied)"),
        ("locked.txt", "permission denied"),
    ]
    assert report.documents == 3


# --- questions: none crashes; each gives an Answer or a one-line BadQuestion ---------------------------

QUESTIONS = [
    pytest.param("", "the {what} is empty", id="empty"),
    pytest.param("  \t\n  ", "the {what} is empty", id="whitespace"),
    pytest.param("x" * 10_000, "the {what} is 10000 characters long; the limit is 2000", id="10000-chars"),
    pytest.param("y" * 2001, "the {what} is 2001 characters long; the limit is 2000", id="2001-chars"),
    pytest.param("y" * 2000, None, id="2000-chars"),
    pytest.param("?!... ,;: —", None, id="punctuation"),
    pytest.param("📈🚢🍎❓", None, id="emoji"),
    pytest.param("ما هو حجم الاقتصاد الرقمي في الصين؟", None, id="arabic"),
    pytest.param("כמה מכולות טיפל הנמל בשנה שעברה?", None, id="hebrew"),
    pytest.param("'; DROP TABLE chunks; --", None, id="sql"),
    pytest.param("$(rm -rf /)", None, id="shell-substitution"),
    pytest.param("`id`", None, id="backticks"),
    pytest.param("../../../../etc/passwd", None, id="path"),
    pytest.param("中国数字经济的规模有多大？", None, id="chinese"),
    pytest.param("\u200f\u200e\u200b", None, id="invisible-marks"),
    pytest.param("nul \x00 byte", None, id="nul"),
    pytest.param("caf\udce9 prices", "the {what} is not valid UTF-8 text", id="undecodable-bytes"),
]


@pytest.mark.parametrize(("question", "error"), QUESTIONS)
def test_hostile_questions_never_crash(index_dir: Path, question: str, error: str | None) -> None:
    assistant = Assistant.open(index_dir, embedder=FakeEmbedder(64))
    before = chunk_table(index_dir)
    for call, what in (
        (assistant.ask, "question"),
        (assistant.search, "query"),
        (assistant.figures, "topic"),
    ):
        if error is not None:
            with pytest.raises(BadQuestion) as info:
                call(question)
            assert info.value.message == error.format(what=what)
            continue
        result = call(question)
        shown = result.to_dict()
        json.dumps(shown, ensure_ascii=False).encode()  # printable as the CLI and HTTP API print it
        if isinstance(result, Answer):
            assert result.abstained or result.citations
        cited = shown.get("citations", shown.get("hits", []))
        assert {c["doc_id"] for c in cited} <= DOCS
    assert chunk_table(index_dir) == before


@pytest.mark.slow
def test_hostile_questions_through_the_cli_with_the_real_model(tmp_path: Path) -> None:
    """One process, one model load: index the tiny corpus, then answer a batch of hostile questions."""
    corpus = write_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    lines = [
        HARBOUR_QUESTION,
        "?!...",
        "📈🚢🍎",
        "ما هو حجم الاقتصاد الرقمي في الصين؟",
        "כמה מכולות טיפל הנמל?",
        "'; DROP TABLE chunks; --",
        "$(rm -rf /)",
        "`id`",
        "中国数字经济的规模有多大？",
        "nul \x00 byte",
        "x" * 10_000,
        "   ",
    ]
    stdin = ("\n".join(lines) + "\n").encode() + b"caf\xe9 prices\n"  # not UTF-8
    script = """
import sys
from assistant.interfaces.cli.main import main
corpus, index = sys.argv[1], sys.argv[2]
code = main(["index", "--corpus", corpus, "--index", index], out=sys.stderr)
sys.exit(code or main(["ask", "-", "--index", index]))
"""
    proc = _run_python(
        script,
        str(corpus),
        str(index),
        text=False,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    raw_out, raw_err = proc.communicate(stdin, timeout=300)
    out, err = raw_out.decode(), raw_err.decode()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    rows = [json.loads(line) for line in out.splitlines()]
    asked = [line for line in lines if line.strip()] + ["caf\ufffd prices"]
    assert [r["question"] for r in rows] == asked
    assert "12 million" in rows[0]["answer"]
    for row in rows[1:-2]:
        assert "answer" in row and (row["abstained"] or row["citations"])
    assert rows[-2]["error"] == {
        "code": "bad_question",
        "message": "the question is 10000 characters long; the limit is 2000",
    }
    assert rows[-1]["error"] == {"code": "bad_question", "message": "the question is not valid UTF-8 text"}


# --- faults: killed builds, concurrent builds, damaged files, reindex under load -------------------------

# A build that takes its time: each passage is embedded after a pause and each file is synced slowly, so a
# kill lands in the middle of it. It prints where it is, so a test can tell what it interrupted.
SLOW_BUILD = """
import sys, time
from pathlib import Path
import bm25s, faiss  # imported before "ready" so that kills land in the build, not in imports
import numpy as np
import assistant.storage.generations as store
from tests.fakes import FakeEmbedder
from assistant.storage.build import build_index

corpus, index, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]

class Slow(FakeEmbedder):
    def embed(self, texts, *, progress=None):
        print("embedding", flush=True)
        release = index.parent / "release"
        deadline = time.monotonic() + 60
        while mode == "hold" and not release.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        rows = []
        for text in texts:
            time.sleep(0.03)
            rows.append(super().embed([text]))
        return np.vstack(rows)

fsync = store._fsync_file
def slow_fsync(path):
    print("writing", path.name, flush=True)
    time.sleep(0.02)
    fsync(path)
store._fsync_file = slow_fsync

print("ready", flush=True)
build_index(corpus, index, Slow(64), rebuild=mode == "rebuild")
print("done", flush=True)
"""


def _more_documents(corpus: Path, round_: int) -> None:
    """Give the next build work: new documents, one changed, one removed."""
    for i in range(4):
        (corpus / f"round{round_}-{i}.txt").write_text(
            f"Round {round_} note {i}\n\nThe kiln fired {round_ * 10 + i} pots. The mill ground {i} tonnes."
        )
    (corpus / "orchard.txt").write_text(f"Orchard notes\n\nThe orchard grows {round_ + 3} kinds of pears.")
    if round_ > 0:
        (corpus / f"round{round_ - 1}-0.txt").unlink()


@pytest.mark.slow
def test_killed_builds_leave_the_previous_index_and_lose_nothing(corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    build_index(corpus, index, FakeEmbedder(64))
    rng = random.Random(7)
    interrupted: list[str] = []
    for round_ in range(5):
        _more_documents(corpus, round_)
        before = current_generation(index)
        mode = "rebuild" if round_ == 2 else "update"
        proc = _run_python(SLOW_BUILD, str(corpus), str(index), mode, stdout=subprocess.PIPE)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.9))
        proc.kill()
        said = proc.communicate()[0].splitlines()
        interrupted.append(said[-1] if said else "ready")
        live = current_generation(index)
        # The pointer moves only after every file of the new generation is synced.
        assert live is not None and (live == before or "writing CURRENT.tmp" in said)
        # The live index (old, or new if the kill came after the switch) opens intact and answers.
        assistant = Assistant.open(index, embedder=FakeEmbedder(64))
        assert "12 million" in assistant.ask(HARBOUR_QUESTION).answer
        # The next build completes and its chunks are exactly those of a clean build.
        build_index(corpus, index, FakeEmbedder(64))
        table = chunk_table(index)
        assert len(table) == len({row[:3] for row in table})
        assert table == clean_table(corpus, tmp_path / f"clean{round_}")
        assert not list(index.glob(".tmp-*")) and len(list(index.glob("gen-*"))) <= 2
    assert len(interrupted) == 5, interrupted


@pytest.mark.slow
def test_second_index_process_refuses_while_the_first_builds(corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    _more_documents(corpus, 0)
    first = _run_python(SLOW_BUILD, str(corpus), str(index), "hold", stdout=subprocess.PIPE)
    try:
        assert first.stdout is not None
        while first.stdout.readline().strip() != "embedding":  # the first holds the lock from here on
            assert first.poll() is None
        second = subprocess.run(
            [sys.executable, str(ROOT / "cli.py"), "index", "--corpus", str(corpus), "--index", str(index)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
    finally:
        (tmp_path / "release").touch()
    assert second.returncode == 1
    assert second.stdout == ""
    assert second.stderr == (
        f"error: another process is building the index in {index}; try again when it has finished\n"
    )
    first.communicate(timeout=60)
    assert first.returncode == 0
    assert chunk_table(index) == clean_table(corpus, tmp_path / "clean")


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


DAMAGE = {
    "manifest-garbage": lambda gen: (gen / "manifest.json").write_bytes(b"\x00\xff{garbage"),
    "manifest-not-an-object": lambda gen: (gen / "manifest.json").write_text("[1, 2, 3]"),
    "chunks-truncated": lambda gen: _truncate(gen / "chunks.sqlite"),
    "vectors-truncated": lambda gen: _truncate(gen / "vectors.npy"),
    "bm25-removed": lambda gen: shutil.rmtree(gen / "bm25"),
    "current-to-missing-generation": lambda gen: (gen.parent / "CURRENT").write_text("gen-000099\n"),
    "current-garbage": lambda gen: (gen.parent / "CURRENT").write_text("../../etc\n"),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_index_is_detected_with_the_fix_and_rebuilt(tmp_path: Path, damage: str) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    # Built under the real model's name so that the CLI opens it; it fails before any model would load.
    embedder = FakeEmbedder(384, name=DEFAULT_MODEL_NAME)
    build_index(corpus, index, embedder)
    live = current_generation(index)
    assert live is not None
    DAMAGE[damage](live)
    with pytest.raises(IndexCorrupt) as info:
        Assistant.open(index, embedder=embedder)
    assert info.value.message.endswith("rebuild with: python cli.py index --rebuild")
    out, err = io.StringIO(), io.StringIO()
    assert (
        main(["ask", HARBOUR_QUESTION, "--index", str(index), "--corpus", str(corpus)], out=out, err=err) == 1
    )
    assert out.getvalue() == ""
    # the CLI's hint names the folders it was given
    fix = f"python cli.py index --corpus {corpus} --index {index} --rebuild"
    assert err.getvalue() == f"error: {info.value.message.replace('python cli.py index --rebuild', fix)}\n"
    # The next build notices and starts from scratch; then everything answers again.
    report = build_index(corpus, index, embedder)
    assert report.written and report.note == "previous index damaged" and report.added == 3
    assert "12 million" in Assistant.open(index, embedder=embedder).ask(HARBOUR_QUESTION).answer


@pytest.mark.slow
def test_damaged_index_through_the_cli_process_is_one_line(index_dir: Path) -> None:
    (index_dir / "CURRENT").write_text("gen-000099\n")
    result = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "ask", HARBOUR_QUESTION, "--index", str(index_dir)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (
        f"error: index in {index_dir} points to a generation that is missing; "
        f"rebuild with: python cli.py index --corpus {ROOT / 'corpus'} --index {index_dir} --rebuild\n"
    )


def test_reindex_while_answering(corpus: Path, index_dir: Path) -> None:
    settings = Settings(corpus_dir=corpus, index_dir=index_dir)
    assistant = Assistant.open(settings=settings, embedder=FakeEmbedder(64))
    errors: list[BaseException] = []
    answered = [0, 0, 0, 0]
    reindexing = threading.Event()
    during = [0]
    stop = threading.Event()

    def ask_forever(slot: int) -> None:
        while not stop.is_set():
            try:
                answer = assistant.ask(HARBOUR_QUESTION)
                assert "12 million" in answer.answer
                answered[slot] += 1
                if reindexing.is_set():
                    during[0] += 1
            except BaseException as exc:  # collected: an assertion in a thread would be lost
                errors.append(exc)
                return

    threads = [threading.Thread(target=ask_forever, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    try:
        reindexing.set()
        for round_ in range(4):
            (corpus / f"kiln{round_}.txt").write_text(
                f"Kiln log {round_}\n\nThe quokka kiln fired {round_} pots."
            )
            report = assistant.reindex()
            assert report.written and report.added == 1
            time.sleep(0.05)
        reindexing.clear()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert errors == []
    assert all(answered) and during[0] > 0
    hits = assistant.search("quokka kiln fired 3 pots", k=1).hits
    assert hits[0].chunk.doc_id == "kiln3.txt"
    assert len(list(index_dir.glob("gen-*"))) == 2
