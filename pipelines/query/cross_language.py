"""Cross-language dense retrieval: each passage is judged by the query in its own language.

e5 scores a query higher against passages in the query's own language, so a Chinese question
about an English article loses to Chinese articles on other subjects. The query is therefore
also searched in its word-by-word CC-CEDICT translation (`pipelines.query.bridge`), and the two
language groups are ranked on one scale: passages in the query's language by the original
query, the others by the better of the translation and the original, each as its margin over
the mean score of its own group. A query of mixed or no script is left as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from loaders.text_analysis import language

__all__ = ["by_language", "language", "lexical_by_language"]

if TYPE_CHECKING:
    from pipelines.query.types import Hit, Lexical
def by_language(original: list[Hit], translated: list[Hit], query_lang: str | None
                ) -> list[Hit]:
    """One ranking of `Hit`s from the original query's and the translation's dense
    hits (see the module docstring); a hit's score stays its best cosine."""
    if query_lang is None or not translated:
        return original
    own = [h for h in original if _lang(h) in (query_lang, None)]
    cosine = {h.id: h for h in original}
    other: dict[str, Hit] = {}
    for hit in translated:
        if _lang(hit) in (query_lang, None):
            continue
        first = cosine.get(hit.id)
        best = hit if first is None or hit.score >= first.score else first
        other[hit.id] = best
    ranked = [(margin, hit) for group in (own, list(other.values()))
              for margin, hit in _margins(group)]
    ranked.sort(key=lambda pair: pair[0], reverse=True)
    return [hit for _, hit in ranked]


def lexical_by_language(native: list[Lexical], bridged: list[Lexical], nodes: dict[str, Hit],
                        query_lang: str | None) -> list[Lexical]:
    """One BM25 ranking: passages in the query's language by the query's own words, the
    others by its translation. BM25 scores of two different queries are not on one scale, so
    each score is taken as a share of the best score its query reached anywhere: a passage
    in the other language that matches the translation weakly stays below one that matches
    it well in the query's own language (the kept code of `0x8007000E during install`)."""
    def lang(entry: Lexical) -> str | None:
        hit = nodes.get(entry[0])
        return _lang(hit) if hit is not None else None

    own = [e for e in native if lang(e) in (query_lang, None)]
    other = [e for e in bridged if lang(e) not in (query_lang, None)]
    scaled = [(i, m, s / top) for group, found in ((own, native), (other, bridged)) if group
              for top in [max(e[2] for e in found) or 1.0] for i, m, s in group]
    return sorted(scaled, key=lambda e: e[2], reverse=True)


def _margins(group: list[Hit]) -> list[tuple[float, Hit]]:
    if not group:
        return []
    mean = sum(h.score for h in group) / len(group)
    return [(h.score - mean, h) for h in group]


def _lang(hit: Hit) -> str | None:
    return language(hit.text)
