"""The CLI over a real user's folder, in process with the fake embedder: every file accounted for, the
messages that send people the right way, and `figures` with its sources."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from assistant.interfaces.cli import main as cli
from tests.fakes import FakeEmbedder
from tests.helpers import make_pptx, write_corpus

REAL_OPEN = cli._open  # before the fixture swaps in the fake model


@pytest.fixture(autouse=True)
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI with the fake embedder in place of the real model (same code path otherwise)."""
    import assistant.embedding.model as model
    from assistant.assistant import Assistant

    monkeypatch.setattr(model, "SentenceTransformerEmbedder", lambda *a, **k: FakeEmbedder(64))
    monkeypatch.setattr(
        cli, "_open", lambda settings: Assistant.open(settings=settings, embedder=FakeEmbedder(64))
    )
    monkeypatch.setenv("ASSISTANT_QUERY_BACKEND", "torch")  # no ONNX export of a fake model
    for name in ("ASSISTANT_CORPUS", "ASSISTANT_INDEX"):
        monkeypatch.delenv(name, raising=False)


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def messy_corpus(root: Path) -> Path:
    """What staff folders hold: text, a deck, reStructuredText, an OpenDocument spreadsheet, a pipe, odd names."""
    write_corpus(root)
    make_pptx(root / "deck.pptx")
    (root / "notes.rst").write_text("Notes\n=====\n\nThe quay is 400 metres long.\n")
    (root / "sales.ods").write_text("region,revenue\nnorth,12\n")
    (root / "photo.gif").write_bytes(b"GIF89a")
    os.mkfifo(root / "x.txt")
    for name in (b"\xff-report.txt", b"\xfe-report.txt"):
        with open(os.fsencode(root) + b"/" + name, "wb") as handle:
            handle.write(b"Report " + name[:1].hex().encode() + b" counts 3 cranes.")
    (root / "wheat.txt\nskipped orchard.txt: forged").write_text("Wheat harvest of 7 tonnes.")
    return root


def test_index_names_every_file_it_did_not_read(tmp_path: Path) -> None:
    corpus, index = messy_corpus(tmp_path / "corpus"), tmp_path / "index"
    code, out, err = run("index", "--corpus", str(corpus), "--index", str(index))
    assert code == 0
    assert err.splitlines() == [
        "skipped photo.gif: unsupported type .gif",
        "skipped sales.ods: unsupported type .ods",
        "skipped wheat.txt\\x0askipped orchard.txt: forged: unsupported type .txt: forged",
        "skipped x.txt: not a regular file",
    ]
    assert out.startswith("7 added, 0 updated, 0 removed, 0 unchanged; 7 documents, ")
    assert out.rstrip().endswith("; 4 skipped")


def test_index_json_reports_every_file_with_its_outcome(tmp_path: Path) -> None:
    corpus, index = messy_corpus(tmp_path / "corpus"), tmp_path / "index"
    code, out, err = run("index", "--corpus", str(corpus), "--index", str(index), "--json")
    assert code == 0 and err == ""
    report = json.loads(out)
    files = {f["source"]: (f["status"], f["reason"]) for f in report["files"]}
    assert files == {
        "\\xfe-report.txt": ("indexed", ""),
        "\\xff-report.txt": ("indexed", ""),
        "deck.pptx": ("indexed", ""),
        "economy.txt": ("indexed", ""),
        "harbour.md": ("indexed", ""),
        "notes.rst": ("indexed", ""),
        "orchard.txt": ("indexed", ""),
        "photo.gif": ("skipped", "unsupported type .gif"),
        "sales.ods": ("skipped", "unsupported type .ods"),
        "wheat.txt\\x0askipped orchard.txt: forged": ("skipped", "unsupported type .txt: forged"),
        "x.txt": ("skipped", "not a regular file"),
    }
    assert report["written"] is True and report["documents"] == 7 and report["added"] == 7
    (corpus / "economy.txt").write_text("Digital economy\n\nNow 50.2 trillion yuan.")
    again = json.loads(run("index", "--corpus", str(corpus), "--index", str(index), "--json")[1])
    statuses = {f["source"]: f["status"] for f in again["files"]}
    assert statuses["economy.txt"] == "indexed" and statuses["orchard.txt"] == "unchanged"
    assert (again["updated"], again["unchanged"]) == (1, 6)


