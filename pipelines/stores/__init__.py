"""Vector stores behind one interface (`VectorStore`): Chroma (disk, server) and LanceDB."""

from pipelines.stores.base import CLIP, MODALITIES, StoreHit, VectorStore, collection_base

__all__ = ["CLIP", "MODALITIES", "StoreHit", "VectorStore", "collection_base"]
