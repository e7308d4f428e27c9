"""The multimodal index: the vector store + catalog + the embedding model, built lazily."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines import registry
from pipelines.config.schema import PipelineConfig
from pipelines.errors import StoreError
from pipelines.index.catalog import Catalog, Entry, IngestLock
from pipelines.index.image_vectors import ImageVectors
from pipelines.index.lexical import LEXICAL_VERSION
from pipelines.stores.base import CLIP, MODALITIES, StoreHit, VectorStore
from pipelines.stores.filters import Filter, parse_where

if TYPE_CHECKING:
    from pipelines.index.pg_artifacts import Artifacts
    from pipelines.index.pg_state import PgLock


class Index:
    """Everything that is stored for one pipeline.

    Args:
        config: The validated pipeline config.
    """

    def __init__(self, config: PipelineConfig) -> None:
        self.config = config
        store_cls = registry.resolve("store", config.index.store.type)
        self.store: VectorStore = store_cls(config.index.store, config.name)
        self.state_dir = self._state_dir()
        self.catalog = Catalog(self.state_dir / "catalog.sqlite")
        self.artifacts: Artifacts | None = None  # evidence images in PostgreSQL's state
        if config.index.state:
            from pipelines.index.pg_artifacts import Artifacts
            from pipelines.index.pg_state import PostgresCatalog

            namespace = config.index.state.namespace or "mmrag_" + re.sub(
                r"[^a-z0-9_]", "_", self.store.base.lower())[:56]
            self.catalog = PostgresCatalog(config.index.state, namespace,
                                           self.state_dir / "bm25")
            self.artifacts = Artifacts(self.catalog, self.state_dir / "artifacts" / "shared")
        self._embed_model: Any = None
        self._seen_version: str | None = None  # the index version of the last check_ready
        self._fingerprints: tuple[str, list[dict[str, Any]]] | None = None
        self.image_vectors = ImageVectors(config, self.store, self.catalog)

    def _state_dir(self) -> Path:
        store = self.config.index.store
        if store.path:
            return Path(store.path)
        root = self.config.folder / ".mmrag"
        legacy = root / f"{store.host}_None_{self.store.base}"  # before the port defaulted
        if store.port is None and legacy.is_dir():
            return legacy
        return root / f"{store.host}_{store.port or 8000}_{self.store.base}"

    def lock(self) -> IngestLock | PgLock:
        if self.artifacts is not None:
            from pipelines.index.pg_state import PgLock

            return PgLock(self.artifacts.catalog, self.config.name)
        return IngestLock(self.state_dir / "ingest.lock", self.config.name)

    @property
    def embed_model(self) -> Any:
        """The text embedding model (a LlamaIndex `BaseEmbedding`)."""
        if self._embed_model is None:
            cfg = self.config.index.text_embedding
            cls = registry.resolve("text_embedding", cfg.type)
            kwargs = {"batch_size": cfg.batch_size, **cfg.params}
            if cfg.model:
                kwargs["model"] = cfg.model
            self._embed_model = cls(**kwargs)
        return self._embed_model

    def fingerprint(self) -> str:
        """Index settings that change node content or vectors (part of each file's hash)."""
        emb = self.config.index.text_embedding
        chunk = self.config.chunking
        image = self.image_vectors.identity()  # empty without an image embedding
        return (f"{emb.type}:{emb.model}:{chunk.chunk_size}:{chunk.chunk_overlap}:v1"
                f":lexical={LEXICAL_VERSION}"
                + (f":image={image}" if image else ""))

    def embed(self, nodes: list[Any]) -> None:
        """Set each node's embedding, in one batched call."""
        texts = [n.get_content(metadata_mode="embed") for n in nodes]
        vectors = self.embed_model.get_text_embedding_batch(texts) if texts else []
        for node, vector in zip(nodes, vectors, strict=True):
            node.embedding = vector
        self.image_vectors.embed(nodes)

    def replace(self, source: str, content_hash: str, nodes: list[Any]) -> int:
        """Store embedded `nodes` for `source`, replacing its old nodes; returns nodes added.

        The catalog is written last, so a run killed midway redoes this file next time.
        """
        by_modality: dict[str, list[Any]] = {m: [] for m in MODALITIES}
        for node in nodes:
            by_modality[node.metadata.get("modality", "text")].append(node)
        old = self.catalog.get(source)
        if self.artifacts is not None:
            self.artifacts.share(nodes)
        for modality in MODALITIES:
            keep = {n.node_id for n in by_modality[modality]}
            stale = [i for i in (old.ids[modality] if old else []) if i not in keep]
            self.store.delete(modality, stale)
            self.store.add(modality, by_modality[modality])
        self.image_vectors.replace(old.image_ids if old else [], by_modality["image"])
        texts = [(n.node_id, modality, n.get_content())
                 for modality, group in by_modality.items() for n in group]
        entry = Entry(source, content_hash, [n.node_id for n in by_modality["text"]],
                      [n.node_id for n in by_modality["image"]])
        self.catalog.put(entry, texts, old.text_ids + old.image_ids if old else [])
        return len(nodes)

    def remove(self, source: str) -> None:
        """Delete every node of `source` and forget it."""
        entry = self.catalog.get(source)
        if entry:
            for modality in MODALITIES:
                self.store.delete(modality, entry.ids[modality])
            self.image_vectors.remove(entry.image_ids)
            self.catalog.remove(source)

    def reserve(self, batch: list[tuple[str, list[Any]]]) -> None:
        """Before storing (source, nodes) pairs: note their ids (see `Catalog.reserve`)."""
        self.catalog.reserve([Entry(source, "", _ids(nodes, "text"), _ids(nodes, "image"))
                              for source, nodes in batch])

    def clear(self) -> None:
        """Forget everything: catalog and lexical rows first, then drop the collections.

        The catalog stays marked until the drop is done, so `finish_clear` in the next run
        completes a clear that was killed midway.
        """
        self.catalog.clear()
        self._drop()

    def sync_store_type(self) -> None:
        """A catalog written next to another store type (same folder, other `index.store.type`)
        is forgotten and this store emptied, so that every file is stored again in it."""
        kind = self.config.index.store.type
        if self.catalog.exists() and (self.catalog.meta("store_type") or "chroma") != kind:
            self.clear()
        if kind != "chroma":  # unset means Chroma: indexes made before stores had a type
            self.catalog.set_meta("store_type", kind)

    def finish_clear(self) -> None:
        if self.catalog.rebuild_pending():
            self._drop()

    def _drop(self) -> None:
        for name in (*MODALITIES, CLIP):
            self.store.drop(name)
        shutil.rmtree(self.state_dir / "artifacts", ignore_errors=True)
        self.catalog.clear_done()

    def fetch(self, modality: str, ids: list[str], query_embedding: list[float]) -> list[Any]:
        """Nodes by id as `NodeWithScore`s, scored by cosine with the query embedding."""
        import numpy as np

        if not ids:
            return []
        query = np.asarray(query_embedding)
        return [_scored(hit, float(np.dot(np.asarray(hit.embedding), query)))
                for hit in self.store.get(modality, ids)]

    def check_ready(self) -> None:
        """Raise a StoreError telling the user to ingest when there is nothing to search;
        when another process changed the index since the last query, re-open the store."""
        if not (self.catalog.exists() and self.store.exists()) or self.catalog.empty():
            raise StoreError(
                f"pipeline {self.config.name!r} has no index yet at {self.store.location}: "
                f"run `mmrag ingest {self.config.name}` first"
            )
        version = self.catalog.lexical.version()  # every write of an ingest changes it
        if self._seen_version not in (None, version):
            self.store.refresh()
        self._seen_version = version
        if self.catalog.lexical.empty():  # every stored node has a BM25 row; count() is slow
            raise StoreError(
                f"the index of pipeline {self.config.name!r} is empty: its sources gave no "
                f"text; check `sources` and run `mmrag ingest {self.config.name}`"
            )

    def matching_ids(self, where: Filter | dict[str, Any]) -> set[str]:
        """Ids of the nodes (both collections) whose metadata satisfies a filter."""
        clause = parse_where(where)
        return {i for m in MODALITIES if self.store.count(m)
                for i in self.store.ids(m, clause)}

    def search(self, query_embedding: list[float], top_k: int, modality: str,
               where: Filter | dict[str, Any] | None = None) -> list[Any]:
        """Dense search in one collection: LlamaIndex `NodeWithScore`s, score = cosine."""
        hits = self.store.search(modality, query_embedding, top_k, parse_where(where))
        return [_scored(hit, hit.score) for hit in hits]

    def localize(self, node: Any) -> None:
        """With a shared state (`index.state`): point a cited node's image and PDF at this
        machine's copies, fetched on first use. Called on the final hits only, so a candidate
        that is never cited costs no fetch."""
        if self.artifacts is not None:
            self.artifacts.localize(node)

    # What retrieval reads, besides `search`, `fetch` and `matching_ids`:
    def lexical_search(self, text: str, top_k: int, ids: set[str] | None = None
                       ) -> list[tuple[str, str, float]]:
        """BM25 hits (node_id, modality, score), best first; `ids` restricts the nodes."""
        return self.catalog.lexical.search(text, top_k, ids)

    def chinese_share(self) -> float:
        """Share of the indexed passages holding Chinese (1.0 when none are indexed)."""
        return self.catalog.lexical.chinese_share()

    def count(self, collection: str) -> int:
        """Nodes in a collection ("text", "image" or "clip")."""
        return self.store.count(collection)

    def sources(self) -> list[str]:
        """The indexed files, sorted."""
        return self.catalog.sources()

    def fingerprints(self) -> list[dict[str, Any]]:
        """The metadata of every image node that has a `fingerprint` (read once per index
        version: an ingest from another process is seen at the next call)."""
        version = self.catalog.lexical.version()
        if self._fingerprints is None or self._fingerprints[0] != version:
            ids = self.store.ids("image") if self.store.count("image") else []
            found = [dict(hit.metadata) for hit in self.store.get("image", ids)
                     if hit.metadata.get("fingerprint")] if ids else []
            self._fingerprints = (version, found)
        return self._fingerprints[1]

    def image_query_model(self) -> Any:
        """The image embedding for searching, None without one (see `ImageVectors`)."""
        return self.image_vectors.query_model() if self.image_vectors.enabled else None

    def warm_up(self) -> None:
        """Load the text embedding model, open the store and the catalog with its BM25
        matrix, and (when configured and ingested) the image embedding."""
        self.embed_model.get_query_embedding("warm up")
        if self.catalog.exists() and self.store.exists():
            self.count("text")
            self.lexical_search("warm up", 1)
            if self.image_vectors.enabled and self.count(CLIP):
                self.image_query_model()

    def close(self) -> None:
        """Release the catalog's SQLite connection and the store's client (both reopen on
        next use)."""
        self.catalog.close()
        self.store.close()


def _scored(hit: StoreHit, score: float) -> Any:
    """A stored node rebuilt by LlamaIndex (from `_node_content`) as a `NodeWithScore`."""
    from llama_index.core.schema import NodeWithScore
    from llama_index.core.vector_stores.utils import metadata_dict_to_node

    return NodeWithScore(node=metadata_dict_to_node(hit.metadata, text=hit.text), score=score)


def _ids(nodes: list[Any], modality: str) -> list[str]:
    return [n.node_id for n in nodes if n.metadata.get("modality", "text") == modality]