def test_distinct_undecodable_names_stay_distinct_documents(tmp_path: Path) -> None:
    corpus, index = messy_corpus(tmp_path / "corpus"), tmp_path / "index"
    assert run("index", "--corpus", str(corpus), "--index", str(index))[0] == 0
    code, out, _ = run("docs", "--index", str(index), "--json")
    ids = {d["id"] for d in json.loads(out)}
    assert {"\\xff-report.txt", "\\xfe-report.txt"} <= ids
    # the second run neither drops one nor reports a duplicate
    code, out, err = run("index", "--corpus", str(corpus), "--index", str(index))
    assert (
        code == 0
        and "duplicate" not in err
        and out.startswith("index is up to date; 0 added, 0 updated, 0 removed, 7 unchanged")
    )


@pytest.mark.parametrize("make", ["nothing", "unreadable"])
def test_an_empty_corpus_warns_and_fails(tmp_path: Path, make: str) -> None:
    corpus, index = tmp_path / "my docs", tmp_path / "idx"
    corpus.mkdir()
    held = "no files"
    if make == "unreadable":
        (corpus / "scan.gif").write_bytes(b"GIF89a")
        held = "1 file, none readable"
    code, out, err = run("index", "--corpus", str(corpus), "--index", str(index))
    assert code == 1
    assert out.startswith("0 added, 0 updated, 0 removed, 0 unchanged; 0 documents, 0 chunks")
    assert err.splitlines()[-1] == (
        f"warning: the index is empty: {corpus} holds {held}, so every question will abstain; add files of a "
        "supported type (.txt .md .rst .html .htm .pdf .docx .pptx .jsonl .csv .xlsx .png .jpg .jpeg .tif .tiff) and "
        f"run: python cli.py index --corpus '{corpus}' --index {index}"
    )


def test_missing_index_hint_names_the_folders_given(tmp_path: Path) -> None:
    other = tmp_path / "other"
    code, _, err = run("ask", "revenue?", "--index", str(other), "--corpus", str(tmp_path / "docs"))
    assert code == 1
    assert err == (
        f"error: no index in {other}; build one with: "
        f"python cli.py index --corpus {tmp_path / 'docs'} --index {other}\n"
    )


def test_rebuild_hint_names_the_corpus_the_index_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, index = write_corpus(tmp_path / "elsewhere"), tmp_path / "other"
    assert run("index", "--corpus", str(corpus), "--index", str(index))[0] == 0  # with the fake model
    monkeypatch.setattr(cli, "_open", REAL_OPEN)  # opened for the real model: refused before it loads
    code, _, err = run("ask", "containers?", "--index", str(index))
    assert code == 1
    assert err == (
        f"error: index in {index} was built with model 'fake-embedder', not 'all-MiniLM-L6-v2'; rebuild with: "
        f"python cli.py index --corpus {corpus.resolve()} --index {index} --rebuild\n"
    )


def test_stale_note_names_the_corpus_the_index_was_built_from(tmp_path: Path) -> None:
    corpus, index = write_corpus(tmp_path / "elsewhere"), tmp_path / "other"
    assert run("index", "--corpus", str(corpus), "--index", str(index))[0] == 0
    (corpus / "airport.txt").write_text("The airport handled 9 million passengers.")
    hint = f"run: python cli.py index --corpus {corpus.resolve()} --index {index}\n"
    for args in (("ask", "containers?"), ("search", "harbour"), ("figures", "harbour")):
        # without --corpus: the folder the index records, not corpus/ beside cli.py
        code, _, err = run(*args, "--index", str(index))
        assert code == 0
        assert (
            err
            == f"note: {corpus.resolve()} changed since the index was built (1 new, 0 changed, 0 removed); {hint}"
        )
        code, _, err = run(*args, "--index", str(index), "--corpus", str(corpus))
        assert err == (
            f"note: {corpus} changed since the index was built (1 new, 0 changed, 0 removed); "
            f"run: python cli.py index --corpus {corpus} --index {index}\n"
        )


