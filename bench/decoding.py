"""Reading a user's folder: how often the encoding detector gets text right, how fast it decodes, and what
OCR costs per page.

    python -m bench.decoding [--squad SQUAD_JSON] [--repeat N]

With --squad (SQuAD v1.1 JSON), every paragraph holding characters beyond ASCII that Windows-1252 can hold
is written in Windows-1252 and in Latin-1, whole and as its first sentence alone (a short text is harder),
and decoded back; the share that comes back exactly is printed. Decoding speed is measured on about 1 MB of
text per encoding (SQuAD's paragraphs for the Western code pages; a few sentences repeated for Chinese,
Japanese and Korean). OCR is timed on a rendered page (PNG) and a scanned PDF page when Tesseract is installed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from assistant.errors import UnreadableDocument
from assistant.ingest.decoding import decode_text

CJK = {
    "gbk": "中国数字经济规模达到四十五万亿元，占国内生产总值的百分之三十九点八。数据产量同比增长百分之二十九。\n",
    "big5": "臺灣的港口去年處理了一千二百萬個貨櫃，比前年增加百分之五。鐵路貨運量也創下新高。\n",
    "shift_jis": "東京の港は昨年、千二百万個のコンテナを取り扱った。前年より五パーセント増えた。\n",
    "euc-kr": "부산항은 작년에 천이백만 개의 컨테이너를 처리했다. 전년보다 오 퍼센트 늘었다.\n",
}


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def squad_paragraphs(path: Path) -> list[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [p["context"] for article in data["data"] for p in article["paragraphs"]]


def accuracy(texts: list[str], encoding: str) -> tuple[int, int, int]:
    """(exact, wrong, refused) over the texts written in encoding and decoded back."""
    exact = wrong = refused = 0
    for text in texts:
        try:
            back = decode_text(text.encode(encoding))
        except UnreadableDocument:
            refused += 1
            continue
        if back == text:
            exact += 1
        else:
            wrong += 1
    return exact, wrong, refused


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--squad", type=Path, help="SQuAD v1.1 JSON (e.g. dev-v1.1.even-articles.json)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per measurement (median)")
    args = parser.parse_args()

    western = ""
    if args.squad:
        paragraphs = squad_paragraphs(args.squad)
        fits = []
        for p in paragraphs:
            try:
                p.encode("cp1252")
            except UnicodeEncodeError:
                continue
            if not p.isascii():
                fits.append(p)
        firsts = [p.split(". ")[0] for p in fits]
        firsts = [s for s in firsts if not s.isascii()]
        print(f"SQuAD: {len(paragraphs)} paragraphs, {len(fits)} with non-ASCII text that Windows-1252 holds")
        print(f"{'written as':<12}{'text':<18}{'exact':>8}{'wrong':>8}{'refused':>9}")
        for encoding in ("cp1252", "latin-1"):
            for label, texts in (("paragraph", fits), ("first sentence", firsts)):
                sample = [t for t in texts if _fits(t, encoding)]
                exact, wrong, refused = accuracy(sample, encoding)
                print(
                    f"{encoding:<12}{label:<18}{exact / len(sample):>8.1%}{wrong:>8}{refused:>9}   of {len(sample)}"
                )
        western = "\n\n".join(fits)
    print()
    print(f"{'decoding ~1 MB':<16}{'median ms':>10}{'MB/s':>8}")
    samples: dict[str, bytes] = {}
    if western:
        text = (western * (1_000_000 // len(western) + 1))[:1_000_000]
        samples["utf-8"] = text.encode("utf-8")
        samples["cp1252"] = text.encode("cp1252")
    for encoding, sentence in CJK.items():
        samples[encoding] = (sentence * (1_000_000 // len(sentence.encode(encoding)) + 1)).encode(encoding)
    for encoding, data in samples.items():
        ms = median_ms(partial(decode_text, data), args.repeat)
        print(f"{encoding:<16}{ms:>10.1f}{len(data) / 1e6 / (ms / 1000):>8.1f}")

    if shutil.which("tesseract") is None:
        print("\nOCR: tesseract is not installed; not measured")
        return
    from assistant.ingest.document import RawFile
    from assistant.ingest.formats.image import load_image
    from assistant.ingest.formats.pdf import load_pdf

    lines = ["The harbour handled 12 million containers in 2021,", "up 5.9 percent on the year before."]
    png, pdf = page_image(lines * 4, "PNG"), page_image(lines * 4, "PDF")
    print(f"\n{'OCR, one page of 8 lines':<28}{'median ms':>10}")
    for label, fn in (
        ("PNG (1700 px wide)", lambda: load_image(RawFile(png, "page.png"))),
        ("scanned PDF page (300 dpi)", lambda: load_pdf(RawFile(pdf, "page.pdf"))),
    ):
        print(f"{label:<28}{median_ms(fn, args.repeat):>10.0f}")


def page_image(lines: list[str], kind: str) -> bytes:
    """A white page with black text, as PNG bytes or as a PDF holding only that picture (a scan)."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=48)
    image = Image.new("RGB", (1700, 160 + 90 * len(lines)), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((80, 80 + 90 * i), line, fill="black", font=font)
    out = io.BytesIO()
    image.save(out, kind, resolution=150)
    return out.getvalue()


def _fits(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


if __name__ == "__main__":
    main()
