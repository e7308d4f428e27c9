"""Chroma storage: a text and an image collection, each behind a LlamaIndex ChromaVectorStore."""

from __future__ import annotations

import re
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from pipelines import chroma_server
from pipelines.config import StoreConfig
from pipelines.errors import StoreError

MODALITIES = ("text", "image")
CLIP = "clip"  # CLIP vectors of image nodes (same ids as in "image"), when configured
_SUFFIX = {"text": "_text", "image": "_images", CLIP: "_clip"}


def collection_base(name: str) -> str:
    """A Chroma-safe collection prefix from a pipeline or collection name."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "-", name).strip("-._") or "mmrag"
    return safe[:50]


class ChromaStore:
    """Opens Chroma (on disk or a server) lazily; one LlamaIndex vector store per modality.

    Args:
        config: The `index.store` config section.
        name: Pipeline name, the default collection prefix.
    """

    def __init__(self, config: StoreConfig, name: str) -> None:
        self.config = config
        self.base = collection_base(config.collection or name)
        self._client: Any = None
        self._stores: dict[str, Any] = {}

    @property
    def location(self) -> str:
        """Where the store is, for messages."""
        if self.config.host:
            return f"chroma server {self.config.host}:{self.config.port or 8000}"
        return str(self.config.path)

    def exists(self) -> bool:
        """Whether an on-disk store was created (servers: always assumed)."""
        return bool(self.config.host) or Path(str(self.config.path)).is_dir()

    def client(self) -> Any:
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

    def _guard(self) -> AbstractContextManager[None]:
        """Server stores: connection and server failures become one-line StoreErrors."""
        return chroma_server.server_errors(self.config) if self.config.host else nullcontext()

    def vector_store(self, modality: str) -> Any:
        """The LlamaIndex `ChromaVectorStore` for "text" or "image" nodes."""
        if modality not in self._stores:
            from llama_index.vector_stores.chroma import ChromaVectorStore

            with self._guard():
                collection = self.client().get_or_create_collection(
                    self.base + _SUFFIX[modality], metadata={"hnsw:space": "cosine"}
                )
            self._stores[modality] = ChromaVectorStore(chroma_collection=collection)
        return self._stores[modality]

    def collection(self, modality: str) -> Any:
        """The raw Chroma collection of a modality."""
        return self.vector_store(modality)._collection

    def count(self, modality: str) -> int:
        with self._guard():
            return int(self.collection(modality).count())

    def query(self, modality: str, query: Any, where: dict[str, Any] | None = None) -> Any:
        """`ChromaVectorStore.query` of a `VectorStoreQuery`; server errors as one line."""
        with self._guard():
            return self.vector_store(modality).query(query, where=where)

    def get(self, modality: str, **kwargs: Any) -> dict[str, Any]:
        """Chroma `collection.get(**kwargs)`, with server failures as one-line StoreErrors."""
        with self._guard():
            return self.collection(modality).get(**kwargs)

    def add(self, modality: str, nodes: list[Any]) -> None:
        """Upsert embedded nodes (ids are deterministic, so re-adding replaces)."""
        if nodes:
            ids = [n.node_id for n in nodes]
            with self._guard():
                self.collection(modality).delete(ids=ids)
                self.vector_store(modality).add(nodes)

    def delete(self, modality: str, ids: list[str]) -> None:
        if ids:
            with self._guard():
                self.collection(modality).delete(ids=ids)

    def close(self) -> None:
        """Forget the client and collections (reopened on next use)."""
        self._stores.clear()
        self._client = None

    def drop(self, modality: str) -> None:
        """Delete a modality's whole collection, if it exists (it is recreated on next use)."""
        self._stores.pop(modality, None)
        with self._guard():
            names = {getattr(c, "name", c) for c in self.client().list_collections()}
            if self.base + _SUFFIX[modality] in names:
                self.client().delete_collection(self.base + _SUFFIX[modality])
