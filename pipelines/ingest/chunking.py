"""Documents -> LlamaIndex nodes with deterministic ids and flat provenance metadata."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import ImageNode, TextNode

from loaders.base import Document


def node_id(source: str, content_hash: str, position: int) -> str:
    """Deterministic id: same source, content and position give the same id."""
    return hashlib.sha256(f"{source}\x00{content_hash}\x00{position}".encode()).hexdigest()[:32]


def provenance(doc: Document, source: str) -> dict[str, Any]:
    """Flat, Chroma-safe metadata (None values are dropped; bbox as JSON)."""
    meta: dict[str, Any] = {
        "source": source,
        "path": doc.source,
        "modality": doc.modality,
        "page": doc.page,
        "image": doc.image,
        "start": doc.start,
        "end": doc.end,
        "bbox": json.dumps(doc.bbox) if doc.bbox else None,
    }
    meta.update({k: v for k, v in doc.metadata.items() if isinstance(v, str | int | float | bool)})
    return {k: v for k, v in meta.items() if v is not None}


class Chunker:
    """Splits text documents into sentence-aware chunks; image documents stay whole."""

    def __init__(self, chunk_size: int = 400, chunk_overlap: int = 40) -> None:
        self.splitter = SentenceSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap)

    def nodes(self, docs: list[Document], source: str, content_hash: str) -> list[TextNode]:
        """All nodes of one source file, ids numbered in order."""
        out: list[TextNode] = []
        for doc in docs:
            meta = provenance(doc, source)
            if doc.modality == "image":
                text = doc.text or f"image {source}"
                out.append(ImageNode(id_=node_id(source, content_hash, len(out)), text=text,
                                     image_path=doc.image, metadata=meta))
                continue
            for chunk in self.splitter.split_text(doc.text):
                out.append(TextNode(id_=node_id(source, content_hash, len(out)), text=chunk,
                                    metadata=meta))
        for node in out:
            node.excluded_embed_metadata_keys = list(node.metadata)
            node.excluded_llm_metadata_keys = list(node.metadata)
        return out
