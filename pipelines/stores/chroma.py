"""Chroma (on disk or a server) behind the `VectorStore` interface: a collection per modality.

Nodes are written by LlamaIndex's `ChromaVectorStore` (so the stored format is LlamaIndex's:
`_node_content` and the flat metadata); reads go to the raw collection. Collections use the
cosine space, so a hit's cosine is `1 - distance`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines.config.schema import StoreConfig
from pipelines.errors import StoreError
from pipelines.stores import chroma_server
from pipelines.stores.base import StoreHit, VectorStore
from pipelines.stores.filters import And, Filter, Glob, In, Or, glob_values, to_chroma

if TYPE_CHECKING:
    from llama_index.core.schema import BaseNode


class ChromaStore(VectorStore):
    """Opens Chroma (on disk or a server) lazily; one LlamaIndex vector store per collection.

    Args:
        config: The `index.store` config section.
        name: Pipeline name, the default collection prefix.
    """

    def __init__(self, config: StoreConfig, name: str) -> None:
        super().__init__(config, name)
        self._client: Any = None
        self._stores: dict[str, Any] = {}
        # a server's query threads share the store: opening the client and its collections
        # and `refresh` (after another process's ingest) must not interleave, or Chroma's
        # shared system is dropped while another thread is building it
        self._lock = threading.RLock()

    @property
    def location(self) -> str:
        if self.config.host:
            return f"chroma server {self.config.host}:{self.config.port or 8000}"
        return str(self.config.path)

    def exists(self) -> bool:
        """Whether an on-disk store was created (servers: always assumed)."""
        return bool(self.config.host) or Path(str(self.config.path)).is_dir()

    def open(self) -> None:
        self.client()

    def client(self) -> Any:
        """The `chromadb` client (a `PersistentClient`, or an `HttpClient` for a server)."""
        with self._lock:
            return self._open_client()

    def _open_client(self) -> Any:
        if self._client is None:
            import chromadb
            from chromadb.config import Settings

            settings = Settings(anonymized_telemetry=False)
            if self.config.host:
                self._client = chroma_server.connect(self.config, settings)
                return self._client
            try:
                Path(str(self.config.path)).mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(path=str(self.config.path),
                                                         settings=settings)
            except Exception as exc:  # chromadb raises many kinds; report them as one
                raise StoreError(f"cannot open {self.location}: {exc}") from None
        return self._client

    def close(self) -> None:
        """Forget the client and collections (reopened on next use)."""
        with self._lock:
            self._stores, self._client = {}, None

    def refresh(self) -> None:
        """An on-disk Chroma client keeps the collections it loaded: another process's writes
        stay invisible (a fetch by id of a new node fails) until the client is rebuilt. Its
        shared system (cached per path) is dropped so the next use opens the files afresh."""
        if self.config.host or self._client is None:
            return  # a server sees every client's writes
        from chromadb.api.shared_system_client import SharedSystemClient

        with self._lock:  # queries still holding the old collections finish with them
            identifier = getattr(self._client, "_identifier", None)
            SharedSystemClient._identifier_to_system.pop(identifier, None)
            SharedSystemClient._identifier_to_refcount.pop(identifier, None)
            self._client, self._stores = None, {}

    def _guard(self) -> AbstractContextManager[None]:
        """Server stores: connection and server failures become one-line StoreErrors."""
        return chroma_server.server_errors(self.config) if self.config.host else nullcontext()

    def vector_store(self, collection: str) -> Any:
        """The LlamaIndex `ChromaVectorStore` of a collection (created on first use)."""
        with self._lock:
            if collection not in self._stores:
                from llama_index.vector_stores.chroma import ChromaVectorStore

                with self._guard():
                    raw = self.client().get_or_create_collection(
                        self.collection_name(collection), metadata={"hnsw:space": "cosine"})
                self._stores[collection] = ChromaVectorStore(chroma_collection=raw)
            return self._stores[collection]

    def collection(self, collection: str) -> Any:
        """The raw Chroma collection."""
        return self.vector_store(collection)._collection

    def count(self, collection: str) -> int:
        with self._guard():
            return int(self.collection(collection).count())

    def add(self, collection: str, nodes: Sequence[BaseNode]) -> None:
        if nodes:
            with self._guard():
                self.collection(collection).delete(ids=[n.node_id for n in nodes])
                self.vector_store(collection).add(list(nodes))

    def delete(self, collection: str, ids: Sequence[str]) -> None:
        if ids:
            with self._guard():
                self.collection(collection).delete(ids=list(ids))

    def drop(self, collection: str) -> None:
        self._stores.pop(collection, None)
        name = self.collection_name(collection)
        with self._guard():
            names = {getattr(c, "name", c) for c in self.client().list_collections()}
            if name in names:
                self.client().delete_collection(name)

    def search(self, collection: str, vector: Sequence[float], top_k: int,
               where: Filter | None = None) -> list[StoreHit]:
        # Chroma returns fewer hits when the collection holds fewer (none when it is empty),
        # so no count() round trip is needed first.
        clause = self._where(collection, where)
        if clause == _NOTHING:
            return []
        with self._guard():
            got = self.collection(collection).query(
                query_embeddings=[list(vector)], n_results=top_k, where=clause,
                include=["documents", "metadatas", "distances"])
        # a hit without metadata is a node an ingest in another process deleted between the
        # vector lookup and the read (it re-adds a changed file's nodes): skipped
        return [StoreHit(i, text or "", dict(meta), score=1.0 - float(dist))
                for i, text, meta, dist in zip(got["ids"][0], got["documents"][0],
                                               got["metadatas"][0], got["distances"][0],
                                               strict=True) if meta]

    def get(self, collection: str, ids: Sequence[str]) -> list[StoreHit]:
        if not ids:
            return []
        with self._guard():
            got = self.collection(collection).get(
                ids=list(ids), include=["documents", "metadatas", "embeddings"])
        return [StoreHit(i, text or "", dict(meta or {}), embedding=[float(x) for x in vec])
                for i, text, meta, vec in zip(got["ids"], got["documents"], got["metadatas"],
                                              got["embeddings"], strict=True)]

    def ids(self, collection: str, where: Filter | None = None) -> list[str]:
        clause = self._where(collection, where)
        if clause == _NOTHING:
            return []
        with self._guard():
            return list(self.collection(collection).get(where=clause, include=[])["ids"])

    def matching(self, collection: str, pattern: str, where: Filter | None = None,
                 limit: int = 200) -> list[StoreHit]:
        clause = self._where(collection, where)
        if clause == _NOTHING or not pattern:
            return []
        with self._guard():  # one `$regex` (one pass) costs what one `$contains` does
            got = self.collection(collection).get(
                where=clause, where_document={"$regex": pattern},
                limit=limit, include=["documents", "metadatas"])
        return [StoreHit(i, text or "", dict(meta or {})) for i, text, meta in
                zip(got["ids"], got["documents"], got["metadatas"], strict=True)]

    def _where(self, collection: str, where: Filter | None) -> dict[str, Any] | None:
        """Chroma's `where` dict; globs are matched against the stored values of their key."""
        if where is None:
            return None
        where = self._expand(collection, where)
        return _NOTHING if where is None else to_chroma(where)

    def _expand(self, collection: str, where: Filter) -> Filter | None:
        """Globs -> `In` lists of the matching stored values; None when nothing can match."""
        if isinstance(where, And | Or):
            items = [self._expand(collection, c) for c in where.items]
            if isinstance(where, And) and None in items:
                return None
            kept = tuple(i for i in items if i is not None)
            return (kept[0] if len(kept) == 1 else type(where)(kept)) if kept else None
        if isinstance(where, Glob):
            with self._guard():
                metas = self.collection(collection).get(include=["metadatas"])["metadatas"]
            values = glob_values(where.pattern, (m.get(where.key) for m in metas or []))
            return In(where.key, values) if values else None
        return where


_NOTHING: dict[str, Any] = {"$nothing": True}  # marker: the filter can match no node
