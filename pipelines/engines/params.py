"""Params models of the built-in answer engines: each engine's own `llm:` keys.

Only pydantic is imported here, so `llm:` settings are checked without importing the engines.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ExtractiveParams(BaseModel):
    """`llm.type: extractive` (the offline answerer)."""

    model_config = ConfigDict(extra="forbid")

    max_steps: int = Field(8, ge=1, description="extractive: most steps quoted")
    sentence_candidates: int = Field(
        8, ge=0, description="extractive: sentences embedded to choose the quoted ones, the "
        "best by query words first; 0 = every sentence of the passages")
    min_relevance: float = Field(
        0.86, ge=0.0, le=1.01, description="extractive: at this top cosine (or with an exact "
        "identifier match) it answers; below, see relevance_floor")
    relevance_floor: float = Field(
        0.815, ge=0.0, le=1.0, description="extractive: between this and min_relevance it "
        "answers when the best passage holds min_coverage of the question's words; below, "
        "'no relevant information found'")
    min_coverage: float = Field(0.2, ge=0.0, le=1.0, description="extractive: see "
                                "relevance_floor (words also count in CC-CEDICT translation)")


class OpenAIParams(BaseModel):
    """`llm.type: openai` and `openai-like` (a chat completion API, with images)."""

    model_config = ConfigDict(extra="forbid")

    api_base: str | None = None
    api_key_env: str | None = None
    temperature: float = Field(0.1, ge=0.0, le=2.0)
    max_tokens: int | None = Field(None, ge=1)
    max_retries: int = Field(3, ge=0, description="retries with backoff on 429/5xx/timeouts")
    max_images: int = Field(2, ge=0, description="retrieved images sent to the LLM")
    image_max_side: int = Field(1024, ge=64, description="images are resized to fit this")
    stream_usage: bool = Field(True, description="ask for token usage when streaming")
    price_per_million: dict[str, float] | None = Field(
        None, description="USD per million tokens {input, output}; default: known models")
    params: dict[str, object] = Field(default_factory=dict,
                                      description="other arguments of the LlamaIndex LLM class")
