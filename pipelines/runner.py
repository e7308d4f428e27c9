"""The runner: assembles a pipeline from its config; the CLI, notebooks and batch jobs use it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from loaders.ocr import Ocr, OcrResult
from pipelines import registry
from pipelines.answer import Answer, Source
from pipelines.config import PipelineConfig
from pipelines.engines.base import Reply, Usage
from pipelines.engines.usage import combine
from pipelines.errors import InputError
from pipelines.settings import load_config


class Runner:
    """One named pipeline, ready to ingest and answer. Construction is cheap.

    Example:
        >>> runner = Runner.from_config("error-screenshot-support")
        >>> runner.ingest()
        >>> runner.query("How do I fix this?", images=["shot.png"]).answer
    """

    def __init__(self, config: PipelineConfig) -> None:
        self.config = config
        self._ocr: Ocr | None = None
        self._index: Any = None
        self._engine: Any = None

    @classmethod
    def from_config(cls, name_or_path: str | Path,
                    overrides: list[str] | dict[str, Any] | None = None) -> Runner:
        """Build from a pipeline name in `configs/` or a YAML path, with `key.path` overrides."""
        return cls(load_config(name_or_path, overrides))

    @property
    def ocr(self) -> Ocr:
        if self._ocr is None:
            cfg = self.config.ocr
            self._ocr = Ocr(cfg.engine, cfg.languages, cfg.psm, settings=cfg.model_extra)
        return self._ocr

    @property
    def index(self) -> Any:
        if self._index is None:
            from pipelines.index import Index

            self._index = Index(self.config)
        return self._index

    @property
    def engine(self) -> Any:
        if self._engine is None:
            from pipelines.prompts import DEFAULT_PROMPT, load_prompt

            cfg = self.config.llm
            prompt = load_prompt(self.config.prompt or DEFAULT_PROMPT)  # no `prompt:`: generic
            self._engine = registry.resolve("llm", cfg.type)(cfg, prompt, self.index.embed_model)
        return self._engine

    def ingest(self, prune: bool = False, progress: Any = None, workers: int | None = None,
               rebuild: bool = False) -> Any:
        """Incrementally index the config's sources; returns an `IngestSummary`.

        `rebuild=True` first drops the pipeline's collections, catalog and lexical rows.
        """
        from pipelines.ingest import ingest

        return ingest(self.config, self.index, self.ocr, prune=prune, progress=progress,
                      workers=workers, rebuild=rebuild)

    def rebuild(self, progress: Any = None, workers: int | None = None) -> Any:
        """Drop everything indexed for this pipeline and ingest from scratch."""
        return self.ingest(progress=progress, workers=workers, rebuild=True)

    def stats(self) -> Any:
        """What the index holds (nodes per modality, sources, store size, last run)."""
        from pipelines.stats import index_stats

        return index_stats(self.index)

    def ocr_image(self, path: str | Path) -> OcrResult:
        """The OCR text of one image, as the pipeline sees it."""
        return self.ocr.image_file(_existing_image(path))

    def query(self, question: str, images: list[str | Path] | None = None,
              where: str | list[str] | dict[str, Any] | None = None) -> Answer:
        """Answer one question, optionally about images (OCR'd into the query text).

        `where` restricts retrieval by metadata: `"source=docs/*.md"`, `["page=2..5"]`, or a
        Chroma-style `where` dict (see `pipelines.stores.filters`).
        """
        answer, paths, hits = self._retrieve(question, images, where)
        started = time.perf_counter()
        reply = self.engine.answer(question, answer.query_text, paths, hits)
        if isinstance(reply, Reply):
            answer.answer, answer.declined = reply.text, reply.declined
            answer.usage = combine(answer.usage, reply.usage)
        else:
            answer.answer = reply
        _finish(answer, started)
        return answer

    def retrieve(self, question: str, images: list[str | Path] | None = None,
                 where: str | list[str] | dict[str, Any] | None = None,
                 top_k: int | None = None) -> list[Any]:
        """The ranked evidence (LlamaIndex `NodeWithScore`s, score = cosine), no answer;
        `top_k` hits (default `retrieval.top_k`)."""
        return self._retrieve(question, images, where, top_k)[2]

    def stream(self, question: str, images: list[str | Path] | None = None,
               where: str | list[str] | dict[str, Any] | None = None
               ) -> Iterator[str | Answer]:
        """Yield the answer text in pieces as the engine produces them, then the `Answer`."""
        answer, paths, hits = self._retrieve(question, images, where)
        started = time.perf_counter()
        parts = []
        for piece in self.engine.stream(question, answer.query_text, paths, hits):
            if isinstance(piece, Usage):
                answer.usage = combine(answer.usage, piece.counts)
                continue
            parts.append(piece)
            yield piece
        answer.answer = "".join(parts)
        _finish(answer, started)
        yield answer

    def _retrieve(self, question: str, images: list[str | Path] | None,
                  where: str | list[str] | dict[str, Any] | None = None,
                  top_k: int | None = None) -> tuple[Answer, list[str], list[Any]]:
        """OCR the images, build the query text, retrieve: an Answer without its text yet."""
        from pipelines.retrieval import Retriever
        from pipelines.stores.filters import parse_where

        started = time.perf_counter()
        clause = parse_where(where)
        paths = [_existing_image(p) for p in images or []]
        if not question.strip() and not paths:
            raise InputError("empty question: give a question, an image, or both")
        self.index.check_ready()  # opens the store: counted in "retrieve", not "ocr"
        ocr_start = time.perf_counter()
        ocr_texts = [self.ocr.image_file(p).text for p in paths]
        ocr_done = time.perf_counter()
        query_text = "\n".join([question.strip(), *[t for t in ocr_texts if t]])
        retriever = Retriever(self.index, self.config.retrieval)
        translation, cost = self._rewrite(retriever, query_text)
        hits = retriever.retrieve(query_text, top_k, where=clause, images=paths,
                                  translation=translation)
        answer = Answer(
            question=question, answer="", query_text=query_text,
            sources=[Source.from_node(rank, hit) for rank, hit in enumerate(hits, start=1)],
            usage=cost,
        )
        if self.config.retrieval.page_images:
            from pipelines.evidence import attach_page_images

            attach_page_images(answer.sources, hits, self.index.state_dir / "evidence")
        answer.timings_ms = {"ocr": _ms(ocr_start, ocr_done), "retrieve": round(
            _ms(started, ocr_start) + _ms(ocr_done, time.perf_counter()), 1)}
        return answer, [str(p) for p in paths], hits

    def _rewrite(self, retriever: Any, query_text: str) -> tuple[str | None, dict[str, Any]]:
        """With `retrieval.rewrite`, the LLM's translation of the query (and its usage) when
        the query is to be searched in translation; else (None, {}): CC-CEDICT's is used."""
        lang = retriever.query_language(query_text) if self.config.retrieval.rewrite else None
        if lang is None:
            return None, {}
        from pipelines.rewrite import Rewriter

        rewriter = Rewriter(self.engine, self.index.state_dir / "rewrites.sqlite")
        return rewriter.translate(query_text, "en" if lang == "zh" else "zh")

    def batch(self, input_path: str | Path, output_path: str | Path, workers: int = 1,
              progress: Any = None) -> Any:
        """Answer every line of a JSONL file into another, resumably; returns a summary."""
        from pipelines.batch import run_batch

        return run_batch(self, Path(input_path), Path(output_path), workers, progress)

    def evaluate(self, dataset: str | Path, report_dir: str | Path | None = None) -> Any:
        """Retrieval and answer metrics over a labelled JSONL set; returns an `EvalReport`.

        `report_dir` also gets report.json, report.md and PNG plots (recall@k, latency).
        """
        from pipelines.evaluation import evaluate

        return evaluate(self, Path(dataset), Path(report_dir) if report_dir else None)


def _existing_image(path: str | Path) -> Path:
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
