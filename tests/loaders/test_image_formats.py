"""Every image type the README lists is routed to the image loader and read by OCR."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageFont

from pipelines.runner import Runner
from tests.conftest import write_config

# suffix -> (PIL mode, a word only that file holds)
FORMATS = {".webp": ("RGB", "falcon"), ".gif": ("P", "gopher"), ".bmp": ("RGB", "walrus"),
           ".ppm": ("RGB", "pelican"), ".pgm": ("L", "otter"), ".jp2": ("RGB", "badger")}


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Runner:
    folder = tmp_path_factory.mktemp("formats")
    (folder / "kb").mkdir()
    for suffix, (mode, word) in FORMATS.items():
        img = Image.new("RGB", (700, 120), "white")
        ImageDraw.Draw(img).text((20, 30), f"Format check: the {word} entry", fill="black",
                                 font=ImageFont.load_default(size=40))
        img.convert(mode).save(folder / "kb" / f"sample{suffix}")
    config = write_config(folder, "name: formats\nsources: [{path: kb}]\n"
                                  "ocr: {languages: [eng]}\n")
    built = Runner.from_config(config)
    summary = built.ingest(workers=0)
    assert sorted(summary.loaded) == sorted(f"kb/sample{s}" for s in FORMATS), summary.text()
    return built


@pytest.mark.parametrize("suffix", list(FORMATS))
def test_image_type_is_indexed_by_its_ocr_text(runner: Runner, suffix: str) -> None:
    word = FORMATS[suffix][1]
    top = runner.query(f"the {word} entry").sources[0]
    assert top.source == f"kb/sample{suffix}" and top.modality == "image"
    assert word in top.text
