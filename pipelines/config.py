"""The pipeline config schema (pydantic, `extra="forbid"`); loading lives in `settings.py`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from pipelines import registry


class Strict(BaseModel):
    """Base for config sections: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


class SourceConfig(Strict):
    path: str
    loader: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("loader")
    @classmethod
    def _known_loader(cls, value: str | None) -> str | None:
        if value is not None:
            registry.check_name("loader", value)
        return value


class OcrConfig(Strict):
    engine: str = "tesseract"
    languages: list[str] = Field(default_factory=lambda: ["eng", "chi_sim"])
    psm: int = Field(3, ge=0, le=13)

    @field_validator("engine")
    @classmethod
    def _known_engine(cls, value: str) -> str:
        registry.check_name("ocr", value)
        return value


class StoreConfig(Strict):
    type: str = "chroma"
    path: str | None = None
    host: str | None = None
    port: int | None = None
    ssl: bool = False
    collection: str | None = None
    auth_header: str = Field("X-Chroma-Token", pattern=r"^[A-Za-z0-9-]+$",
                             description="server: HTTP header that carries the token")
    auth_token_env: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                                       description="server: environment variable with the token")

    @field_validator("type")
    @classmethod
    def _known_store(cls, value: str) -> str:
        registry.check_name("store", value)
        return value

    @model_validator(mode="after")
    def _where(self) -> StoreConfig:
        if self.host and self.path:
            raise ValueError("set either 'path' (on disk) or 'host'/'port' (a Chroma server)")
        if self.auth_token_env and not self.host:
            raise ValueError("'auth_token_env' is for a Chroma server: set 'host' too")
        return self


class EmbeddingConfig(Strict):
    type: str
    model: str | None = None
    batch_size: int = Field(32, ge=1)
    params: dict[str, Any] = Field(default_factory=dict)


class TextEmbeddingConfig(EmbeddingConfig):
    type: str = "e5-small"

    @field_validator("type")
    @classmethod
    def _known(cls, value: str) -> str:
        registry.check_name("text_embedding", value)
        return value


class ImageEmbeddingConfig(EmbeddingConfig):
    type: str = "clip"

    @field_validator("type")
    @classmethod
    def _known(cls, value: str) -> str:
        registry.check_name("image_embedding", value)
        return value

    @model_validator(mode="after")
    def _model_given(self) -> ImageEmbeddingConfig:
        if self.type == "clip" and not self.model:
            raise ValueError("type clip needs 'model': a local folder or a Hugging Face name "
                             "already in your cache (mmrag never downloads)")
        return self


class IndexConfig(Strict):
    store: StoreConfig = Field(default_factory=StoreConfig)
    text_embedding: TextEmbeddingConfig = Field(default_factory=TextEmbeddingConfig)
    image_embedding: ImageEmbeddingConfig | None = None


class ChunkingConfig(Strict):
    chunk_size: int = Field(400, ge=32, description="tokens per text chunk")
    chunk_overlap: int = Field(40, ge=0)


class IngestConfig(Strict):
    workers: int | None = Field(None, ge=0, description="loader processes; null = cores")
    file_timeout: float | None = Field(300.0, gt=0, description="seconds per file")
    on_error: Literal["skip", "fail"] = "skip"


class RetrievalConfig(Strict):
    top_k: int = Field(5, ge=1, le=100)
    min_score: float = Field(0.0, ge=0.0, le=1.0, description="drop hits below this cosine")
    mode: Literal["hybrid", "dense", "lexical"] = "hybrid"
    dense_weight: float = Field(1.0, ge=0.0)
    lexical_weight: float = Field(1.0, ge=0.0)
    identifier_boost: float = Field(
        1.0, ge=0.0, description="extra lexical weight when the query has an error code/identifier")
    rrf_k: int = Field(60, ge=1, description="reciprocal rank fusion constant")
    candidates: int = Field(20, ge=1, le=500, description="hits taken from each retriever")
    translate: bool = Field(
        True, description="also search the query's CC-CEDICT translation (Chinese <-> "
        "English) and rank passages by the query in their own language")
    rewrite: bool = Field(
        False, description="with an LLM engine (llm.type openai / openai-like): the LLM "
        "translates the query in place of CC-CEDICT (cached; its tokens count in usage)")
    max_per_page: int | None = Field(
        None, ge=1, description="most hits from one page of one file (a file without pages "
        "is one page; video moments are each their own); null = no limit")
    page_images: bool = Field(True, description="cited PDF passages get their page region "
                              "rendered as image evidence")
    image_top_k: int = Field(10, ge=1, le=500, description="hits from each CLIP image search")
    image_weight: float = Field(1.0, ge=0.0, description="RRF weight: query image -> images")
    text_image_weight: float = Field(1.0, ge=0.0, description="RRF weight: query text -> images")
    rerank: str | None = Field(
        None, description="a `retrieval_stage` run after fusion to reorder the hits (short "
        "name or dotted path); none by default")

    @field_validator("rerank")
    @classmethod
    def _known_stage(cls, value: str | None) -> str | None:
        if value is not None:
            registry.check_name("retrieval_stage", value)
        return value


class LLMConfig(Strict):
    type: str = "extractive"
    model: str | None = None
    api_base: str | None = None
    api_key_env: str | None = None
    temperature: float = Field(0.1, ge=0.0, le=2.0)
    max_tokens: int | None = Field(None, ge=1)
    timeout: float = Field(60.0, gt=0)
    max_retries: int = Field(3, ge=0, description="retries with backoff on 429/5xx/timeouts")
    max_images: int = Field(2, ge=0, description="retrieved images sent to the LLM")
    image_max_side: int = Field(1024, ge=64, description="images are resized to fit this")
    stream_usage: bool = Field(True, description="ask for token usage when streaming")
    price_per_million: dict[str, float] | None = Field(
        None, description="USD per million tokens {input, output}; default: known models")
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
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("type")
    @classmethod
    def _known(cls, value: str) -> str:
        registry.check_name("llm", value)
        return value


class PipelineConfig(Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,62}[A-Za-z0-9]$")
    description: str = ""
    sources: list[SourceConfig] = Field(default_factory=list)
    ocr: OcrConfig = Field(default_factory=OcrConfig)
    index: IndexConfig = Field(default_factory=IndexConfig)
    chunking: ChunkingConfig = Field(default_factory=ChunkingConfig)
    ingest: IngestConfig = Field(default_factory=IngestConfig)
    retrieval: RetrievalConfig = Field(default_factory=RetrievalConfig)
    llm: LLMConfig = Field(default_factory=LLMConfig)
    prompt: str | None = None
    _path: Path | None = PrivateAttr(None)

    @property
    def path(self) -> Path | None:
        """The YAML file this config came from (None when built in code)."""
        return self._path

    @property
    def folder(self) -> Path:
        """Relative paths resolve against this folder."""
        return self._path.parent if self._path else Path.cwd()
