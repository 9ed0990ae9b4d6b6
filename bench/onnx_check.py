"""Torch (sentence-transformers) against onnxruntime over the ONNX export: speed, cold start and agreement.

    python -m bench.onnx_check [--export DIR] [--queries 200] [--passages 128] [--runs 5] [--texts 500]

Exports the packaged model into a temporary folder (or reuses a fresh export in DIR), then prints, for
each path: the median time to embed one query, passages per second on 208-token passages, and the time
from starting a new Python process to holding the first query vector (median of --runs processes).
Last, the cosine between the two paths' vectors over --texts texts of every length, from a few words to
past the 256-token limit. Texts are cut from the seed article in corpus/.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "china-digital-economy-2022.txt"
PASSAGE_TOKENS = 208

COLD_TORCH = """
from assistant.embedding.model import SentenceTransformerEmbedder
SentenceTransformerEmbedder().embed_query("How large was China's digital economy in 2021?")
"""
COLD_ONNX = """
from pathlib import Path
from assistant.embedding.onnx import OnnxEmbedder
OnnxEmbedder(Path({export!r})).embed_query("How large was China's digital economy in 2021?")
"""


def words() -> list[str]:
    return SEED.read_text(encoding="utf-8").split()


def queries(n: int) -> list[str]:
    """Question-sized pieces of the seed's sentences: 4 to 14 words each."""
    sentences = [
        s for s in re.split(r"(?<=[.?!])\s+", SEED.read_text(encoding="utf-8")) if len(s.split()) > 3
    ]
    out = []
    for i in range(n):
        sentence = sentences[i % len(sentences)].split()
        size = 4 + i % 11
        start = (i // len(sentences)) % max(1, len(sentence) - size + 1)
        out.append(" ".join(sentence[start : start + size]).rstrip(".") + "?")
    return out


def passages(n: int, tokens: int) -> list[str]:
    """n different passages of exactly `tokens` tokens ([CLS] and [SEP] included)."""
    from tokenizers import Tokenizer

    from assistant.embedding.model import packaged_model_dir

    tokenizer = Tokenizer.from_file(str(packaged_model_dir() / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    pool = words() * 3
    out = []
    for i in range(n):
        start = (i * 37) % (len(pool) // 3)
        text = " ".join(pool[start : start + tokens])
        encoding = tokenizer.encode(text)
        cut = encoding.offsets[tokens - 2][1]  # end of the last content token that fits
        out.append(text[:cut])
        assert len(tokenizer.encode(out[-1]).ids) == tokens, len(tokenizer.encode(out[-1]).ids)
    return out


def mixed_texts(n: int) -> list[str]:
    """Texts from one word to about 600 words, so some pass the 256-token limit."""
    pool = words() * 2
    half = len(pool) // 2
    lengths = [1, 3, 8, 20, 60, 150, 300, 600]
    return [" ".join(pool[(i * 53) % half :][: lengths[i % len(lengths)]]) for i in range(n)]


def median_ms(embed: Callable[[str], object], texts: list[str]) -> float:
    for text in texts[:5]:  # warm-up
        embed(text)
    times = []
    for text in texts:
        started = time.perf_counter()
        embed(text)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def per_second(embed: Callable[[list[str]], object], texts: list[str]) -> float:
    embed(texts[:8])  # warm-up
    started = time.perf_counter()
    embed(texts)
    return len(texts) / (time.perf_counter() - started)


def cold_start(script: str, runs: int) -> float:
    """Median seconds from launching a Python process to it holding a query vector."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--export", type=Path, help="reuse (or make) the export in this folder")
    parser.add_argument("--queries", type=int, default=200, help="queries timed one by one (default 200)")
    parser.add_argument("--passages", type=int, default=128, help="208-token passages embedded (default 128)")
    parser.add_argument("--runs", type=int, default=5, help="cold processes started per path (default 5)")
    parser.add_argument(
        "--texts", type=int, default=500, help="texts compared between the paths (default 500)"
    )
    parser.add_argument("--threads", type=int, help="onnxruntime threads (default: the embedder's)")
    args = parser.parse_args(argv)

    import numpy as np

    from assistant.embedding.export import export_onnx
    from assistant.embedding.model import SentenceTransformerEmbedder, packaged_model_dir
    from assistant.embedding.onnx import OnnxEmbedder, export_is_fresh

    with tempfile.TemporaryDirectory(prefix="bench-onnx-") as tmp:
        export = args.export or Path(tmp) / "onnx"
        if not export_is_fresh(export, packaged_model_dir()):
            started = time.perf_counter()
            export_onnx(packaged_model_dir(), export)
            print(f"exported to ONNX in {time.perf_counter() - started:.1f} s (importing torch included)")
        torch_path = SentenceTransformerEmbedder()
        onnx_path = OnnxEmbedder(export, threads=args.threads)
        import torch

        print(f"threads: torch {torch.get_num_threads()}, onnxruntime {onnx_path.threads}")

        asked = queries(args.queries)
        long = passages(args.passages, PASSAGE_TOKENS)
        rows = [
            (
                "one query, median ms",
                f"{median_ms(torch_path.embed_query, asked):.1f}",
                f"{median_ms(onnx_path.embed_query, asked):.1f}",
            ),
            (
                f"passages/s ({PASSAGE_TOKENS} tokens)",
                f"{per_second(torch_path.embed, long):.1f}",
                f"{per_second(onnx_path.embed, long):.1f}",
            ),
            (
                f"cold start to first vector, s (median of {args.runs})",
                f"{cold_start(COLD_TORCH, args.runs):.2f}",
                f"{cold_start(COLD_ONNX.format(export=str(export)), args.runs):.2f}",
            ),
        ]
        texts = mixed_texts(args.texts)
        a, b = torch_path.embed(texts), onnx_path.embed(texts)
        cosine = (a * b).sum(axis=1)
        query_cosine = np.array(
            [float(torch_path.embed_query(q) @ onnx_path.embed_query(q)) for q in asked[:100]]
        )

    width = max(len(r[0]) for r in rows)
    print(f"\n{'':<{width}}  {'torch':>8}  {'onnx':>8}")
    for label, left, right in rows:
        print(f"{label:<{width}}  {left:>8}  {right:>8}")
    print(
        f"\ncosine torch vs onnx over {len(texts)} texts (1-600 words): min {cosine.min():.6f}, "
        f"mean {cosine.mean():.6f}; over {len(query_cosine)} queries one by one: min {query_cosine.min():.6f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
