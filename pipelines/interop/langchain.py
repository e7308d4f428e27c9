"""The pipeline for LangChain: its retriever as a `BaseRetriever`, the whole run as a Runnable."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import Field

from pipelines.query.answer import Source


class MmragRetriever(BaseRetriever):
    """Retrieve a pipeline's evidence as LangChain `Document`s (metadata = the citation).

    Example:
        >>> retriever = MmragRetriever(runner=Runner.from_config("error-screenshot-support"))
        >>> retriever.invoke("pip SSL certificate error")[0].metadata["source"]
    """

    runner: Any
    images: list[str] = []
    where: Any = None
    k: int | None = Field(default=None, ge=1)  # documents returned; None: retrieval.top_k

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                k: int | None = None) -> list[Document]:
        """`k` (`retriever.invoke(query, k=3)`) overrides the retriever's own `k` for a call."""
        hits = self.runner.path.retrieve(query, self.images, self.where, k or self.k).hits
        docs = []
        for rank, hit in enumerate(hits, start=1):
            meta = Source.from_hit(rank, hit).__dict__.copy()
            docs.append(Document(page_content=meta.pop("text"), metadata=meta))
        return docs


def as_runnable(runner: Any) -> Runnable:
    """The whole pipeline as a Runnable: a question string, or a dict with `question` and
    optional `image` (path or list) and `where`, in; the `Answer` dict (DESIGN.md JSON) out."""

    def run(value: str | dict[str, Any]) -> dict[str, Any]:
        item = {"question": value} if isinstance(value, str) else dict(value)
        images = item.get("image") or item.get("images") or []
        images = [images] if isinstance(images, str) else list(images)
        return runner.query(item["question"], images, item.get("where")).to_dict()

    return RunnableLambda(run, name=f"mmrag:{runner.config.name}")
