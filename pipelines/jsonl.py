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


def read_items(path: Path) -> list[Item]:
    """Parse a JSONL file; image paths resolve against the file's folder; ids must be unique."""
    if not path.is_file():
        raise InputError(f"{path}: input file not found")
    items: list[Item] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: invalid JSON ({exc.msg})") from None
        if not isinstance(data, dict) or not isinstance(data.get("question"), str):
            raise InputError(f"{path}:{number}: expected an object with a 'question' string")
        item_id = str(data.get("id", f"line{number}"))
        if item_id in seen:
            raise InputError(f"{path}:{number}: duplicate id {item_id!r}")
        seen.add(item_id)
        images = data.get("image") or []
        images = [images] if isinstance(images, str) else list(images)
        extra = {k: v for k, v in data.items() if k not in ("id", "question", "image")}
        items.append(Item(item_id, data["question"],
                          [str((path.parent / img).resolve()) for img in images], extra))
    return items
