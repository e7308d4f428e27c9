"""The runner: assembles a pipeline from its config; the CLI, notebooks and batch jobs use it."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loaders.ocr import Ocr, OcrResult
from pipelines import registry
from pipelines.case_input import DEFAULT_QUESTION, read_case_query
from pipelines.config.schema import PipelineConfig
from pipelines.config.settings import load_config
from pipelines.query.answer import Answer

if TYPE_CHECKING:
    from llama_index.core.schema import NodeWithScore

    from pipelines.engines.base import Engine
    from pipelines.index.multimodal import Index
    from pipelines.query.path import QueryPath, Retrieved


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
        self._index: Index | None = None
        self._engine: Engine | None = None
        self._path: QueryPath | None = None

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
    def index(self) -> Index:
        if self._index is None:
            from pipelines.index.multimodal import Index

            self._index = Index(self.config)
        return self._index

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from pipelines.config.prompts import DEFAULT_PROMPT, load_prompt

            cfg = self.config.llm
            prompt = load_prompt(self.config.prompt or DEFAULT_PROMPT)  # no `prompt:`: generic
            self._engine = registry.resolve("llm", cfg.type)(cfg, prompt, self.index.embed_model)
        return self._engine

    def ingest(self, prune: bool = False, progress: Any = None, workers: int | None = None,
               rebuild: bool = False, executor: str | None = None,
               address: str | None = None) -> Any:
        """Incrementally index the config's sources; returns an `IngestSummary`.

        `rebuild=True` first drops the pipeline's collections, catalog and lexical rows.
        `executor="ray"` loads the files as Ray tasks (default `ingest.executor`), on the
        cluster at `address` (default `ingest.ray_address`; none starts a local Ray).
        """
        from pipelines.ingest.incremental import ingest

        return ingest(self.config, self.index, self.ocr, prune=prune, progress=progress,
                      workers=workers, rebuild=rebuild, executor=executor, address=address)

    def rebuild(self, progress: Any = None, workers: int | None = None) -> Any:
        """Drop everything indexed for this pipeline and ingest from scratch."""
        return self.ingest(progress=progress, workers=workers, rebuild=True)

    def stats(self) -> Any:
        """What the index holds (nodes per modality, sources, store size, last run)."""
        from pipelines.jobs.stats import index_stats

        return index_stats(self.index)

    def ocr_image(self, path: str | Path) -> OcrResult:
        """The OCR text of one image, as the pipeline sees it."""
        from pipelines.query.path import existing_image

        return self.ocr.image_file(existing_image(path))

    @property
    def path(self) -> QueryPath:
        """The query path (`pipelines.query.path`) every way of asking goes through."""
        if self._path is None:
            from pipelines.query.path import QueryPath

            self._path = QueryPath(self.config, self.index, lambda: self.ocr,
                                   lambda: self.engine)
        return self._path

    def query(self, question: str, images: list[str | Path] | None = None,
              where: str | list[str] | dict[str, Any] | None = None,
              case: str | Path | None = None) -> Answer:
        """Answer one question, optionally about images (OCR'd into the query text).

        `where` restricts retrieval by metadata: `"source=docs/*.md"`, `["page=2..5"]`, or a
        Chroma-style `where` dict (see `pipelines.stores.filters`). `case` is a case folder
        asked about as a whole: its files join the query (docs/cases.md).
        """
        with self._retrieved(question, images, where, case) as retrieved:
            return self.path.answer(retrieved)

    def retrieve(self, question: str, images: list[str | Path] | None = None,
                 where: str | list[str] | dict[str, Any] | None = None,
                 top_k: int | None = None) -> list[NodeWithScore]:
        """The ranked evidence (LlamaIndex `NodeWithScore`s, score = cosine), no answer;
        `top_k` hits (default `retrieval.top_k`)."""
        return [hit.node for hit in self.path.retrieve(question, images, where, top_k).hits]

    def stream(self, question: str, images: list[str | Path] | None = None,
               where: str | list[str] | dict[str, Any] | None = None,
               case: str | Path | None = None) -> Iterator[str | Answer]:
        """Yield the answer text in pieces as the engine produces them, then the `Answer`."""
        with self._retrieved(question, images, where, case) as retrieved:
            yield from self.path.stream(retrieved)

    @contextlib.contextmanager
    def _retrieved(self, question: str, images: list[str | Path] | None,
                   where: str | list[str] | dict[str, Any] | None,
                   case: str | Path | None) -> Iterator[Retrieved]:
        """The retrieval of `query` and `stream`; a query case's files (and the DICOM
        previews written for it) last until the answer is made."""
        if case is None:
            yield self.path.retrieve(question, images, where)
            return
        with tempfile.TemporaryDirectory(prefix="mmrag-case-") as work:
            given = read_case_query(case, self.config, self.ocr, Path(work))
            yield self.path.retrieve(question or DEFAULT_QUESTION,
                                     [*(images or []), *given.images], where,
                                     context=given.text)

    def warm_up(self) -> None:
        """Load what the first query would: the text embedding model, the OCR engine, the
        store, catalog and BM25 matrix (and the image embedding when configured)."""
        self.index.warm_up()
        self.ocr.warm_up()

    def close(self) -> None:
        """Release the store, the SQLite handles and the retrieval threads; the runner
        reopens them if used again."""
        if self._path is not None:
            self._path.close()
            self._path = None
        if self._index is not None:
            self._index.close()

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def batch(self, input_path: str | Path, output_path: str | Path, workers: int = 1,
              progress: Any = None, executor: str = "local",
              address: str | None = None) -> Any:
        """Answer every line of a JSONL file into another, resumably; returns a summary.

        `executor="ray"`: `workers` Ray actors answer (on the cluster at `address`; none
        starts a local Ray); the output is written here, as in a local batch.
        """
        if executor == "ray":
            from pipelines.jobs.ray_batch import run_batch_on_ray

            return run_batch_on_ray(self, Path(input_path), Path(output_path), workers,
                                    address, progress)
        from pipelines.jobs.batch import run_batch

        return run_batch(self, Path(input_path), Path(output_path), workers, progress)

    def evaluate(self, dataset: str | Path, report_dir: str | Path | None = None) -> Any:
        """Retrieval and answer metrics over a labelled JSONL set; returns an `EvalReport`.

        `report_dir` also gets report.json, report.md and PNG plots (recall@k, latency).
        """
        from pipelines.jobs.evaluation import evaluate

        return evaluate(self, Path(dataset), Path(report_dir) if report_dir else None)
