"""The pipeline config schema (pydantic, `extra="forbid"`); loading lives in `settings.py`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from loaders.registry import label
from pipelines import registry
from pipelines.config import params


class Strict(BaseModel):
    """Base for config sections: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


class Component(BaseModel):
    """A section naming a component (`kind`, by its `type`/`engine` field): the section's
    other keys are the component's own settings, checked against its Params model and
    kept (defaults filled in) as extra fields, so `llm.min_relevance` reads and dumps as
    before. The typed settings are `settings`."""

    model_config = ConfigDict(extra="allow")
    kind: ClassVar[str] = ""
    name_field: ClassVar[str] = "type"
    load_dotted: ClassVar[bool] = False  # import a dotted path even with no settings given
    _model: type[BaseModel] | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _own_settings(self) -> Component:
        name = getattr(self, self.name_field)
        extra = dict(self.model_extra or {})
        try:
            model = params.component(self.kind, name, load=self.load_dotted or bool(extra))
        except ValueError as exc:
            raise params.ParamsError([((self.name_field,), str(exc))]) from None
        shared = list(type(self).model_fields)
        owner = f"{label(self.kind)} {name!r}"
        checked = params.check(model, extra, (), shared, owner)
        self._model = model
        if checked is not None:
            self.__pydantic_extra__ = checked.model_dump(by_alias=True)
        return self

    @property
    def settings(self) -> BaseModel | None:
        """The component's typed settings (None when it declares no Params or a dotted path
        was not imported at validation)."""
        model = self._model
        return model.model_validate(self.model_extra or {}) if model else None


class SourceConfig(Strict):
    path: str
    kind: Literal["files", "cases"] = Field(
        "files", description="files: each file on its own; cases: each sub-folder (its files "
        "plus case.yaml/case.json fields) or each row of a CSV/JSONL manifest is one case")
    loader: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_loader(self) -> SourceConfig:
        if self.loader is not None:
            try:
                model = params.component("loader", self.loader, load=bool(self.params))
            except ValueError as exc:
                raise params.ParamsError([(("loader",), str(exc))]) from None
            if model is not None:  # a loader without Params takes its params unchecked
                params.check(model, self.params, ("params",), owner=f"loader {self.loader!r}")
        else:
            names = registry.current().automatic("loader")
            models = [params.component("loader", n, load=True) for n in names]
            params.check_any(models, self.params, ("params",))
        return self


class OcrConfig(Component):
    kind: ClassVar[str] = "ocr"
    name_field: ClassVar[str] = "engine"
    load_dotted: ClassVar[bool] = True
    engine: str = "tesseract"
    languages: list[str] = Field(default_factory=lambda: ["eng", "chi_sim"])
    psm: int = Field(3, ge=0, le=13)


class StoreConfig(Component):
    kind: ClassVar[str] = "store"
    load_dotted: ClassVar[bool] = True
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

    @model_validator(mode="after")
    def _where(self) -> StoreConfig:
        if self.host and self.path:
            raise ValueError("set either 'path' (on disk) or 'host'/'port' (a Chroma server)")
        if self.type == "lancedb" and self.host:
            raise ValueError("type lancedb is embedded (on disk): set 'path', not 'host'")
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
        params.check_name("text_embedding", value)
        return value


class ImageEmbeddingConfig(EmbeddingConfig):
    type: str = "clip"

    @field_validator("type")
    @classmethod
    def _known(cls, value: str) -> str:
        params.check_name("image_embedding", value)
        return value

    @model_validator(mode="after")
    def _model_given(self) -> ImageEmbeddingConfig:
        if self.type == "clip" and not self.model:
            raise ValueError("type clip needs 'model': a local folder or a Hugging Face name "
                             "already in your cache (mmrag never downloads)")
        return self


