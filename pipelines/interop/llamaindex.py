"""The pipeline as a LlamaIndex query engine: `Response` with source nodes, or streaming."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.base.response.schema import Response, StreamingResponse
from llama_index.core.schema import NodeWithScore, QueryBundle

from pipelines.query.answer import Answer
from pipelines.runner import Runner


class MmragQueryEngine(BaseQueryEngine):
    """Use a `Runner` wherever LlamaIndex expects a query engine.

    A `QueryBundle`'s `image_path` is the question's image. `response.metadata` carries the
    query text, timings and usage; `source_nodes` are the retrieved `NodeWithScore`s.

    Example:
        >>> engine = MmragQueryEngine(Runner.from_config("error-screenshot-support"))
        >>> engine.query(QueryBundle("How do I fix this?", image_path="shot.png")).response
    """

    def __init__(self, runner: Runner, streaming: bool = False, where: Any = None) -> None:
        super().__init__(callback_manager=None)
        self.runner = runner
        self.streaming = streaming
        self.where = where

    def _get_prompt_modules(self) -> dict[str, Any]:
        return {}

    def retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return self.runner.retrieve(query_bundle.query_str, _images(query_bundle), self.where)

    def _query(self, query_bundle: QueryBundle) -> Response | StreamingResponse:
        path = self.runner.path
        retrieved = path.retrieve(query_bundle.query_str, _images(query_bundle), self.where)
        nodes = [hit.node for hit in retrieved.hits]
        answer = retrieved.answer
        metadata = {"query_text": answer.query_text, "timings_ms": answer.timings_ms,
                    "usage": answer.usage}
        if self.streaming:
            return StreamingResponse(response_gen=_text_only(path.stream(retrieved), metadata),
                                     source_nodes=nodes, metadata=metadata)
        answer = path.answer(retrieved)
        metadata["usage"] = answer.usage
        return Response(response=answer.answer, source_nodes=nodes, metadata=metadata)

    async def _aquery(self, query_bundle: QueryBundle) -> Response | StreamingResponse:
        return self._query(query_bundle)


def _images(bundle: QueryBundle) -> list[str]:
    return [str(bundle.image_path)] if bundle.image_path else []


def _text_only(pieces: Iterator[str | Answer], metadata: dict[str, Any]) -> Iterator[str]:
    """The text pieces; the final `Answer`'s usage goes into the response metadata."""
    for piece in pieces:
        if isinstance(piece, Answer):
            metadata["usage"] = piece.usage
        else:
            yield piece
