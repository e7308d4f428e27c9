"""The server's settings: a YAML file (optional) plus `--set` overrides, validated strictly."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator

from loaders.ocr import MAX_PIXELS
from pipelines.config.schema import Strict
from pipelines.errors import ConfigError

LOOPBACK = ("127.0.0.1", "::1", "localhost")


class AuthConfig(Strict):
    keys_env: str | None = Field(
        "MMRAG_API_KEYS", description="environment variable holding the API keys "
        "(comma- or space-separated); clients send one as `Authorization: Bearer KEY`")
    keys_file: str | None = Field(None, description="file with one API key per line")


class LimitsConfig(Strict):
    max_body_mb: float = Field(20.0, gt=0, description="largest request body")
    max_images: int = Field(4, ge=0, description="images per request")
    max_image_pixels: int = Field(MAX_PIXELS, ge=1, description="pixels per image")
    max_question_chars: int = Field(4000, ge=1, description="characters of question text")
    rate_limit: str = Field("120/minute", description="per API key (per client address "
                            "without keys), `limits` syntax; empty = no limit")
    max_concurrent: int = Field(4, ge=1, description="queries answered at once")
    queue_size: int = Field(32, ge=0, description="queries waiting for a slot; more get 503")


class ServeConfig(Strict):
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    workers: int = Field(1, ge=1, le=64, description="server processes")
    pipelines: list[str] = Field(default_factory=list,
                                 description="names or YAML paths; empty = every shipped one")
    auth: AuthConfig = Field(default_factory=AuthConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    cors_origins: list[str] = Field(default_factory=list, description="CORS is off when empty")
    allow_remote_images: bool = Field(
        False, description="fetch http(s) image URLs sent by clients (off: no server-side "
        "fetching)")
    allow_unauthenticated: bool = Field(
        False, description="serve on a non-loopback address without API keys")
    pipeline_overrides: list[str] = Field(
        default_factory=list, description="`key.path=value` applied to every pipeline")

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        if value != "localhost":
            try:
                ipaddress.ip_address(value)
            except ValueError:
                raise ValueError(f"{value!r} is not an IP address or 'localhost'") from None
        return value

    def is_loopback(self) -> bool:
        return self.host in LOOPBACK or ipaddress.ip_address(self.host).is_loopback


def load_serve_config(path: str | Path | None, overrides: list[str] | None = None
                      ) -> ServeConfig:
    """The server settings from `path` (or defaults) with `key.path=value` overrides."""
    from pipelines.config.settings import describe, parse_override, read_yaml, set_key

    source = Path(path) if path else Path("(server settings)")
    data: dict[str, Any] = read_yaml(source) if path else {}
    for text in overrides or []:
        key, value = parse_override(text)
        set_key(data, key, value, source)
    try:
        return ServeConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe(exc, source, ServeConfig)) from None


def read_keys(auth: AuthConfig, environ: dict[str, str]) -> list[str]:
    """The API keys: from the environment variable and the keys file (never logged)."""
    keys = (environ.get(auth.keys_env, "") if auth.keys_env else "").replace(",", " ").split()
    if auth.keys_file:
        try:
            text = Path(auth.keys_file).expanduser().read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{auth.keys_file}: cannot read the API keys file "
                              f"({exc.strerror})") from None
        keys += [line.strip() for line in text.splitlines()
                 if line.strip() and not line.lstrip().startswith("#")]
    return keys
