"""Retrieval by query text alone, for scripts and benchmarks that hold an `Index`.

The pipeline itself retrieves through `pipelines.query` (see docs/query-path.md); this keeps
the older entry point, `Retriever(index, config).retrieve(text)` -> `NodeWithScore`s, on the
same stages.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.config.schema import RetrievalConfig
from pipelines.query.fuse import diversify, evidence_key, rrf
from pipelines.query.retriever import MIN_CHINESE_SHARE
from pipelines.query.retriever import Retriever as StageRunner
from pipelines.query.search import SearchStage, query_embeddings
from pipelines.query.types import Query, Ranking
from pipelines.stores.filters import Where

if TYPE_CHECKING:
    from llama_index.core.schema import NodeWithScore

    from pipelines.index.multimodal import Index

__all__ = ["MIN_CHINESE_SHARE", "Retriever", "diversify", "evidence_key", "query_embeddings",
           "rrf"]


class Retriever:
    """`retrieve(query_text)` -> ranked LlamaIndex `NodeWithScore`s (score = cosine).

    Args:
        index: The pipeline's index.
        config: The `retrieval` config section.
    """

    def __init__(self, index: Index, config: RetrievalConfig) -> None:
        self.stages = StageRunner(index, config)

    def query_language(self, query_text: str) -> str | None:
        return self.stages.query_language(query_text)

    def retrieve(self, query_text: str, top_k: int | None = None,
                 where: Where | None = None, images: list[str | Path] | None = None
                 ) -> list[NodeWithScore]:
        """The best `top_k` nodes for the query; `where` filters on metadata (see filters.py)
        and `images` are searched by CLIP when the index has an image embedding."""
        query = Query(question=query_text, text=query_text,
                      images=tuple(str(p) for p in images or []), where=where,
                      language=self.query_language(query_text), top_k=top_k)
        return [hit.node for hit in self.stages.run(query).hits]

    def _image_rankings(self, query_text: str, images: list[str | Path],
                        where: Where | None) -> list[Ranking]:
        search = self.stages.stage("search")
        assert isinstance(search, SearchStage)
        return search.image_rankings(query_text, images, where)

    def close(self) -> None:
        self.stages.close()
