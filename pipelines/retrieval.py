"""Dense retrieval over the text and image collections, merged into one ranking."""

from __future__ import annotations

from typing import Any

from pipelines.config import RetrievalConfig
from pipelines.index import Index
from pipelines.store import MODALITIES


class Retriever:
    """`retrieve(query_text)` -> ranked LlamaIndex `NodeWithScore`s (score = cosine).

    Args:
        index: The pipeline's index.
        config: The `retrieval` config section.
    """

    def __init__(self, index: Index, config: RetrievalConfig) -> None:
        self.index = index
        self.config = config

    def retrieve(self, query_text: str, top_k: int | None = None) -> list[Any]:
        k = top_k or self.config.top_k
        vector = self.index.embed_model.get_query_embedding(query_text)
        hits = [hit for modality in MODALITIES for hit in self.index.search(vector, k, modality)]
        hits = [h for h in hits if (h.score or 0.0) >= self.config.min_score]
        hits.sort(key=lambda h: h.score or 0.0, reverse=True)
        return hits[:k]
