"""The Assistant facade: one loaded model and one open index, shared by the CLI, the chat and the HTTP API."""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answering.answer import build_answer, passage_figures
from assistant.answering.questions import analyse_question
from assistant.answering.results import Answer, CitedFigure, citations_from
from assistant.answering.support import focus_hits
from assistant.config import Settings
from assistant.embedding.model import Embedder, SentenceTransformerEmbedder, model_name
from assistant.embedding.similarity import similarity_embedder
from assistant.errors import ModelNotFound
from assistant.limits import check_confidence, check_k, check_question
from assistant.retrieval.followups import contextualize
from assistant.retrieval.search import FusionSettings, Hit, Retriever, parse_filters
from assistant.schema import FiguresOut, SearchOut, json_object
from assistant.storage.build import update_index
from assistant.storage.generations import DocumentInfo, IndexReader, current_generation, open_index
from assistant.storage.report import BuildReport, Progress
from assistant.vectors import open_vector_store


@dataclass(frozen=True, slots=True)
class SearchResult:
    """What `search` returns; `to_dict()` is exactly the JSON the CLI and HTTP API print."""

    query: str
    hits: tuple[Hit, ...]

    def to_dict(self) -> dict[str, Any]:
        return json_object(SearchOut.of(self))


@dataclass(frozen=True, slots=True)
class FiguresResult:
    """Figures found in the passages about a topic, each with its citation."""

    topic: str
    figures: tuple[CitedFigure, ...]
    citations: tuple[Any, ...]

    def to_dict(self) -> dict[str, Any]:
        return json_object(FiguresOut.of(self))


