"""The one query path: question and images -> `Query` -> retrieval stages -> engine -> `Answer`.

`Runner.query`, `Runner.stream`, `Runner.retrieve`, batch, eval and the LlamaIndex and
LangChain adapters all go through `QueryPath`; the timings of the answer are taken here only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines.errors import InputError
from pipelines.query.answer import Answer, Source
from pipelines.query.cases import find_duplicates, group
from pipelines.query.retriever import Retriever
from pipelines.query.types import Hit, Query, Usage, combine
from pipelines.stores.filters import parse_where

if TYPE_CHECKING:
    from loaders.ocr import Ocr
    from pipelines.config.schema import PipelineConfig
    from pipelines.engines.base import Engine
    from pipelines.index.multimodal import Index
    from pipelines.query.translate import Rewriter

WhereInput = str | list[str] | dict[str, Any] | None


@dataclass
class Retrieved:
    """A retrieval, ready to be answered.

    Attributes:
        answer: The `Answer` without its text yet: query text, sources, usage, timings.
        stage_ms: Milliseconds spent in each retrieval stage.
    """

    query: Query
    hits: list[Hit]
    answer: Answer
    stage_ms: dict[str, float] = field(default_factory=dict)


class QueryPath:
    """Turns questions into answers for one pipeline. Construction is cheap.

    Args:
        config: The pipeline config.
        index: The pipeline's index.
        ocr: Returns the OCR step (made on first use by the runner).
        engine: Returns the answer engine (made on first use by the runner).
    """

    def __init__(self, config: PipelineConfig, index: Index, ocr: Callable[[], Ocr],
                 engine: Callable[[], Engine]) -> None:
        self.config = config
        self.index = index
        self._ocr = ocr
        self._engine = engine
        self._retriever: Retriever | None = None
        self._rewriter: Rewriter | None = None
        self._lock = threading.Lock()

    @property
    def retriever(self) -> Retriever:
        """The retrieval stages; with `retrieval.rewrite` and an engine that translates,
        one `Rewriter` for the life of the path."""
        with self._lock:  # batch workers share the path
            if self._retriever is None:
                if self.config.retrieval.rewrite and self._engine().translates:
                    from pipelines.query.translate import Rewriter

                    self._rewriter = Rewriter(self._engine(),
                                              self.index.state_dir / "rewrites.sqlite")
                self._retriever = Retriever(self.index, self.config.retrieval, self._rewriter)
            return self._retriever

    def retrieve(self, question: str, images: list[str | Path] | None = None,
                 where: WhereInput = None, top_k: int | None = None,
                 context: str = "") -> Retrieved:
        """OCR the images, build the `Query`, run the retrieval stages; `context` is more
        query text after the question (the files of a query case)."""
        started = time.perf_counter()
        clause = parse_where(where)
        paths = [existing_image(p) for p in images or []]
        if not question.strip() and not paths and not context.strip():
            raise InputError("empty question: give a question, an image, or both")
        self.index.check_ready()  # opens the store: counted in "retrieve", not "ocr"
        ocr_start = time.perf_counter()
        ocr = self._ocr() if paths else None
        ocr_texts = [ocr.image_file(p).text for p in paths] if ocr else []
        ocr_done = time.perf_counter()
        text = "\n".join([question.strip(), *[t for t in (context.strip(), *ocr_texts) if t]])
        retriever = self.retriever
        settings = self.config.retrieval
        by_case = settings.unit == "case"
        query = Query(question=question, text=text, images=tuple(str(p) for p in paths),
                      ocr_texts=tuple(ocr_texts), where=clause,
                      language=retriever.query_language(text),
                      top_k=settings.case_candidates if by_case else top_k)
        stage_ms: dict[str, float] = {}
        state = retriever.run(query, stage_ms)
        hits, cases = state.hits, None
        if by_case:
            hits, cases = group(hits, top_k or settings.top_k, settings.case_scoring,
                                settings.rrf_k)
        answer = Answer(question=question, answer="", query_text=text,
                        sources=[Source.from_hit(rank, hit)
                                 for rank, hit in enumerate(hits, start=1)],
                        usage=state.usage, cases=cases)
        if settings.duplicates:
            answer.duplicates = find_duplicates(list(query.images), self.index.fingerprints()) \
                if query.images else []
        if self.config.retrieval.page_images:
            from pipelines.query.evidence import attach_page_images

            attach_page_images(answer.sources, hits, self.index.state_dir / "evidence")
        answer.timings_ms = {"ocr": _ms(ocr_start, ocr_done), "retrieve": round(
            _ms(started, ocr_start) + _ms(ocr_done, time.perf_counter()), 1)}
        return Retrieved(query, hits, answer, stage_ms)

    def answer(self, retrieved: Retrieved) -> Answer:
        """The engine's answer to a retrieval, with its usage and timings."""
        started = time.perf_counter()
        answer = retrieved.answer
        engine = self._engine()
        reply = engine.answer(retrieved.query, retrieved.hits) if answer.cases is None else \
            engine.answer_cases(retrieved.query, retrieved.hits, answer.cases,
                                answer.duplicates or [])
        answer.answer, answer.declined = reply.text, reply.declined
        answer.usage = combine(answer.usage, reply.usage)
        _finish(answer, started)
        return answer

    def stream(self, retrieved: Retrieved) -> Iterator[str | Answer]:
        """The answer text in pieces as the engine produces them, then the `Answer`."""
        started = time.perf_counter()
        answer, parts = retrieved.answer, []
        engine = self._engine()
        pieces = engine.stream(retrieved.query, retrieved.hits) if answer.cases is None else \
            engine.stream_cases(retrieved.query, retrieved.hits, answer.cases,
                                answer.duplicates or [])
        for piece in pieces:
            if isinstance(piece, Usage):
                answer.usage = combine(answer.usage, piece.counts)
                continue
            parts.append(piece)
            yield piece
        answer.answer = "".join(parts)
        _finish(answer, started)
        yield answer

    def close(self) -> None:
        """Stop the retrieval threads and close the rewrite cache."""
        with self._lock:
            if self._retriever is not None:
                self._retriever.close()
            if self._rewriter is not None:
                self._rewriter.close()


def existing_image(path: str | Path) -> Path:
    p = Path(path).expanduser()
    if not p.is_file():
        raise InputError(f"{p}: image not found")
    return p


def _finish(answer: Answer, started: float) -> None:
    timings = answer.timings_ms
    timings["answer"] = _ms(started, time.perf_counter())
    timings["total"] = round(timings["ocr"] + timings["retrieve"] + timings["answer"], 1)


def _ms(start: float, end: float) -> float:
    return round((end - start) * 1000, 1)