class StateConfig(Strict):
    """Where the pipeline state (catalog, BM25 rows, run log, ingest lock, evidence images)
    lives when not in the index folder's SQLite file: a PostgreSQL database."""

    url: str = Field(pattern=r"^postgres(ql)?://",
                     description="postgresql://user@host:port/db (no password in it)")
    password_env: str | None = Field(
        None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="environment variable with the password (default: libpq's PGPASSWORD)")
    namespace: str | None = Field(
        None, pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="PostgreSQL schema of this pipeline's tables (default mmrag_<collection>)")

    @field_validator("url")
    @classmethod
    def _no_password(cls, url: str) -> str:
        from urllib.parse import urlsplit

        if urlsplit(url).password is not None:  # the message must not repeat it
            raise ValueError("the URL holds a password: put it in an environment variable "
                             "(PGPASSWORD, or the one named by 'password_env') instead")
        return url


class IndexConfig(Strict):
    store: StoreConfig = Field(default_factory=StoreConfig)
    state: StateConfig | None = None
    text_embedding: TextEmbeddingConfig = Field(default_factory=TextEmbeddingConfig)
    image_embedding: ImageEmbeddingConfig | None = None


class ChunkingConfig(Strict):
    chunk_size: int = Field(400, ge=32, description="tokens per text chunk")
    chunk_overlap: int = Field(40, ge=0)


class IngestConfig(Strict):
    workers: int | None = Field(None, ge=0, description="loader processes; null = cores")
    file_timeout: float | None = Field(300.0, gt=0, description="seconds per file")
    on_error: Literal["skip", "fail"] = "skip"
    executor: Literal["local", "ray"] = Field(
        "local", description="where files load: local processes, or Ray tasks (mmrag[ray])")
    ray_address: str | None = Field(
        None, description="executor ray: the cluster (host:6379, ray://host:10001); "
        "null = start a local Ray for the run")


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
        2, ge=1, description="most hits from one page of one file (a file without pages "
        "is one page; video moments are each their own; not applied with unit: case); null = "
        "no limit")
    named_page_weight: float = Field(
        1.0, ge=0.0, description="RRF weight of the passages of the pages a question names "
        "(\"the chart on page 14\", \"slides 3-10\", \"第 5 页\"); 0 = off")
    page_images: bool = Field(True, description="cited PDF passages get their page region "
                              "rendered as image evidence")
    image_top_k: int = Field(10, ge=1, le=500, description="hits from each CLIP image search")
    image_weight: float = Field(1.0, ge=0.0, description="RRF weight: query image -> images")
    text_image_weight: float = Field(1.0, ge=0.0, description="RRF weight: query text -> images")
    rerank: str | None = Field(
        None, description="a `retrieval_stage` run after fusion to reorder the hits (short "
        "name or dotted path); none by default")
    unit: Literal["passage", "case"] = Field(
        "passage", description="what an answer ranks: passages, or cases (sources of "
        "`kind: cases`) scored from their passages and images")
    case_scoring: Literal["max", "rrf"] = Field(
        "max", description="unit: case: a case's score is its best part's reciprocal rank "
        "(max) or the sum over its parts (rrf); max measured as good or better "
        "(docs/cases.md)")
    case_candidates: int = Field(60, ge=1, le=1000,
                                 description="unit: case: passages ranked before grouping")
    duplicates: bool = Field(False, description="report query images that are near-duplicates "
                             "of indexed images (perceptual hashes)")

    @property
    def page_limit(self) -> int | None:
        """`max_per_page` where it applies: passages; cases are ranked from all their parts
        (`pipelines.query.cases`), so none of them is skipped."""
        return self.max_per_page if self.unit == "passage" else None

    @field_validator("rerank")
    @classmethod
    def _known_stage(cls, value: str | None) -> str | None:
        if value is not None:
            params.check_name("retrieval_stage", value)
        return value


class LLMConfig(Component):
    """What every answer engine shares; each engine's own keys (e.g. `min_relevance` for
    extractive, `api_base` for openai) are checked against its Params (`settings`)."""

    kind: ClassVar[str] = "llm"
    type: str = "extractive"
    model: str | None = Field(None, description="the model name, for engines that use one")
    timeout: float = Field(60.0, gt=0, description="seconds an engine may wait per request")


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


def is_glob(path: str) -> bool:
    """Whether a source path is a glob pattern rather than a file or folder."""
    return any(ch in path for ch in "*?[")
