"""`mmrag validate`: the config, plus what it points at (sources, prompt), without heavy imports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipelines.config.prompts import load_prompt
from pipelines.config.schema import PipelineConfig, is_glob
from pipelines.config.settings import installed_example_hint, load_config
from pipelines.errors import ConfigError


def validate_config(name_or_path: str, overrides: list[str] | dict[str, Any] | None = None
                    ) -> PipelineConfig:
    """Load the config and check that its sources exist and its prompt loads."""
    config = load_config(name_or_path, overrides)
    for i, source in enumerate(config.sources):
        path = source.path
        if not is_glob(path) and not Path(path).exists():
            raise ConfigError(f"{config.path}: sources.{i}.path: source path not found: {path}"
                              + installed_example_hint(config.path))
    if config.prompt:
        load_prompt(config.prompt)
    return config
