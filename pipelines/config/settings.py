"""Load a pipeline config: find it, expand `${ENV}`, apply `--set` overrides, validate."""

from __future__ import annotations

import difflib
import os
import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from pipelines.errors import ConfigError

if TYPE_CHECKING:  # pydantic models load only when a config is validated (fast `mmrag list`)
    from pydantic import BaseModel, ValidationError

    from pipelines.config.schema import PipelineConfig

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def shipped_dir(kind: str) -> Path:
    """The shipped `configs` or `prompts`: package data of `pipelines.shipped`, in an installed
    wheel as in a checkout (where they link to the top-level folders; resolved, so a config's
    relative paths are relative to `configs/` there)."""
    return Path(str(resources.files("pipelines.shipped") / kind)).resolve()


def installed_example_hint(config_path: Path | None) -> str:
    """For a shipped config read from an installed wheel (its example files are not
    installed), what to do instead; empty otherwise (a checkout has them)."""
    package = Path(str(resources.files("pipelines"))).resolve()
    if config_path is None or not Path(config_path).resolve().is_relative_to(package):
        return ""
    return ("; the shipped pipelines' example files are in the mmrag repository, not in the "
            "installed package: write a config whose sources are your own files "
            "(docs/packaging.md)")


def configs_dir() -> Path:
    """Where named pipelines live: `$MMRAG_CONFIGS_DIR`, else the shipped configs."""
    return Path(os.environ.get("MMRAG_CONFIGS_DIR") or shipped_dir("configs"))


def prompts_dir() -> Path:
    """Where prompt templates live: `$MMRAG_PROMPTS_DIR`, else the shipped prompts."""
    return Path(os.environ.get("MMRAG_PROMPTS_DIR") or shipped_dir("prompts"))


def pipeline_names() -> list[str]:
    """Names of the pipelines in `configs_dir()` (file stems)."""
    return sorted(p.stem for p in configs_dir().glob("*.yaml"))


def find_config(name_or_path: str | Path) -> Path:
    """A pipeline name from `configs/` or a path to a YAML file."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        if not candidate.is_file():
            raise ConfigError(f"{candidate}: config file not found")
        return candidate.resolve()
    named = configs_dir() / f"{name_or_path}.yaml"
    if named.is_file():
        return named
    names = pipeline_names()
    close = difflib.get_close_matches(str(name_or_path), names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ConfigError(
        f"unknown pipeline {str(name_or_path)!r}; valid: {', '.join(names) or '(none)'}{hint}"
    )


def read_yaml(path: Path) -> dict[str, Any]:
    """Parse a YAML mapping with `safe_load`; errors name the file and line."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}:{where} invalid YAML ({getattr(exc, 'problem', exc)})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of config keys at the top level")
    return data


def load_config(name_or_path: str | Path, overrides: list[str] | dict[str, Any] | None = None
                ) -> PipelineConfig:
    """Load, override, expand and validate a pipeline config.

    Args:
        name_or_path: A pipeline name from `configs/` or a path to a YAML file.
        overrides: `key.path=value` strings (values parsed as YAML) or a {key.path: value} dict.
    """
    path = find_config(name_or_path)
    data = read_yaml(path)
    data.setdefault("name", path.stem)
    if isinstance(overrides, dict):
        items = list(overrides.items())
    else:
        items = [parse_override(text) for text in overrides or []]
    for key, value in items:
        set_key(data, key, value, path)
    data = _expand_env(data, path, "")
    from pydantic import ValidationError

    from pipelines.config.schema import PipelineConfig

    try:
        config = PipelineConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe(exc, path)) from None
    config._path = path
    resolve_paths(config)
    return config


def dump_config(config: PipelineConfig) -> str:
    """The resolved config (defaults included) as YAML; loading it gives the same config."""
    data = config.model_dump(mode="json")
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def parse_override(text: str) -> tuple[str, Any]:
    """`a.b=value` -> ("a.b", typed value); values are YAML (numbers, booleans, lists)."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set {text!r}: expected key.path=value")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return key.strip(), value


def set_key(data: dict[str, Any], dotted: str, value: Any, path: Path) -> None:
    """Set `dotted` (e.g. `index.store.path`, `sources.0.path`) inside nested data."""
    parts = dotted.split(".")
    node: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ConfigError(f"{path}: --set {dotted}: no list item {part!r}")
            if last:
                node[int(part)] = value
            else:
                node = node[int(part)]
            continue
        if last:
            node[part] = value
        else:
            if not isinstance(node.get(part), dict | list):
                node[part] = {}
            node = node[part]


def _expand_env(value: Any, path: Path, where: str) -> Any:
    if isinstance(value, dict):
        return {k: _expand_env(v, path, f"{where}.{k}".lstrip(".")) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_env(v, path, f"{where}.{i}") for i, v in enumerate(value)]
    if isinstance(value, str):
        def sub(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in os.environ:
                raise ConfigError(f"{path}: {where}: environment variable {name} is not set")
            return os.environ[name]

        return _ENV.sub(sub, value)
    return value


def resolve_paths(config: PipelineConfig) -> None:
    """Make the config's relative paths absolute against its folder."""
    folder = config.folder
    for source in config.sources:
        source.path = _absolute(folder, source.path)
    store = config.index.store
    if store.path:
        store.path = _absolute(folder, store.path)
    elif not store.host:
        store.path = str(folder / ".mmrag" / config.name)
    if config.prompt and (config.prompt.endswith((".yaml", ".yml")) or "/" in config.prompt):
        config.prompt = _absolute(folder, config.prompt)


def _absolute(folder: Path, value: str) -> str:
    expanded = Path(value).expanduser()
    return str(expanded if expanded.is_absolute() else (folder / expanded).resolve())


def describe(exc: ValidationError, path: Path, model: type[BaseModel] | None = None) -> str:
    """One line per problem: file, key path, what is wrong, valid choices, closest match.

    `model` is the root of the key paths (default: `PipelineConfig`)."""
    return "; ".join(line for err in exc.errors() for line in _describe_one(err, path, model))


def _describe_one(err: dict[str, Any], path: Path, model: type[BaseModel] | None
                  ) -> list[str]:
    from pipelines.config.params import ParamsError

    loc = [str(p) for p in err["loc"]]
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, ParamsError):  # a component's settings: one line per bad key
        return [f"{path}: {'.'.join([*loc, *where])}: {message}"
                for where, message in cause.problems]
    return [_describe_plain(err, loc, path, model)]


def _describe_plain(err: dict[str, Any], loc: list[str], path: Path,
                    model: type[BaseModel] | None) -> str:
    key = ".".join(loc) or "(top level)"
    if err["type"] == "extra_forbidden":
        valid = _valid_keys(loc[:-1], model)
        close = difflib.get_close_matches(loc[-1], valid, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"{path}: {key}: unknown key; valid keys here: {', '.join(valid)}{hint}"
    message = err["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    return f"{path}: {key}: {message}"


def _valid_keys(loc: list[str], root: type[BaseModel] | None = None) -> list[str]:
    """Field names of the model at `loc` inside `root` (default: PipelineConfig)."""
    from pipelines.config.schema import PipelineConfig

    model: Any = root or PipelineConfig
    for part in loc:
        if part.isdigit():
            continue
        field = model.model_fields.get(part) if _is_model(model) else None
        if field is None:
            return []
        model = _model_in(field.annotation)
    return list(model.model_fields) if _is_model(model) else []


def _is_model(obj: Any) -> bool:
    from pydantic import BaseModel

    return isinstance(obj, type) and issubclass(obj, BaseModel)


def _model_in(annotation: Any) -> Any:
    if _is_model(annotation):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
