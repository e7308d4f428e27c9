"""Hybrid retrieval: dense (Chroma, text + image collections) and lexical (BM25), fused by RRF."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pipelines.config import RetrievalConfig
from pipelines.filters import Where, expand_globs
from pipelines.index import Index
from pipelines.lexical import identifiers
from pipelines.store import CLIP, MODALITIES

_THREADS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="mmrag-bm25")


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
                 where: Where | None = None, images: list[str | Path] | None = None
                 ) -> list[Any]:
        """The best `top_k` nodes for the query; `where` filters on metadata (see filters.py).

        With an image embedding, `images` (query image files) and the query text are also
        searched over the image collection by CLIP, and those rankings join the fusion.
        """
        cfg = self.config
        k = top_k or cfg.top_k
        if where:  # the source list is read only when a filter needs its globs expanded
            where = expand_globs(where, self.index.catalog.sources())
        allowed = self.index.matching_ids(where) if where else None
        pool = max(k, cfg.candidates)
        # BM25 needs no vector: it runs in a thread while the query is embedded and searched
        # (numpy scoring, the embedding engine and Chroma all release the GIL).
        lexical_job = None if cfg.mode == "dense" else _THREADS.submit(
            self.index.catalog.lexical.search, query_text, pool, allowed)
        vector = self.index.embed_model.get_query_embedding(query_text)
        dense = [] if cfg.mode == "lexical" else sorted(
            (h for m in MODALITIES for h in self.index.search(vector, pool, m, where)),
            key=lambda h: h.score or 0.0, reverse=True)[:pool]
        lexical = lexical_job.result() if lexical_job else []
        image_ranks = self._image_rankings(query_text, images or [], where)
        nodes = {h.node.node_id: h for h in dense}
        missing: dict[str, list[str]] = {m: [] for m in MODALITIES}
        for node_id, modality, _ in lexical:
            if node_id not in nodes:
                missing[modality].append(node_id)
        for _, ids in image_ranks:
            missing["image"] += [i for i in ids if i not in nodes and i not in missing["image"]]
        for modality, ids in missing.items():
            nodes.update({h.node.node_id: h for h in self.index.fetch(modality, ids, vector)})
        lexical_weight = cfg.lexical_weight * (
            1.0 + cfg.identifier_boost if identifiers(query_text) else 1.0)
        fused = rrf([(cfg.dense_weight, [h.node.node_id for h in dense]),
                     (lexical_weight, [i for i, _, _ in lexical]), *image_ranks], cfg.rrf_k)
        ranked = sorted(fused, key=lambda i: fused[i], reverse=True)
        hits = [nodes[i] for i in ranked if i in nodes]
        return [h for h in hits if (h.score or 0.0) >= cfg.min_score][:k]

    def _image_rankings(self, query_text: str, images: list[str | Path],
                        where: Where | None) -> list[tuple[float, list[str]]]:
        """Weighted CLIP rankings of image node ids: one per query image, one for the text.

        Empty without an image embedding. Query images are searched image->image, the query
        text text->image (CLIP truncates it to its context length).
        """
        vectors = self.index.image_vectors
        cfg = self.config
        if not vectors.enabled:
            return []
        model = vectors.query_model()
        if not self.index.store.count(CLIP):
            return []
        queries: list[tuple[float, list[float]]] = []
        if images and cfg.image_weight:
            embedded = model.get_image_embedding_batch([str(p) for p in images])
            queries += [(cfg.image_weight, vector) for vector in embedded]
        if query_text.strip() and cfg.text_image_weight:
            queries.append((cfg.text_image_weight, model.get_query_embedding(query_text)))
        return [(weight, [h.node.node_id for h in
                          self.index.search(vector, cfg.image_top_k, CLIP, where)])
                for weight, vector in queries]
