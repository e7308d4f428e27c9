"""JSONL input of batch and eval jobs: items with ids, questions and images."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.errors import InputError


@dataclass
class Item:
    """One question of a batch or eval file; image paths already resolved."""

    id: str
    question: str
    images: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def query_options(self) -> dict[str, str]:
        """The `case` keyword of `Runner.query` when the item names a query case folder
        (nothing otherwise, so runner stand-ins without it keep working)."""
        case = self.extra.get("case")
        return {"case": case} if isinstance(case, str) else {}


@dataclass
class BadLine:
    """A line of a JSONL input that is not a usable item."""

    id: str  # the line's own id when it has one, else `line<N>`
    error: str  # `<file>:<N>: <problem>`


def read_items(path: Path) -> list[Item]:
    """Parse a JSONL file, refusing it whole at its first bad line (see `parse_items`)."""
    items, bad = parse_items(path)
    if bad:
        raise InputError(bad[0].error)
    return items


def parse_items(path: Path) -> tuple[list[Item], list[BadLine]]:
    """Items of a JSONL file, and its bad lines (invalid JSON, no question, a repeated id).

    Image paths resolve against the file's folder.
    """
    if not path.is_file():
        raise InputError(f"{path}: input file not found")
    items: list[Item] = []
    bad: list[BadLine] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            bad.append(BadLine(f"line{number}", f"{path}:{number}: invalid JSON ({exc.msg})"))
            seen.add(f"line{number}")
            continue
        item_id = f"line{number}"
        if isinstance(data, dict):
            item_id = str(data.get("id", item_id))
        if item_id in seen:
            bad.append(BadLine(f"line{number}", f"{path}:{number}: duplicate id {item_id!r}"))
            continue
        seen.add(item_id)
        images = (data.get("image") or []) if isinstance(data, dict) else []
        images = [images] if isinstance(images, str) else images
        if not isinstance(data, dict) or not isinstance(data.get("question"), str):
            bad.append(BadLine(item_id,
                               f"{path}:{number}: expected an object with a 'question' string"))
        elif not (isinstance(images, list) and all(isinstance(i, str) for i in images)):
            bad.append(BadLine(item_id, f"{path}:{number}: 'image' must be a path or a list "
                                        "of paths"))
        else:
            extra = {k: v for k, v in data.items() if k not in ("id", "question", "image")}
            if isinstance(extra.get("case"), str):  # a case folder, relative to the file
                extra["case"] = str((path.parent / extra["case"]).resolve())
            items.append(Item(item_id, data["question"],
                              [str((path.parent / img).resolve()) for img in images], extra))
    return items, bad
