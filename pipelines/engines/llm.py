"""LLM answer engines: OpenAI (gpt-4o family) and any OpenAI-compatible server, with images."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from pipelines.config.prompts import quoted_block
from pipelines.engines.base import Engine, Reply, Usage
from pipelines.engines.cases import case_context
from pipelines.engines.media import encode_image, evidence_images
from pipelines.engines.params import OpenAIParams
from pipelines.engines.usage import usage
from pipelines.errors import ConfigError, LLMError
from pipelines.query.cases import CaseResult, Duplicate
from pipelines.query.location import where
from pipelines.query.types import Hit, Query


def format_context(hits: list[Hit], attached: list[str] | None = None) -> str:
    """Retrieved evidence as numbered, quoted data blocks (noting attached images).

    A triple quote in a passage or its file name cannot end its block early; the fence
    around the whole context is guarded by `Prompt.render` (`pipelines.config.prompts.fence_safe`).
    """
    blocks = []
    for rank, hit in enumerate(hits, start=1):
        place = [where(hit.page, hit.start, hit.end, hit.printed_page)]
        if hit.image in (attached or []):
            place.append("image attached")
        label = f" ({', '.join(p for p in place if p)})" if any(place) else ""
        blocks.append(quoted_block(f'[{rank}] {hit.source or "?"}{label}', hit.text))
    return "\n\n".join(blocks) or "(no evidence found)"


class OpenAIEngine(Engine):
    """Chat completion through `llama-index-llms-openai`; images sent as image blocks.

    The OpenAI client retries 429, 5xx and timeouts `llm.max_retries` times with exponential
    backoff (honouring `Retry-After`); each request waits at most `llm.timeout` seconds.
    """

    Params = OpenAIParams
    settings: OpenAIParams
    default_key_env = "OPENAI_API_KEY"
    default_model = "gpt-4o-mini"

    def api_key(self) -> str:
        env = self.settings.api_key_env or self.default_key_env
        key = os.environ.get(env)
        if not key:
            raise LLMError(f"llm.type={self.config.type} needs an API key: set the {env} "
                           "environment variable")
        return key

    def build_llm(self) -> Any:
        from llama_index.llms.openai import OpenAI

        return OpenAI(model=self.config.model or self.default_model, api_key=self.api_key(),
                      api_base=self.settings.api_base, **self._common())

    def _common(self) -> dict[str, Any]:
        return {"temperature": self.settings.temperature, "max_tokens": self.settings.max_tokens,
                "timeout": self.config.timeout, "max_retries": self.settings.max_retries,
                **self.settings.params}

    def messages(self, query: Query, hits: list[Hit], context: str | None = None) -> list[Any]:
        """System + user messages: the prompt with the quoted evidence, then the images.

        The question's images come first, then up to `llm.max_images` retrieved images, each
        labelled with the citation number of its evidence block. `context` replaces the
        numbered evidence blocks (the case blocks of `retrieval.unit: case`).
        """
        from llama_index.core.llms import ChatMessage, TextBlock

        if self.prompt is None:
            raise ConfigError(f"llm.type={self.config.type} needs a prompt: set `prompt:`")
        evidence = evidence_images(hits, self.settings.max_images)
        system, user = self.prompt.render(question=query.question,
                                          ocr_text=query.ocr_text or "(none)",
                                          context=context or format_context(hits, evidence))
        blocks: list[Any] = [TextBlock(text=user)]
        for number, path in enumerate(query.images, start=1):
            blocks += [TextBlock(text=f"Question image {number}:"), self._image(path)]
        ranks: dict[str | None, int] = {}
        for rank, hit in enumerate(hits, start=1):  # an image's first (best) citation
            ranks.setdefault(hit.image, rank)
        for path in evidence:
            blocks += [TextBlock(text=f"Evidence image for [{ranks[path]}]:"), self._image(path)]
        return [ChatMessage(role="system", content=system), ChatMessage(role="user", blocks=blocks)]

    def _image(self, path: str) -> Any:
        from llama_index.core.llms import ImageBlock

        data, mimetype = encode_image(path, self.settings.image_max_side)
        return ImageBlock(image=data, image_mimetype=mimetype)

    def _usage(self, counts: dict[str, Any]) -> dict[str, Any]:
        return usage(counts, self.config.model or self.default_model,
                     self.settings.price_per_million)

    def answer(self, query: Query, hits: list[Hit]) -> Reply:
        return self._chat(self.messages(query, hits))

    def answer_cases(self, query: Query, hits: list[Hit], cases: list[CaseResult],
                     duplicates: list[Duplicate]) -> Reply:
        if not cases and not duplicates:
            return super().answer_cases(query, hits, cases, duplicates)
        return self._chat(self.messages(query, hits, case_context(hits, cases, duplicates)))

    def stream_cases(self, query: Query, hits: list[Hit], cases: list[CaseResult],
                     duplicates: list[Duplicate]) -> Iterator[str | Usage]:
        if not cases and not duplicates:
            yield from super().stream_cases(query, hits, cases, duplicates)
            return
        yield from self._stream(self.messages(query, hits, case_context(hits, cases, duplicates)))

    def _chat(self, messages: list[Any]) -> Reply:
        llm = self.build_llm()
        try:
            response = llm.chat(messages)
        except Exception as exc:
            raise LLMError(_explain(exc, self.config.type)) from None
        return Reply((response.message.content or "").strip(),
                     self._usage(response.additional_kwargs))

    def translate(self, text: str, language: str) -> Reply:
        """One short chat call: the query in `language`, for retrieval only."""
        from llama_index.core.llms import ChatMessage

        target = {"zh": "Simplified Chinese", "en": "English"}[language]
        messages = [ChatMessage(role="system", content=_TRANSLATE.format(language=target)),
                    ChatMessage(role="user", content=text)]
        try:
            response = self.build_llm().chat(messages)
        except Exception as exc:
            raise LLMError(_explain(exc, self.config.type)) from None
        return Reply((response.message.content or "").strip(),
                     self._usage(response.additional_kwargs))

    def stream(self, query: Query, hits: list[Hit]) -> Iterator[str | Usage]:
        yield from self._stream(self.messages(query, hits))

    def _stream(self, messages: list[Any]) -> Iterator[str | Usage]:
        llm = self.build_llm()
        extra = {"stream_options": {"include_usage": True}} if self.settings.stream_usage else {}
        counts: dict[str, Any] = {}
        try:
            for chunk in llm.stream_chat(messages, **extra):
                counts = chunk.additional_kwargs or counts
                if chunk.delta:
                    yield chunk.delta
        except Exception as exc:
            raise LLMError(_explain(exc, self.config.type)) from None
        if counts:
            yield Usage(self._usage(counts))


_TRANSLATE = ("Translate the user's search query into {language} for a document search. Keep "
              "error codes, commands, file names and numbers as they are. Reply with the "
              "translation only.")


class OpenAILikeEngine(OpenAIEngine):
    """Any OpenAI-compatible server (Ollama, vLLM, LM Studio): `api_base` + `model`."""

    def api_key(self) -> str:
        env = self.settings.api_key_env
        if env and not os.environ.get(env):
            raise LLMError(f"llm.api_key_env names {env}, but that environment variable is not set")
        return os.environ.get(env, "") if env else "not-needed"

    def build_llm(self) -> Any:
        from llama_index.llms.openai_like import OpenAILike

        if not (self.settings.api_base and self.config.model):
            raise ConfigError("llm.type=openai-like needs llm.api_base and llm.model")
        return OpenAILike(model=self.config.model, api_base=self.settings.api_base,
                          api_key=self.api_key(), is_chat_model=True, **self._common())


def _explain(exc: Exception, backend: str) -> str:
    """One line for an LLM failure, never including the API key."""
    name = exc.__class__.__name__
    status = getattr(exc, "status_code", None)
    if status == 401 or name == "AuthenticationError":
        return f"llm {backend}: authentication failed (401): check the API key"
    if status == 429 or name == "RateLimitError":
        return f"llm {backend}: rate limited (429) after retries; try again later"
    if "Timeout" in name:
        return f"llm {backend}: request timed out"
    if "Connection" in name:
        return f"llm {backend}: cannot connect to the server"
    return f"llm {backend}: {name}" + (f" (HTTP {status})" if status else "")
