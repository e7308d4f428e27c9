"""The answer-engine interface and helpers shared by engines."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel

from loaders.text_analysis import has_han
from pipelines.config.prompts import Prompt
from pipelines.config.schema import LLMConfig
from pipelines.engines.cases import case_listing
from pipelines.query.cases import CaseResult, Duplicate
from pipelines.query.types import Hit, Query, Usage

__all__ = ["Engine", "Reply", "Usage", "is_chinese"]


def is_chinese(text: str) -> bool:
    """True when the text contains Chinese (answers then use Chinese labels)."""
    return has_han(text)


@dataclass
class Reply:
    """An engine's answer text, the token usage it cost (empty for local engines), and
    whether the engine declined to answer (it found no evidence that answers the question)."""

    text: str
    usage: dict[str, Any] = field(default_factory=dict)
    declined: bool = False


class Engine:
    """Turns a `Query` and its retrieved `Hit`s into a `Reply`.

    A subclass may declare `Params` (pydantic, `extra="forbid"`): its own `llm:` keys,
    checked at config load and given to it typed as `self.settings`.

    Args:
        config: The `llm` config section (the keys every engine shares: type, model, timeout).
        prompt: The pipeline's prompt template (LLM engines need it).
        embed_model: The index's text embedding model (for engines that rank sentences).
    """

    Params: ClassVar[type[BaseModel] | None] = None

    def __init__(self, config: LLMConfig, prompt: Prompt | None = None,
                 embed_model: Any = None) -> None:
        self.config = config
        settings = config.settings
        if settings is None and self.Params is not None:  # a dotted path not imported to validate
            settings = self.Params.model_validate(config.model_extra or {})
        self.settings: Any = settings
        self.prompt = prompt
        self.embed_model = embed_model

    def answer(self, query: Query, hits: list[Hit]) -> Reply:
        """Answer text citing evidence as [n], n being the hit's 1-based rank."""
        raise NotImplementedError

    def answer_cases(self, query: Query, hits: list[Hit], cases: list[CaseResult],
                     duplicates: list[Duplicate]) -> Reply:
        """For `retrieval.unit: case`: the similar cases (each citing its parts as [n], n
        the part's rank in `hits`) and the near-duplicate images. This default lists them;
        an LLM engine summarises them with its prompt."""
        return Reply(case_listing(query, hits, cases, duplicates), declined=not cases)

    def stream_cases(self, query: Query, hits: list[Hit], cases: list[CaseResult],
                     duplicates: list[Duplicate]) -> Iterator[str | Usage]:
        """`answer_cases` in pieces (one piece unless the engine streams)."""
        reply = self.answer_cases(query, hits, cases, duplicates)
        yield reply.text
        if reply.usage:
            yield Usage(reply.usage)

    @property
    def translates(self) -> bool:
        """Whether the engine has a language model for `translate` (it overrides it)."""
        return type(self).translate is not Engine.translate

    def translate(self, text: str, language: str) -> Reply | None:
        """`text` translated into `language` ("zh" or "en") for searching, with its usage;
        None for engines without a language model (the extractive one)."""
        return None

    def stream(self, query: Query, hits: list[Hit]) -> Iterator[str | Usage]:
        """The answer in pieces, then its `Usage` if any; engines that cannot stream yield
        the whole answer as one piece."""
        reply = self.answer(query, hits)
        yield reply.text
        if reply.usage:
            yield Usage(reply.usage)
