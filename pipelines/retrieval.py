"""Hybrid retrieval: dense (text + image collections) and lexical (BM25), fused by RRF."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pipelines.bridge import bridge_terms
from pipelines.config import RetrievalConfig
from pipelines.cross_language import by_language, language, lexical_by_language
from pipelines.index import Index
from pipelines.lexical import identifiers
from pipelines.stores.base import CLIP, MODALITIES
from pipelines.stores.filters import Where, expand_globs

CLIP_MODALITY = "image"  # CLIP hits are image nodes
_THREADS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="mmrag-bm25")


def rrf(rankings: list[tuple[float, list[str]]], k: int) -> dict[str, float]:
    """Reciprocal rank fusion of weighted rankings of ids: sum of weight / (k + rank)."""
    fused: dict[str, float] = {}
    for weight, ids in rankings:
        for rank, node_id in enumerate(ids, start=1):
            fused[node_id] = fused.get(node_id, 0.0) + weight / (k + rank)
    return fused


# An English question is translated only when at least this share of the passages holds
# Chinese (an English knowledge base with a few stray characters is not bilingual)
MIN_CHINESE_SHARE = 0.05


def query_embeddings(embed: Any, texts: list[str]) -> list[list[float]]:
    """Query vectors of `texts`, in one batch when the embedding model has a batch call."""
    batch = getattr(embed, "get_query_embedding_batch", None)
    return batch(texts) if batch and len(texts) > 1 else [embed.get_query_embedding(t)
                                                         for t in texts]


def evidence_key(hit: Any) -> tuple[Any, ...]:
    """Where a hit's evidence sits: its file and page; a timed hit (video) is its own moment,
    and a file without pages counts as one page."""
    meta = hit.node.metadata
    if meta.get("start") not in (None, ""):
        return (meta.get("source"), "t", meta.get("start"))
    return (meta.get("source"), meta.get("page"))


def diversify(hits: list[Any], per_page: int | None, k: int) -> list[Any]:
    """The first `k` hits, at most `per_page` from one page (see `evidence_key`); when that
    leaves fewer than `k`, the skipped hits fill the rest in rank order."""
    if not per_page:
        return hits[:k]
    seen: dict[tuple[Any, ...], int] = {}
    kept, skipped = [], []
    for hit in hits:
        key = evidence_key(hit)
        seen[key] = seen.get(key, 0) + 1
        (kept if seen[key] <= per_page else skipped).append(hit)
        if len(kept) == k:
            return kept
    return kept + skipped[:k - len(kept)]


class Retriever:
    """`retrieve(query_text)` -> ranked LlamaIndex `NodeWithScore`s (score = cosine).

    Args:
        index: The pipeline's index.
        config: The `retrieval` config section.
    """

    def __init__(self, index: Index, config: RetrievalConfig) -> None:
        self.index = index
        self.config = config

    def query_language(self, query_text: str) -> str | None:
        """The language ("zh"/"en") of a query that is to be searched in translation too,
        None when it is not (`translate` off, mixed script, or an English question about a
        knowledge base without Chinese)."""
        lang = language(query_text) if self.config.translate else None
        if lang == "en" and self.index.catalog.lexical.chinese_share() < MIN_CHINESE_SHARE:
            return None  # no Chinese to bridge to: an English-only knowledge base
        return lang

    def retrieve(self, query_text: str, top_k: int | None = None,
                 where: Where | None = None, images: list[str | Path] | None = None,
                 translation: str | None = None) -> list[Any]:
        """The best `top_k` nodes for the query; `where` filters on metadata (see filters.py).

        With an image embedding, `images` (query image files) and the query text are also
        searched over the image collection by CLIP, and those rankings join the fusion.
        With `translate`, the query's CC-CEDICT translation (or `translation`, the LLM's) is
        searched too and each passage is judged by the query in its own language
        (`pipelines.cross_language`).
        """
        cfg = self.config
        k = top_k or cfg.top_k
        if where:  # the source list is read only when a filter needs its globs expanded
            where = expand_globs(where, self.index.catalog.sources())
        allowed = self.index.matching_ids(where) if where else None
        pool = max(k, cfg.candidates)
        lang = self.query_language(query_text)
        gloss = (translation or " ".join(bridge_terms(query_text))) if lang else ""
        # BM25 needs no vector: it runs in a thread while the query is embedded and searched
        # (numpy scoring, the embedding engine and Chroma all release the GIL).
        lexical_jobs = [] if cfg.mode == "dense" else [
            _THREADS.submit(self.index.catalog.lexical.search, text, pool, allowed)
            for text in ([query_text, gloss] if gloss else [query_text])]
        vectors = query_embeddings(self.index.embed_model,
                                   [query_text, gloss] if gloss else [query_text])
        dense = [] if cfg.mode == "lexical" else [self._search(v, pool, where) for v in vectors]
        lexical = [job.result() for job in lexical_jobs]
        image_ranks = self._image_rankings(query_text, images or [], where)
        nodes: dict[str, Any] = {}
        for found in dense:  # the original query's hit (and cosine) first
            nodes.update({h.node.node_id: h for h in found if h.node.node_id not in nodes})
        self._fetch(nodes, [i for found in lexical for i in found] + [
            (i, CLIP_MODALITY, 0.0) for _, ids in image_ranks for i in ids], vectors[0])
        if gloss:
            dense = [by_language(dense[0], dense[1], lang)] if dense else []
            nodes.update({h.node.node_id: h for h in dense[0]} if dense else {})
            lexical = [lexical_by_language(lexical[0], lexical[1], nodes, lang)] if lexical else []
        lexical_weight = cfg.lexical_weight * (
            1.0 + cfg.identifier_boost if identifiers(query_text) else 1.0)
        fused = rrf([(cfg.dense_weight, [h.node.node_id for h in dense[0]] if dense else []),
                     (lexical_weight, [i for i, _, _ in lexical[0]] if lexical else []),
                     *image_ranks], cfg.rrf_k)
        ranked = sorted(fused, key=lambda i: fused[i], reverse=True)
        hits = [nodes[i] for i in ranked if i in nodes]
        hits = [h for h in hits if (h.score or 0.0) >= cfg.min_score]
        return diversify(hits, cfg.max_per_page, k)

    def _search(self, vector: list[float], pool: int, where: Where | None) -> list[Any]:
        """Dense hits of both collections, best first."""
        return sorted((h for m in MODALITIES for h in self.index.search(vector, pool, m, where)),
                      key=lambda h: h.score or 0.0, reverse=True)[:pool]

    def _fetch(self, nodes: dict[str, Any], wanted: list[tuple[str, str, float]],
               vector: list[float]) -> None:
        """Add the (node_id, modality, _) entries not in `nodes` yet, scored by cosine."""
        missing: dict[str, list[str]] = {m: [] for m in MODALITIES}
        for node_id, modality, _ in wanted:
            if node_id not in nodes and node_id not in missing[modality]:
                missing[modality].append(node_id)
        for modality, ids in missing.items():
            nodes.update({h.node.node_id: h for h in self.index.fetch(modality, ids, vector)})

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
