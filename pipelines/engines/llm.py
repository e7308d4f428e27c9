"""LLM answer engines: OpenAI (gpt-4o family) and any OpenAI-compatible server, with images."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from pipelines.engines.base import Engine
from pipelines.errors import ConfigError, LLMError


def format_context(hits: list[Any]) -> str:
    """Retrieved evidence as numbered, quoted data blocks."""
    blocks = []
    for rank, hit in enumerate(hits, start=1):
        meta = hit.node.metadata
        page = f" (page {meta['page']})" if meta.get("page") not in (None, "") else ""
        text = hit.node.get_content().replace('"""', "'''")
        blocks.append(f'[{rank}] {meta.get("source", "?")}{page}\n"""\n{text}\n"""')
    return "\n\n".join(blocks) or "(no evidence found)"


class OpenAIEngine(Engine):
    """Chat completion through `llama-index-llms-openai`; query images sent as image blocks."""

    default_key_env = "OPENAI_API_KEY"

    def api_key(self) -> str:
        env = self.config.api_key_env or self.default_key_env
        key = os.environ.get(env)
        if not key:
            raise LLMError(f"llm.type={self.config.type} needs an API key: set the {env} "
                           "environment variable")
        return key

    def build_llm(self) -> Any:
        from llama_index.llms.openai import OpenAI

        return OpenAI(model=self.config.model or "gpt-4o-mini", api_key=self.api_key(),
                      api_base=self.config.api_base, **self._common())

    def _common(self) -> dict[str, Any]:
        return {"temperature": self.config.temperature, "max_tokens": self.config.max_tokens,
                "timeout": self.config.timeout, "max_retries": self.config.max_retries,
                **self.config.params}

    def messages(self, question: str, query_text: str, images: list[str], hits: list[Any]
                 ) -> list[Any]:
        """System + user messages: prompt text with the evidence, then the query images."""
        from llama_index.core.llms import ChatMessage, ImageBlock, TextBlock

        if self.prompt is None:
            raise ConfigError(f"llm.type={self.config.type} needs a prompt: set `prompt:`")
        ocr_text = query_text[len(question):].strip()
        system, user = self.prompt.render(question=question, ocr_text=ocr_text or "(none)",
                                          context=format_context(hits))
        blocks: list[Any] = [TextBlock(text=user)] + [ImageBlock(path=p) for p in images]
        return [ChatMessage(role="system", content=system), ChatMessage(role="user", blocks=blocks)]

    def answer(self, question: str, query_text: str, images: list[str], hits: list[Any]) -> str:
        llm = self.build_llm()
        messages = self.messages(question, query_text, images, hits)
        try:
            response = llm.chat(messages)
        except Exception as exc:
            raise LLMError(_explain(exc, self.config.type)) from None
        return (response.message.content or "").strip()

    def stream(self, question: str, query_text: str, images: list[str], hits: list[Any]
               ) -> Iterator[str]:
        llm = self.build_llm()
        messages = self.messages(question, query_text, images, hits)
        try:
            for chunk in llm.stream_chat(messages):
                if chunk.delta:
                    yield chunk.delta
        except Exception as exc:
            raise LLMError(_explain(exc, self.config.type)) from None


class OpenAILikeEngine(OpenAIEngine):
    """Any OpenAI-compatible server (Ollama, vLLM, LM Studio): `api_base` + `model`."""

    def api_key(self) -> str:
        env = self.config.api_key_env
        if env and not os.environ.get(env):
            raise LLMError(f"llm.api_key_env names {env}, but that environment variable is not set")
        return os.environ.get(env, "") if env else "not-needed"

    def build_llm(self) -> Any:
        from llama_index.llms.openai_like import OpenAILike

        if not (self.config.api_base and self.config.model):
            raise ConfigError("llm.type=openai-like needs llm.api_base and llm.model")
        return OpenAILike(model=self.config.model, api_base=self.config.api_base,
                          api_key=self.api_key(), is_chat_model=True, **self._common())


def _explain(exc: Exception, backend: str) -> str:
    """One line for an LLM failure, never including the API key."""
    name = exc.__class__.__name__
    status = getattr(exc, "status_code", None)
    if status == 401 or name == "AuthenticationError":
        return f"llm {backend}: authentication failed (401): check the API key"
    if "Timeout" in name:
        return f"llm {backend}: request timed out"
    if "Connection" in name:
        return f"llm {backend}: cannot connect to the server"
    return f"llm {backend}: {name}" + (f" (HTTP {status})" if status else "")
