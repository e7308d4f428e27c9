"""`--where` filters apply to the CLIP searches too (tiny random CLIP, real Chroma)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from pipelines.runner import Runner
from tests.conftest import write_config
from tests.tiny_clip import build_tiny_clip


def _picture(path: Path, colour: str, shape: str) -> None:
    img = Image.new("RGB", (96, 96), colour)
    draw = ImageDraw.Draw(img)
    (draw.ellipse if shape == "disc" else draw.rectangle)((20, 20, 76, 76), fill="black")
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)


@pytest.fixture(scope="module")
def clipped(tmp_path_factory: pytest.TempPathFactory) -> Runner:
    """Text-free images in kb/a and kb/b (findable by CLIP only) and one note."""
    root = tmp_path_factory.mktemp("clip-where")
    model = build_tiny_clip(root / "tiny-clip")
    _picture(root / "kb" / "a" / "checker.png", "yellow", "square")
    _picture(root / "kb" / "b" / "disc.png", "navy", "disc")
    _picture(root / "kb" / "b" / "square.png", "green", "square")
    (root / "kb" / "b" / "note.md").write_text("# Printer\n\nTurn the printer on.\n")
    body = ("name: clipwhere\nsources: [{path: kb}]\nocr: {languages: [eng]}\n"
            f"index: {{image_embedding: {{type: clip, model: {model}}}}}\n")
    runner = Runner.from_config(write_config(root, body))
    assert not runner.ingest(workers=0).failed
    return runner


def test_where_filters_the_clip_searches(clipped: Runner, tmp_path: Path) -> None:
    twin = tmp_path / "query.png"
    shutil.copy(clipped.config.folder / "kb" / "a" / "checker.png", twin)
    found = clipped.query("what is this picture?", images=[twin])
    assert found.sources[0].source == "kb/a/checker.png"  # CLIP finds its twin first
    for where in ("source=kb/b/*", ["modality=image", "source!=kb/a/checker.png"]):
        answer = clipped.query("what is this picture?", images=[twin], where=where)
        assert answer.sources, where
        assert all(s.source.startswith("kb/b/") for s in answer.sources), (where, [
            s.source for s in answer.sources])