def test_figures_prints_its_sources_and_each_figure_once(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    # long enough for two overlapping chunks, so the overlap repeats sentences in two passages
    filler = " ".join(f"The harbour crane number {i} was painted blue." for i in range(60))
    (corpus / "harbour.txt").write_text(
        "Harbour report\n\n" + filler + " The harbour handled 12 million containers in 2021. " + filler
    )
    assert run("index", "--corpus", str(corpus), "--index", str(index))[0] == 0
    code, out, err = run("figures", "harbour containers", "--index", str(index), "-k", "5")
    assert code == 0 and err == ""
    figures, sources = out.rstrip("\n").split("\n\n")
    rows = [row.split("] ", 1) for row in figures.splitlines()]
    assert len(rows) > 10
    # each figure once, though the passages overlap (the same figure in the same words under two numbers)
    assert len({text for _, text in rows}) == len(rows)
    assert sum(text.startswith("12 million containers (") for _, text in rows) == 1
    cited = {n + "]" for n, _ in rows}
    listed = sources.splitlines()
    assert {line.split("]")[0] + "]" for line in listed} == cited
    assert all(" — harbour.txt, chars " in line for line in listed)


@pytest.mark.slow  # the real model, through the command-line process
def test_a_mixed_folder_end_to_end_with_the_real_model(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    root = Path(cli.__file__).resolve().parents[3]
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    texts = {
        "gbk.txt": ("中国数字经济规模达到四十五万亿元，占国内生产总值的百分之三十九点八。", "gbk"),
        "big5.txt": ("臺灣的港口去年處理了一千二百萬個貨櫃。", "big5"),
        "sjis.txt": ("東京の港は昨年、千二百万個のコンテナを取り扱った。", "shift_jis"),
    }
    for name, (sentence, encoding) in texts.items():
        (corpus / name).write_bytes(sentence.encode(encoding))
    make_pptx(corpus / "deck.pptx")
    (corpus / "notes.rst").write_text("Quay notes\n==========\n\nThe quay is 400 metres long.\n")
    (corpus / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # not really an image
    (corpus / "sales.ods").write_text("a,b\n")
    os.mkfifo(corpus / "x.txt")

    def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(root / "cli.py"), *args, "--index", str(index)],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
            cwd=root,
        )

    built = run_cli("index", "--corpus", str(corpus))
    assert built.returncode == 0, built.stderr
    png = (
        "not a readable image (not a PNG file)"
        if shutil.which("tesseract")
        else "image: install tesseract-ocr to read it"
    )
    # without the progress lines a log gets every few seconds of a build (stderr is not a terminal here)
    assert [line for line in built.stderr.splitlines() if not line.startswith("indexing: ")] == [
        "skipped sales.ods: unsupported type .ods",
        f"skipped scan.png: {png}",
        "skipped x.txt: not a regular file",
    ]
    assert built.stdout.startswith("5 added, 0 updated, 0 removed, 0 unchanged; 5 documents, ")
    queries = [sentence for sentence, _ in texts.values()] + ["throughput of the north quay in 2022"]
    found = run_cli("search", "-", "-k", "1", stdin="\n".join(queries) + "\n")  # one model load
    assert found.returncode == 0, found.stderr
    hits = [json.loads(line)["hits"][0] for line in found.stdout.splitlines()]
    for hit, (name, (sentence, _)) in zip(hits, texts.items(), strict=False):
        assert (hit["source"], hit["text"]) == (name, sentence)  # the exact characters
    assert (hits[-1]["source"], hits[-1]["page"]) == ("deck.pptx", 2)


def test_the_chat_warns_of_an_empty_index_too(tmp_path: Path) -> None:
    from assistant.interfaces.cli.repl import reindex_text
    from assistant.storage.build import build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.gif").write_bytes(b"GIF89a")
    text = reindex_text(build_index(corpus, tmp_path / "index", FakeEmbedder(64)))
    lines = text.splitlines()
    assert lines[0] == "skipped a.gif: unsupported type .gif"
    assert lines[-1] == (
        "warning: the index is empty (no readable document in the corpus); every question will abstain"
    )
    (corpus / "b.txt").write_text("Some text with 3 numbers.")
    assert "warning" not in reindex_text(build_index(corpus, tmp_path / "index", FakeEmbedder(64)))
