"""Retrieval as a list of stages with one protocol: `Stage.run(state)`.

    Query ──> rewrite ──> search ──> fuse ──> [rerank] ──> list[Hit]

Each stage reads and extends one `State`: rewrite sets the query in translation, search
adds candidate hits and rankings, fuse turns the rankings into the ranked `hits`, and the
optional `retrieval.rerank` stage reorders them. Stages are registered as kind
`retrieval_stage` (`pipelines.registry`); `STAGES` lists the built-in order.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipelines.config.schema import RetrievalConfig
from pipelines.query.types import Hit, Lexical, Query, Ranking

if TYPE_CHECKING:
    from pipelines.index.multimodal import Index
    from pipelines.query.translate import Rewriter

STAGES: tuple[str, ...] = ("rewrite", "search", "fuse")  # then `retrieval.rerank`, if set


@dataclass
class State:
    """What the stages of one retrieval share.

    Attributes:
        query: The query (read only).
        k: Hits wanted.
        translation: The query in the other language, searched beside it ("" for none).
        usage: LLM tokens spent by the stages (the rewrite's translation).
        candidates: Every hit found so far by node id (the original query's cosine first).
        dense: Dense rankings: the query's, then the translation's.
        lexical: BM25 rankings: the query's, then the translation's.
        images: Weighted CLIP rankings of image node ids.
        named: Weighted rankings of the passages of the pages the question names.
        ranked: The fused ranking before the cut to `k` (what a reranker may reorder).
        hits: The result, best first.
    """

    query: Query
    k: int
    translation: str = ""
    usage: dict[str, Any] = field(default_factory=dict)
    candidates: dict[str, Hit] = field(default_factory=dict)
    dense: list[list[Hit]] = field(default_factory=list)
    lexical: list[list[Lexical]] = field(default_factory=list)
    images: list[Ranking] = field(default_factory=list)
    named: list[Ranking] = field(default_factory=list)
    ranked: list[Hit] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        """The texts searched: the query, and its translation when there is one."""
        return [self.query.text, self.translation] if self.translation else [self.query.text]


class Services:
    """What stages are built with: the index, the `retrieval` config, the rewriter (None
    without an LLM that translates) and a thread pool made on first use.

    Args:
        index: The pipeline's index (read through its query methods only).
        config: The `retrieval` config section.
        rewriter: Translates queries with the pipeline's LLM (`retrieval.rewrite`).
    """

    def __init__(self, index: Index, config: RetrievalConfig,
                 rewriter: Rewriter | None = None) -> None:
        self.index = index
        self.config = config
        self.rewriter = rewriter
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def pool(self) -> ThreadPoolExecutor:
        """Threads for work that overlaps the query embedding (BM25)."""
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="mmrag-bm25")
            return self._pool

    def close(self) -> None:
        """Stop the pool's threads (a later query makes a new pool)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)


class Stage:
    """One step of retrieval. Subclasses set `name` and implement `run`.

    Args:
        services: The index, config, rewriter and pool the stage may use.
    """

    name = ""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.index = services.index
        self.config = services.config

    def run(self, state: State) -> None:
        """Read and extend `state`."""
        raise NotImplementedError
