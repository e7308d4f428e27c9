"""Prompt templates as YAML data with declared variables, rendered strictly."""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

from pipelines.errors import ConfigError
from pipelines.settings import prompts_dir, read_yaml

_KEYS = {"name", "description", "variables", "system", "template"}


@dataclass
class Prompt:
    """A system text and a user template with `{variable}` fields."""

    name: str
    system: str
    template: str
    variables: list[str]

    def render(self, **values: str) -> tuple[str, str]:
        """(system, user) text; every declared variable must be given, and no other."""
        missing = [v for v in self.variables if v not in values]
        if missing:
            raise ConfigError(f"prompt {self.name!r}: missing variable(s): {', '.join(missing)}")
        extra = [v for v in values if v not in self.variables]
        if extra:
            raise ConfigError(f"prompt {self.name!r}: undeclared variable(s): {', '.join(extra)}")
        return self.system.format(**values), self.template.format(**values)


def load_prompt(name_or_path: str) -> Prompt:
    """Load `prompts/<name>.yaml` (or a YAML path) and check its fields against `variables`."""
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = prompts_dir() / f"{name_or_path}.yaml"
    if not path.is_file():
        names = sorted(p.stem for p in prompts_dir().glob("*.yaml"))
        raise ConfigError(f"prompt {name_or_path!r} not found; valid: {', '.join(names)}")
    data = read_yaml(path)
    unknown = set(data) - _KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {sorted(unknown)}; valid: {sorted(_KEYS)}")
    prompt = Prompt(
        name=str(data.get("name", path.stem)),
        system=str(data.get("system", "")),
        template=str(data.get("template", "")),
        variables=list(data.get("variables", [])),
    )
    used = {f for text in (prompt.system, prompt.template)
            for _, f, _, _ in string.Formatter().parse(text) if f}
    if used - set(prompt.variables):
        raise ConfigError(f"{path}: template uses undeclared variable(s) "
                          f"{sorted(used - set(prompt.variables))}")
    return prompt
