"""Images (.png, .jpg, .tiff): their text read by OCR, one page per frame of a multi-page TIFF."""

from __future__ import annotations

import io

from assistant.errors import UnreadableDocument
from assistant.ingest.decoding import one_line
from assistant.ingest.document import Document, RawFile
from assistant.ingest.ocr import INSTALL_HINT, ocr_available, ocr_image

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")


def load_image(raw: RawFile) -> list[Document]:
    if not ocr_available():
        raise UnreadableDocument(f"image: {INSTALL_HINT}")
    from PIL import Image, ImageSequence  # imported here: only images and scanned PDFs need Pillow

    parts: list[str] = []
    pages: list[tuple[int, int]] = []
    offset = 0
    try:
        with Image.open(io.BytesIO(raw.data)) as image:
            frames = getattr(image, "n_frames", 1)
            for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
                text = ocr_image(frame.convert("RGB"))
                if not text:
                    continue
                if parts:
                    parts.append("\n\n")
                    offset += 2
                pages.append((offset, number))
                parts.append(text)
                offset += len(text)
    except (UnreadableDocument, FileNotFoundError, PermissionError):
        raise
    except Image.UnidentifiedImageError:
        raise UnreadableDocument(f"not a readable image (not a {_kind(raw.rel)} file)") from None
    except Exception as exc:  # Pillow raises assorted errors (and its decompression-bomb guard) on bad files
        raise UnreadableDocument(
            f"not a readable image ({type(exc).__name__}: {one_line(str(exc))})"
        ) from None
    return [
        Document(
            id=raw.rel,
            text="".join(parts),
            source=raw.rel,
            title=raw.stem,
            pages=tuple(pages) if frames > 1 else (),
        )
    ]


def _kind(name: str) -> str:
    suffix = name.rsplit(".", 1)[-1].upper()
    return {"JPG": "JPEG", "TIF": "TIFF"}.get(suffix, suffix)
