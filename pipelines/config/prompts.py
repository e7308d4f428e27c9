"""Prompt templates as YAML data with declared variables, rendered strictly."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.config.settings import prompts_dir, read_yaml
from pipelines.errors import ConfigError

# the generic multimodal RAG prompt (prompts/default.yaml), used when a config has no `prompt:`
DEFAULT_PROMPT = "default"
_KEYS = {"name", "description", "variables", "system", "template"}
_FENCE = re.compile(r"<(?P<tag>[A-Za-z][\w.-]*)(?:\s[^<>]*)?>(?P<body>.*?)</(?P=tag)\s*>",
                    re.S)


QUOTE = '"""'  # the fence of each evidence block in an LLM prompt


def quoted_block(head: str, body: str) -> str:
    """`head` and `body` as one quoted data block of a prompt's context; a triple quote in
    either cannot end the block early."""
    safe = [part.replace(QUOTE, "'''") for part in (head, body)]
    return f"{safe[0]}\n{QUOTE}\n{safe[1]}\n{QUOTE}"


def fence_safe(text: str) -> str:
    """`text` made safe to quote inside a `<tag>...</tag>` fence: every ASCII `<` and `>`
    becomes `&lt;` / `&gt;`, so no tag at all (a closing or opening fence in any case, spacing,
    attributes or look-alike name) can appear in it. Idempotent (`&` is left alone).

    Full-width and other look-alike brackets (`＜` `‹` `〈`) are kept: they are not markup to
    any tokenizer or parser, the fences are exact ASCII tags, and CJK text uses them.
    """
    return text.replace("<", "&lt;").replace(">", "&gt;")


def fenced_variables(*texts: str) -> frozenset[str]:
    """Names of the `{variables}` placed between a `<tag>` and its `</tag>` in `texts`."""
    return frozenset(f for text in texts for match in _FENCE.finditer(text)
                     for _, f, _, _ in string.Formatter().parse(match["body"]) if f)


@dataclass
class Prompt:
    """A system text and a user template with `{variable}` fields."""

    name: str
    system: str
    template: str
    variables: list[str]
    fenced: frozenset[str] = field(default_factory=frozenset)

    def render(self, **values: str) -> tuple[str, str]:
        """(system, user) text; every declared variable must be given, and no other.

        A value quoted inside a fence (`fenced`) goes through `fence_safe`, so quoted data
        (OCR text, retrieved passages and their file names) cannot close its fence early.
        """
        missing = [v for v in self.variables if v not in values]
        if missing:
            raise ConfigError(f"prompt {self.name!r}: missing variable(s): {', '.join(missing)}")
        extra = [v for v in values if v not in self.variables]
        if extra:
            raise ConfigError(f"prompt {self.name!r}: undeclared variable(s): {', '.join(extra)}")
        values = {k: fence_safe(v) if k in self.fenced else v for k, v in values.items()}
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
    system, template = str(data.get("system", "")), str(data.get("template", ""))
    prompt = Prompt(name=str(data.get("name", path.stem)), system=system, template=template,
                    variables=list(data.get("variables", [])),
                    fenced=fenced_variables(system, template))
    used = {f for text in (prompt.system, prompt.template)
            for _, f, _, _ in string.Formatter().parse(text) if f}
    if used - set(prompt.variables):
        raise ConfigError(f"{path}: template uses undeclared variable(s) "
                          f"{sorted(used - set(prompt.variables))}")
    return prompt
