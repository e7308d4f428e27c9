"""The retriever: runs the configured stages over one `Query`, timing each."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from pipelines import registry
from pipelines.config.schema import RetrievalConfig
from pipelines.query.cross_language import language
from pipelines.query.stages import STAGES, Services, Stage, State
from pipelines.query.types import Query

if TYPE_CHECKING:
    from pipelines.index.multimodal import Index
    from pipelines.query.translate import Rewriter

# An English question is translated only when at least this share of the passages holds
# Chinese (an English knowledge base with a few stray characters is not bilingual)
MIN_CHINESE_SHARE = 0.05


def stage_names(config: RetrievalConfig) -> list[str]:
    """The stages that run, in order: the built-in ones, then `retrieval.rerank` if set."""
    return [*STAGES, *([config.rerank] if config.rerank else [])]


class Retriever:
    """`run(query)` -> the final `State` (its `hits`: ranked `Hit`s, score = cosine).

    Construction is cheap; the stages' thread pool starts on first use and stops in
    `close()`.

    Args:
        index: The pipeline's index.
        config: The `retrieval` config section.
        rewriter: The LLM translator for `retrieval.rewrite` (None: CC-CEDICT's gloss).
    """

    def __init__(self, index: Index, config: RetrievalConfig,
                 rewriter: Rewriter | None = None) -> None:
        self.index = index
        self.config = config
        self.services = Services(index, config, rewriter)
        self.stages: list[Stage] = [registry.resolve("retrieval_stage", name)(self.services)
                                    for name in stage_names(config)]

    def stage(self, name: str) -> Stage:
        """The running stage called `name`."""
        return next(s for s in self.stages if s.name == name)

    def query_language(self, query_text: str) -> str | None:
        """The language ("zh"/"en") of a query that is to be searched in translation too,
        None when it is not (`translate` off, mixed script, or an English question about a
        knowledge base without Chinese)."""
        lang = language(query_text) if self.config.translate else None
        if lang == "en" and self.index.chinese_share() < MIN_CHINESE_SHARE:
            return None  # no Chinese to bridge to: an English-only knowledge base
        return lang

    def run(self, query: Query, timings: dict[str, float] | None = None) -> State:
        """Every stage over `query`; each stage's milliseconds go into `timings`."""
        state = State(query=query, k=query.top_k or self.config.top_k)
        for stage in self.stages:
            started = time.perf_counter()
            stage.run(state)
            if timings is not None:
                timings[stage.name] = round((time.perf_counter() - started) * 1000, 1)
        for hit in state.hits:  # the files of what is cited, from a shared state
            if hit.node is not None:
                self.index.localize(hit.node.node)
                hit.image = hit.metadata.get("image") or None
        return state

    def close(self) -> None:
        self.services.close()
