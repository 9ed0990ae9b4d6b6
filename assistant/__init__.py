"""Offline question answering over a document collection, with cited passages and extracted figures."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assistant.config import Settings
from assistant.errors import (
    AssistantError,
    BadQuestion,
    CorpusNotFound,
    EmptyQuestion,
    IndexBusy,
    IndexCorrupt,
    IndexMismatch,
    IndexNotFound,
)

if TYPE_CHECKING:
    from assistant.answering.results import Answer, Citation, CitedFigure
    from assistant.assistant import Assistant, SearchResult
    from assistant.figures.model import Figure
    from assistant.retrieval.search import Hit

__all__ = [
    "Answer",
    "Assistant",
    "AssistantError",
    "BadQuestion",
    "Citation",
    "CitedFigure",
    "CorpusNotFound",
    "EmptyQuestion",
    "Figure",
    "Hit",
    "IndexBusy",
    "IndexCorrupt",
    "IndexMismatch",
    "IndexNotFound",
    "SearchResult",
    "Settings",
]

_LAZY = {
    "Answer": "assistant.answering.results",
    "Citation": "assistant.answering.results",
    "CitedFigure": "assistant.answering.results",
    "Assistant": "assistant.assistant",
    "SearchResult": "assistant.assistant",
    "Figure": "assistant.figures.model",
    "Hit": "assistant.retrieval.search",
}


def __getattr__(name: str) -> Any:
    # Lazy so that `import assistant` (and `cli.py --help`) does not pull in numpy, faiss or torch.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
