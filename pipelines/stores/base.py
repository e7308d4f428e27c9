"""The vector store interface every backend implements, and the hit record it returns.

A store holds named collections: the modalities ("text", "image") and the CLIP vectors of
image nodes ("clip"). Nodes go in as LlamaIndex nodes with embeddings; they come back as
`StoreHit`s whose `metadata` is LlamaIndex's flat metadata dict (with `_node_content`), so
`llama_index.core.vector_stores.utils.metadata_dict_to_node` rebuilds them intact.
"""

from __future__ import annotations

import itertools
import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipelines.config.schema import StoreConfig

if TYPE_CHECKING:
    from llama_index.core.schema import BaseNode

    from pipelines.stores.filters import Filter

MODALITIES = ("text", "image")
CLIP = "clip"  # CLIP vectors of image nodes (same ids as in "image"), when configured
SUFFIX = {"text": "_text", "image": "_images", CLIP: "_clip"}  # collection name suffixes

Scalar = str | int | float | bool


@dataclass(frozen=True)
class StoreHit:
    """One stored node: its id, text, flat metadata, cosine with the query and its vector."""

    id: str
    text: str
    metadata: dict[str, Scalar]
    score: float = 0.0  # cosine similarity with the query vector (search); 0.0 from `get`
    embedding: list[float] | None = None


def collection_base(name: str) -> str:
    """A collection-name prefix safe for every store, from a pipeline or collection name."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "-", name).strip("-._") or "mmrag"
    return safe[:50]


class VectorStore(ABC):
    """A vector store with one collection per modality; scores are cosine similarities.

    Args:
        config: The `index.store` config section.
        name: Pipeline name, the default collection prefix.
    """

    def __init__(self, config: StoreConfig, name: str) -> None:
        self.config = config
        self.base = collection_base(config.collection or name)

    def collection_name(self, collection: str) -> str:
        """The backend's name of a collection ("text", "image", "clip")."""
        return self.base + SUFFIX[collection]

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the store is, for messages."""

    @abstractmethod
    def exists(self) -> bool:
        """Whether the store was created (without creating it)."""

    @abstractmethod
    def open(self) -> None:
        """Open (or reach) the store now; a one-line `StoreError` when it cannot be."""

    @abstractmethod
    def add(self, collection: str, nodes: Sequence[BaseNode]) -> None:
        """Upsert embedded nodes: a node whose id is stored already replaces it."""

    @abstractmethod
    def delete(self, collection: str, ids: Sequence[str]) -> None:
        """Delete these ids (unknown ids are ignored)."""

    @abstractmethod
    def search(self, collection: str, vector: Sequence[float], top_k: int,
               where: Filter | None = None) -> list[StoreHit]:
        """The `top_k` nodes nearest to `vector` (best first, score = cosine) matching `where`.

        A missing or empty collection gives no hits.
        """

    @abstractmethod
    def get(self, collection: str, ids: Sequence[str]) -> list[StoreHit]:
        """The stored nodes with these ids, with their embeddings (missing ids are skipped)."""

    @abstractmethod
    def ids(self, collection: str, where: Filter | None = None) -> list[str]:
        """Ids of the nodes matching `where` (all nodes without one)."""

    def matching(self, collection: str, pattern: str, where: Filter | None = None,
                 limit: int = 200) -> list[StoreHit]:
        """Up to `limit` nodes matching `where` whose text matches the regular expression
        `pattern` (searched anywhere in the text; keep to the syntax Python's `re` and Rust's
        `regex` share), with text and metadata. This generic version reads every node the
        filter matches; the built-in stores run the pattern in the store."""
        if not pattern or not self.count(collection):
            return []
        test = re.compile(pattern)
        found = (h for h in self.get(collection, self.ids(collection, where))
                 if test.search(h.text))
        return list(itertools.islice(found, limit))

    @abstractmethod
    def count(self, collection: str) -> int:
        """How many nodes the collection holds (0 when it does not exist)."""

    @abstractmethod
    def drop(self, collection: str) -> None:
        """Delete a whole collection if it exists (it is recreated on next use)."""

    def optimize(self) -> None:  # noqa: B027 - optional hook
        """After an ingest: compact what the writes left (optional; Chroma needs nothing)."""

    def close(self) -> None:  # noqa: B027 - optional hook, most stores hold nothing to release
        """Release the connection (optional)."""

    def refresh(self) -> None:
        """See what another process wrote since this one opened the store (called when the
        index's version changed, e.g. an `mmrag ingest` ran while a server serves)."""
        self.close()
