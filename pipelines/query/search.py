"""The search stage: dense (text and image collections), lexical (BM25) and CLIP rankings,
and the passages of the pages a question names ("the chart on page 14", "Table 2").

BM25 needs no vector, so it runs in the stage's thread pool while the query is embedded and
searched (numpy scoring, the embedding engine and Chroma all release the GIL).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipelines.query.named_figures import figure_pages, named_figures, search_pattern
from pipelines.query.named_pages import MAX_LABELLED, named_pages
from pipelines.query.stages import Stage, State
from pipelines.query.types import Hit, Lexical, Ranking
from pipelines.stores.base import CLIP, MODALITIES
from pipelines.stores.filters import And, In, Or, Where, expand_globs

CLIP_MODALITY = "image"  # CLIP hits are image nodes


def query_embeddings(embed: Any, texts: list[str]) -> list[list[float]]:
    """Query vectors of `texts`, in one batch when the embedding model has a batch call."""
    batch = getattr(embed, "get_query_embedding_batch", None)
    return batch(texts) if batch and len(texts) > 1 else [embed.get_query_embedding(t)
                                                         for t in texts]


class SearchStage(Stage):
    """Fills `state.candidates`, `dense`, `lexical`, `images` and `named` (see `State`)."""

    name = "search"

    def run(self, state: State) -> None:
        cfg, index = self.config, self.index
        where = state.query.where
        if where:  # the source list is read only when a filter needs its globs expanded
            where = expand_globs(where, index.sources())
        allowed = index.matching_ids(where) if where else None
        pool = max(state.k, cfg.candidates)
        texts = state.texts
        lexical_jobs = [] if cfg.mode == "dense" else [
            self.services.pool().submit(index.lexical_search, text, pool, allowed)
            for text in texts]
        vectors = query_embeddings(index.embed_model, texts)
        state.dense = [] if cfg.mode == "lexical" else [self._dense(v, pool, where)
                                                        for v in vectors]
        state.lexical = [job.result() for job in lexical_jobs]
        state.images = self.image_rankings(state.query.text, list(state.query.images), where)
        nodes = state.candidates
        for found in state.dense:  # the original query's hit (and cosine) first
            nodes.update({h.id: h for h in found if h.id not in nodes})
        pages = self._named(state.query.question, where, nodes) \
            if cfg.named_page_weight and cfg.mode != "lexical" else None
        if pages is not None:
            on_pages = self._dense(vectors[0], pool, And((where, pages)) if where else pages)
            nodes.update({h.id: h for h in on_pages if h.id not in nodes})
            state.named = [(cfg.named_page_weight, [h.id for h in on_pages])]
        self._fetch(nodes, [i for found in state.lexical for i in found] + [
            (i, CLIP_MODALITY, 0.0) for _, ids in state.images for i in ids], vectors[0])

    def _named(self, question: str, where: Where | None, nodes: dict[str, Hit]
               ) -> Where | None:
        """The pages `question` names, by number or by the figures and tables it names."""
        parts = [named_pages(question, self._pdfs(nodes))]
        figures = named_figures(question)
        if figures:  # their captions are looked up in the question's scope, or else in the
            # candidates' files (a whole knowledge base has many a "Figure 2")
            scope = where or In("source", tuple(itertools.islice(dict.fromkeys(
                str(h.metadata.get("source")) for h in nodes.values()), MAX_LABELLED)))
            found = (h for m in MODALITIES
                     for h in self.index.store.matching(m, search_pattern(figures), scope))
            parts.append(figure_pages(figures, found))
        kept = tuple(p for p in parts if p is not None)
        return None if not kept else kept[0] if len(kept) == 1 else Or(kept)

    @staticmethod
    def _pdfs(nodes: dict[str, Hit]) -> Iterator[str]:
        """The PDF files of the candidates, best first (their page labels count), lazily:
        most questions name no page and never read them."""
        for hit in nodes.values():
            path = str(hit.metadata.get("path") or "")
            if path.lower().endswith(".pdf"):
                yield path

    def _dense(self, vector: list[float], pool: int, where: Where | None) -> list[Hit]:
        """Dense hits of both collections, best first."""
        found = (Hit.from_node(h) for m in MODALITIES
                 for h in self.index.search(vector, pool, m, where))
        return sorted(found, key=lambda h: h.score, reverse=True)[:pool]

    def _fetch(self, nodes: dict[str, Hit], wanted: list[Lexical], vector: list[float]) -> None:
        """Add the (node_id, modality, _) entries not in `nodes` yet, scored by cosine."""
        missing: dict[str, list[str]] = {m: [] for m in MODALITIES}
        for node_id, modality, _ in wanted:
            if node_id not in nodes and node_id not in missing[modality]:
                missing[modality].append(node_id)
        for modality, ids in missing.items():
            nodes.update({h.node.node_id: Hit.from_node(h)
                          for h in self.index.fetch(modality, ids, vector)})

    def image_rankings(self, query_text: str, images: list[str | Path],
                       where: Where | None) -> list[Ranking]:
        """Weighted CLIP rankings of image node ids: one per query image, one for the text.

        Empty without an image embedding. Query images are searched image->image, the query
        text text->image (CLIP truncates it to its context length).
        """
        cfg = self.config
        model = self.index.image_query_model()
        if model is None or not self.index.count(CLIP):
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