class Assistant:
    """Answers questions from one index. Thread-safe for concurrent asks; `reload` swaps the index atomically."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        reader: IndexReader,
        *,
        similarity: Embedder | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        # candidate sentences for the scorer: an ONNX export's int8 copy, else the query embedder itself
        self.similarity_embedder = similarity if similarity is not None else similarity_embedder(embedder)
        self._reader = reader
        self._retriever = self._make_retriever(reader)
        self._swap = threading.Lock()
        self._indexer: Embedder | None = None
        self._similarity_started = False

    # --- construction ----------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        index_dir: str | Path | None = None,
        *,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
    ) -> Assistant:
        """Open the index in index_dir (default: the configured one) with the model it was built with."""
        settings = settings or Settings.from_env()
        if index_dir is not None:
            settings = replace(settings, index_dir=Path(index_dir))
        name = embedder.name if embedder is not None else model_name(settings.model)
        reader = open_index(settings.index_dir, model=name)
        return cls(settings, embedder or query_embedder(settings), reader)

    def _make_retriever(self, reader: IndexReader) -> Retriever:
        s = self.settings
        fusion = FusionSettings.from_settings(s)
        store = open_vector_store(
            reader, kind=s.vector_store, uri=s.milvus_uri, collection=s.milvus_collection
        )
        return Retriever(
            reader,
            self.embedder,
            fusion,
            store=store,
            max_filter_chars=s.max_filter_chars,
            max_filters=s.max_filters,
        )

    @property
    def reader(self) -> IndexReader:
        return self._reader

    @property
    def retriever(self) -> Retriever:
        return self._retriever

    # --- questions -------------------------------------------------------------------------------

    def search(
        self, query: str, *, k: int | None = None, filters: Mapping[str, str] | Sequence[str] | None = None
    ) -> SearchResult:
        query = check_question(query, what="query")
        k = check_k(k if k is not None else self.settings.k)
        retriever = self._retriever
        hits = retriever.search(query, k=k, filters=parse_filters(filters))
        return SearchResult(
            query, focus_hits(query, hits, retriever.reader.lexical.analyze, self.term_idf(retriever))
        )

    def ask(
        self,
        question: str,
        *,
        k: int | None = None,
        filters: Mapping[str, str] | Sequence[str] | None = None,
        history: Sequence[str] = (),
        min_confidence: float | None = None,
    ) -> Answer:
        """Answer a question; `history` holds the conversation's earlier questions, most recent last.

        Below min_confidence (default: the setting, else the scorer's threshold) the answer abstains; 0 gives
        whatever the rules find.
        """
        question = check_question(question)
        k = check_k(k if k is not None else self.settings.k)
        if min_confidence is None:
            min_confidence = self.settings.min_confidence
        check_confidence(min_confidence)
        query = contextualize(question, [h for h in history if isinstance(h, str) and h.strip()])
        retriever = self._retriever
        where = parse_filters(filters)
        self._start_similarity()
        # embedded once: the search and the scorer's sentence similarities share it
        asked = self.embedder.embed_query(query)
        hits = retriever.search(query, k=k, filters=where, query_vector=asked)

        def similarity(text: str, texts: Sequence[str]) -> list[float]:
            return self._similar(asked if text == query else self.embedder.embed_query(text), texts)

        return build_answer(
            question,
            hits,
            analyze=retriever.reader.lexical.analyze,
            idf=self.term_idf(retriever),
            intent=analyse_question(query),
            min_confidence=min_confidence,
            query=query,
            similarity=similarity,
        )

    def _start_similarity(self) -> None:
        """On the first ask, start the similarity embedder's session in a thread, beside the question's.

        A cold ask then waits for one model load instead of two in turn; search and figures never load it.
        A load that fails here fails again, with its message, when the scorer first needs the embedder."""
        load = getattr(self.similarity_embedder, "load", None)
        if self._similarity_started or self.similarity_embedder is self.embedder or load is None:
            return
        with self._swap:
            if self._similarity_started:
                return
            self._similarity_started = True

        def run() -> None:
            with contextlib.suppress(Exception):
                load()

        threading.Thread(target=run, name="similarity-load").start()

    def similarity(self, query: str, texts: Sequence[str]) -> list[float]:
        """The embedding similarity (cosine) of each text to the query, as the search measures passages'.

        The query goes through the query model; the texts through the similarity embedder (with ONNX, the
        export's int8 copy: about twice as fast, the cosines within about 0.01 of the fp32 model's)."""
        return self._similar(self.embedder.embed_query(query), texts)

    def _similar(self, vector: np.ndarray, texts: Sequence[str]) -> list[float]:
        if not texts:
            return []
        return [float(x) for x in self.similarity_embedder.embed(list(texts)) @ vector]

    def figures(
        self, topic: str, *, k: int | None = None, filters: Mapping[str, str] | Sequence[str] | None = None
    ) -> FiguresResult:
        topic = check_question(topic, what="topic")
        k = check_k(k if k is not None else self.settings.k)
        hits = self._retriever.search(topic, k=k, filters=parse_filters(filters))
        citations = citations_from(hits)
        return FiguresResult(topic, tuple(passage_figures(citations)), citations)

    def documents(self) -> list[DocumentInfo]:
        return list(self._reader.documents)

    def term_idf(self, retriever: Retriever) -> Callable[[str], float]:
        """Inverse document frequency of a stemmed term in the index (rare words weigh more in support)."""
        lexical = retriever.reader.lexical
        n = max(lexical.size, 1)

        def idf(term: str) -> float:
            df = lexical.document_frequency(term)
            return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

        return idf

    # --- index maintenance -----------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        reader = self._reader
        return {
            "documents": len(reader.documents),
            "chunks": reader.size,
            "model": reader.manifest["model"]["name"],
            "dimension": reader.manifest["model"]["dimension"],
            "index": str(self.settings.index_dir),
            "generation": reader.path.name,
            "dense": reader.manifest.get("dense", "flat"),
        }

    def check_ready(self) -> dict[str, Any]:
        """The status, after embedding a probe with the query model and the similarity embedder: a model
        that cannot answer (a damaged export) fails here, with its message, rather than on every request."""
        dimension = self._reader.manifest["model"]["dimension"]
        vectors = [self.embedder.embed_query("readiness probe")]
        if self.similarity_embedder is not self.embedder:
            vectors.append(self.similarity_embedder.embed(["readiness probe"])[0])
        if any(v.shape != (dimension,) or not bool(np.isfinite(v).all()) for v in vectors):
            raise ModelNotFound("the query model gives vectors of the wrong shape; run: python cli.py index")
        return self.status()

    def reindex(self, corpus_dir: Path | None = None, *, progress: Progress | None = None) -> BuildReport:
        """Update the index from the corpus and swap it in; requests in flight finish on the old one."""
        embedder = self._document_embedder()
        # before the reload, so the new generation opens on a collection that holds it
        report, _ = update_index(self.settings, embedder, corpus_dir=corpus_dir, progress=progress)
        if report.written:
            self.reload()
        return report

    def _document_embedder(self) -> Embedder:
        """Documents are embedded with sentence-transformers even when queries go through ONNX Runtime."""
        from assistant.embedding.onnx import OnnxEmbedder

        if not isinstance(self.embedder, OnnxEmbedder):
            return self.embedder
        with self._swap:
            if self._indexer is None:
                self._indexer = SentenceTransformerEmbedder(
                    self.settings.model, batch_size=self.settings.batch_size
                )
            return self._indexer

    def reload(self) -> bool:
        """Swap in the live generation if it changed; True when it did."""
        with self._swap:
            live = current_generation(self.settings.index_dir)
            if live is None or live == self._reader.path:
                return False
            reader = open_index(self.settings.index_dir, model=self.embedder.name)
            self._reader, self._retriever = reader, self._make_retriever(reader)
            # The old reader is left to the garbage collector: requests in flight still hold it.
            return True


def query_embedder(settings: Settings) -> Embedder:
    """The embedder for questions: ONNX Runtime over the index's export when it is fresh (no torch import,
    ~0.4 s start-up instead of ~5 s), else sentence-transformers. `query_backend` forces one or the other."""
    if settings.query_backend != "torch":
        from assistant.embedding.export import EXPORT_DIR
        from assistant.embedding.model import resolve_model_dir
        from assistant.embedding.onnx import OnnxEmbedder, export_is_fresh

        export = settings.index_dir / EXPORT_DIR
        model_dir, name = resolve_model_dir(settings.model), model_name(settings.model)
        # sizes only here: OnnxEmbedder.load verifies the checksums once, before the first query
        if export_is_fresh(export, model_dir, name=name, verify=False):
            return OnnxEmbedder(export)
        if settings.query_backend == "onnx":
            raise ModelNotFound(f"no up-to-date ONNX export in {export}; run: python cli.py index")
    return SentenceTransformerEmbedder(settings.model, batch_size=settings.batch_size)
