"""Parse retrieved passages into title, labelled sections and numbered steps (no rewriting)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_STEP = re.compile(
    r"^\s*(?:\d{1,2}\s*[.、)．]|[（(]\d{1,2}[）)]|第[一二三四五六七八九十]+步[：:，,]?)\s*(?P<text>.+)$"
)
_HEADING = re.compile(r"^\s*#{1,6}\s*(?P<text>.+?)\s*#*\s*$")
KNOWN_HEADINGS = {
    "cause", "causes", "why", "fix", "fixes", "solution", "solutions", "steps", "answer",
    "problem", "resolution", "workaround", "原因", "解决步骤", "解决方法", "解决办法", "解答",
    "答案", "题目", "步骤", "修复步骤",
}


@dataclass
class Section:
    """A heading with its lines (steps are kept separately)."""

    heading: str
    lines: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        return " ".join(line for line in self.lines if line)


@dataclass
class Article:
    """A parsed passage: first heading as title, then sections in order."""

    title: str
    sections: list[Section]

    @property
    def steps(self) -> list[str]:
        return [s for section in self.sections for s in section.steps]

    def section(self, *names: str) -> Section | None:
        """The first section whose heading starts with one of `names` (case-insensitive)."""
        wanted = tuple(n.lower() for n in names)
        return next((s for s in self.sections if s.heading.lower().startswith(wanted)), None)


def _heading(line: str) -> str | None:
    match = _HEADING.match(line)
    if match:
        return match.group("text")
    bare = line.strip().rstrip(":：")
    return bare if bare.lower() in KNOWN_HEADINGS else None


def parse(text: str) -> Article:
    """Split a passage into sections; numbered lines become steps, wrapped lines are joined."""
    title = ""
    sections = [Section(heading="")]
    in_step = False
    for raw in text.splitlines():
        line = raw.strip()
        heading = _heading(line) if line else None
        if heading is not None:
            if not title and raw.lstrip().startswith("#") and raw.lstrip()[:2] == "# ":
                title = heading
            else:
                sections.append(Section(heading=heading))
            in_step = False
            continue
        step = _STEP.match(line)
        current = sections[-1]
        if step:
            current.steps.append(step.group("text").strip())
            in_step = True
        elif line and in_step:
            current.steps[-1] += " " + line
        else:
            in_step = False
            current.lines.append(line)
    if not title:
        first = next((line for line in sections[0].lines if line), "")
        title = first[:120]
    return Article(title=title, sections=[s for s in sections if s.heading or s.lines or s.steps])
