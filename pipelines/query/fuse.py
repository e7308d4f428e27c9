"""The fuse stage: the rankings of the search stage as one list of hits.

Cross-language judging (`pipelines.query.cross_language`) when the translation was searched too,
reciprocal rank fusion (with the CLIP and named-page rankings; the lexical weight raised for a
query holding an identifier), `min_score` on the cosine, and at most `max_per_page` hits from
one page (passages, not cases).
"""

from __future__ import annotations

from typing import Any

from loaders.text_analysis import identifiers
from pipelines.query.cross_language import by_language, lexical_by_language
from pipelines.query.stages import Stage, State
from pipelines.query.types import Hit, Ranking


def rrf(rankings: list[Ranking], k: int) -> dict[str, float]:
    """Reciprocal rank fusion of weighted rankings of ids: sum of weight / (k + rank)."""
    fused: dict[str, float] = {}
    for weight, ids in rankings:
        for rank, node_id in enumerate(ids, start=1):
            fused[node_id] = fused.get(node_id, 0.0) + weight / (k + rank)
    return fused


def evidence_key(hit: Hit) -> tuple[Any, ...]:
    """Where a hit's evidence sits: its file and page; a timed hit (video) is its own moment,
    and a file without pages counts as one page."""
    if hit.timed:
        return (hit.source, "t", hit.start)
    return (hit.source, hit.page)


def diversify(hits: list[Hit], per_page: int | None, k: int) -> list[Hit]:
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


class FuseStage(Stage):
    """Sets `state.ranked` (fused, above `min_score`) and `state.hits` (the best `k`)."""

    name = "fuse"

    def run(self, state: State) -> None:
        cfg, lang = self.config, state.query.language
        dense, lexical, nodes = state.dense, state.lexical, state.candidates
        if state.translation:
            dense = [by_language(dense[0], dense[1], lang)] if dense else []
            nodes.update({h.id: h for h in dense[0]} if dense else {})
            lexical = [lexical_by_language(lexical[0], lexical[1], nodes, lang)] if lexical else []
        lexical_weight = cfg.lexical_weight * (
            1.0 + cfg.identifier_boost if identifiers(state.query.text) else 1.0)
        fused = rrf([(cfg.dense_weight, [h.id for h in dense[0]] if dense else []),
                     (lexical_weight, [i for i, _, _ in lexical[0]] if lexical else []),
                     *state.images, *state.named], cfg.rrf_k)
        ranked = sorted(fused, key=lambda i: fused[i], reverse=True)
        hits = [nodes[i] for i in ranked if i in nodes]
        state.ranked = [h for h in hits if h.score >= cfg.min_score]
        state.hits = diversify(state.ranked, cfg.page_limit, state.k)
