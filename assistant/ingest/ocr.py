"""Optical character recognition through the Tesseract engine, for scanned pages and images, when installed."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, cast

from assistant.errors import UnreadableDocument
from assistant.ingest.decoding import one_line

if TYPE_CHECKING:
    from PIL.Image import Image

# What a skip reason tells the user to do (Debian and Ubuntu's package name; Homebrew's is `tesseract`).
INSTALL_HINT = "install tesseract-ocr to read it"
# Seconds Tesseract may spend on one page before the file is skipped.
OCR_TIMEOUT = 120
# Resolution pages are rendered at for recognition: Tesseract reads body text best at about 300 dpi.
PDF_DPI = 300
# A page whose darkest and lightest grey differ by less than this holds no text to read.
BLANK_CONTRAST = 32


def ocr_available() -> bool:
    """Whether the Tesseract engine is on PATH (the Python wrapper alone cannot read anything)."""
    return shutil.which("tesseract") is not None


def is_blank(image: Image) -> bool:
    """Whether an image is one flat shade (a blank page, or one whose drawing failed): no text to read."""
    low, high = cast("tuple[int, int]", image.convert("L").getextrema())
    return high - low < BLANK_CONTRAST


def ocr_image(image: Image) -> str:
    """The text Tesseract reads in an image; raises UnreadableDocument when the engine fails or times out."""
    import pytesseract  # imported here: only scanned pages and images need it

    if is_blank(image):
        return ""  # nothing to read, and Tesseract is slow
    try:
        return str(pytesseract.image_to_string(image, timeout=OCR_TIMEOUT)).strip()
    except pytesseract.TesseractNotFoundError:
        raise UnreadableDocument(f"needs OCR: {INSTALL_HINT}") from None
    except pytesseract.TesseractError as exc:
        raise UnreadableDocument(f"OCR failed ({one_line(str(exc.message))})") from None
    except RuntimeError as exc:  # pytesseract's timeout
        raise UnreadableDocument(f"OCR failed ({one_line(str(exc))})") from None
