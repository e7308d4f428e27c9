"""Hybrid retrieval: dense (Chroma, text + image collections) and lexical (BM25), fused by RRF."""

from __future__ import annotations

from typing import Any

from pipelines.config import RetrievalConfig
from pipelines.filters import Where, expand_globs
from pipelines.index import Index
from pipelines.store import MODALITIES


def rrf(rankings: list[tuple[float, list[str]]], k: int) -> dict[str, float]:
    """Reciprocal rank fusion of weighted rankings of ids: sum of weight / (k + rank)."""
    fused: dict[str, float] = {}
    for weight, ids in rankings:
        for rank, node_id in enumerate(ids, start=1):
            fused[node_id] = fused.get(node_id, 0.0) + weight / (k + rank)
    return fused


class Retriever:
    """`retrieve(query_text)` -> ranked LlamaIndex `NodeWithScore`s (score = cosine).

    Args:
        index: The pipeline's index.
        config: The `retrieval` config section.
    """

    def __init__(self, index: Index, config: RetrievalConfig) -> None:
        self.index = index
        self.config = config

    def retrieve(self, query_text: str, top_k: int | None = None,
                 where: Where | None = None) -> list[Any]:
        """The best `top_k` nodes for the query; `where` filters on metadata (see filters.py)."""
        cfg = self.config
        k = top_k or cfg.top_k
        where = expand_globs(where, self.index.catalog.sources())
        allowed = self.index.matching_ids(where) if where else None
        vector = self.index.embed_model.get_query_embedding(query_text)
        pool = max(k, cfg.candidates)
        dense = [] if cfg.mode == "lexical" else sorted(
            (h for m in MODALITIES for h in self.index.search(vector, pool, m, where)),
            key=lambda h: h.score or 0.0, reverse=True)[:pool]
        lexical = ([] if cfg.mode == "dense"
                   else self.index.catalog.lexical.search(query_text, pool, allowed))
        nodes = {h.node.node_id: h for h in dense}
        missing: dict[str, list[str]] = {m: [] for m in MODALITIES}
        for node_id, modality, _ in lexical:
            if node_id not in nodes:
                missing[modality].append(node_id)
        for modality, ids in missing.items():
            nodes.update({h.node.node_id: h for h in self.index.fetch(modality, ids, vector)})
        fused = rrf([(cfg.dense_weight, [h.node.node_id for h in dense]),
                     (cfg.lexical_weight, [i for i, _, _ in lexical])], cfg.rrf_k)
        ranked = sorted(fused, key=lambda i: fused[i], reverse=True)
        hits = [nodes[i] for i in ranked if i in nodes]
        return [h for h in hits if (h.score or 0.0) >= cfg.min_score][:k]
