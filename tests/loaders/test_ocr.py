"""OCR on hard images: text height, huge and upside-down text, RapidOCR offline and as fallback."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont, ImageOps

from loaders.errors import MissingDependencyError
from loaders.ocr import Ocr, _reading_order, open_image, rapidocr_installed, weak
from loaders.preprocess import scale_factor, text_height
from tests.conftest import CORPUS, EXAMPLES

RAPID = CORPUS / "RapidOCR/python/tests/test_files"
LINE = "磁盘空间不足"  # bold 22 px text in a shipped screenshot


def zh_line() -> Image.Image:
    """The line `LINE` cut out of a shipped Chinese screenshot (no CJK font needed)."""
    shot = EXAMPLES / "error-screenshot-support/queries/shot19-zh-disk-space.png"
    return Image.open(shot).convert("RGB").crop((770, 444, 892, 474))


def lines_of_text(font_size: int, size: tuple[int, int] = (700, 400)) -> Image.Image:
    img = Image.new("L", size, 255)
    font = ImageFont.load_default(size=font_size)
    for row in range(3):
        y = 20 + row * font_size * 2
        ImageDraw.Draw(img).text((20, y), "Hyphen jumps quickly", fill=0, font=font)
    return img


def squash(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def tesseract(tmp_path: Path) -> Ocr:
    return Ocr("tesseract", ["eng", "chi_sim"], cache_dir=tmp_path, fallback=False)


def test_text_height_follows_the_text_not_the_image() -> None:
    small, large = text_height(lines_of_text(16)), text_height(lines_of_text(60))
    assert small and large and 2.8 < large / small < 4.5
    assert scale_factor(lines_of_text(16)) == 3  # small image, small text: upscaled
    assert scale_factor(lines_of_text(60)) < 1.2  # small image, large text: left alone


def test_huge_white_text_on_transparent_is_scaled_down(tesseract: Ocr) -> None:
    line = ImageOps.grayscale(zh_line()).resize((122 * 9, 30 * 9), Image.LANCZOS)
    clear = Image.new("RGBA", line.size, (255, 255, 255, 0))
    clear.putalpha(ImageOps.invert(line))  # white ink where the text was dark
    assert LINE in squash(tesseract.image(clear).text)


def test_upside_down_line_is_read(tesseract: Ocr) -> None:
    assert LINE in squash(tesseract.image(zh_line().rotate(180)).text)


@pytest.mark.corpus
@pytest.mark.skipif(not RAPID.is_dir(), reason="shared corpus absent")
@pytest.mark.parametrize(("name", "first_line"), [
    ("white_font_color_transparent.png", "我是中国人"),  # plain Tesseract reads nothing
    ("text_cls.jpg", "怪我咯"),  # upside down
])
def test_corpus_chinese_first_lines(tesseract: Ocr, name: str, first_line: str) -> None:
    assert first_line in squash(tesseract.image(open_image(RAPID / name)).text)


def test_rapidocr_boxes_of_one_line_are_joined_left_to_right() -> None:
    def box(x: float, y: float, text: str) -> tuple[np.ndarray, str, float]:
        return np.array([(x, y), (x + 90, y), (x + 90, y + 40), (x, y + 40)], float), text, 99.0

    lines = _reading_order([box(300, 102, "中国"), box(0, 100, "我"), box(100, 96, "是"),
                            box(0, 200, "第二行")])
    assert [[text for _, text, _ in line] for line in lines] == [["我", "是", "中国"], ["第二行"]]


def test_only_weak_readings_are_given_to_the_fallback() -> None:
    english = [("Permission", 92.0), ("denied", 95.0), ("while", 90.0), ("connecting", 91.0)]
    assert not weak(english + [("拒", 40.0)])  # a stray CJK guess in English text
    assert weak([("磁盘空间", 62.0), ("不足", 58.0), ("C:", 90.0)] * 10)  # unsure Chinese
    assert weak([("OK", 96.0)])  # too little text to trust
    assert not weak([("磁盘空间不足", 93.0)] * 2)


needs_rapidocr = pytest.mark.skipif(not rapidocr_installed(), reason="rapidocr extra absent")


@needs_rapidocr
def test_rapidocr_runs_offline_from_the_bundled_models(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("RapidOCR tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    rapid = Ocr("rapidocr", ["chi_sim", "eng"], cache_dir=tmp_path)  # models load in here
    assert LINE in squash(rapid.image(zh_line()).text)
    assert LINE in squash(rapid.image(zh_line().rotate(180)).text)


@needs_rapidocr
def test_rapidocr_without_its_models_is_a_one_line_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import rapidocr

    shutil.copy(Path(rapidocr.__file__).parent / "config.yaml", tmp_path)
    monkeypatch.setattr(rapidocr, "__file__", str(tmp_path / "__init__.py"))
    ocr = Ocr("rapidocr", cache_dir=tmp_path / "cache")
    with pytest.raises(MissingDependencyError, match=r"RapidOCR model .*\.onnx") as err:
        ocr.image(zh_line())
    assert "\n" not in str(err.value) and "mmrag[rapidocr]" in str(err.value)


@needs_rapidocr
@pytest.mark.corpus
@pytest.mark.skipif(not RAPID.is_dir(), reason="shared corpus absent")
def test_rapidocr_fallback_reads_what_tesseract_cannot(tmp_path: Path) -> None:
    img = open_image(RAPID / "text_rec.jpg")  # 3-D shop sign lettering
    alone = Ocr("tesseract", ["eng", "chi_sim"], cache_dir=tmp_path, fallback=False)
    helped = Ocr("tesseract", ["eng", "chi_sim"], cache_dir=tmp_path)
    assert "韩国小馆" not in squash(alone.image(img).text)
    assert "韩国小馆" in squash(helped.image(img).text)
    assert "+rapidocr" in helped.settings() and "+rapidocr" not in alone.settings()
