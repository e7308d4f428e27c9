"""OCR on hard images: text height, huge and upside-down text, RapidOCR offline, and the engine
chosen per image (photos RapidOCR first, screenshots Tesseract first)."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import numpy as np
import onnxruntime  # noqa: F401 (with rapidocr a default dependency: broken = failure, not skip)
import pytest
import rapidocr
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from loaders.errors import MissingDependencyError
from loaders.ocr import (
    Ocr,
    coverage,
    open_image,
    weak,
)
from loaders.preprocess import camera_exif, looks_like_photo, scale_factor, text_height
from loaders.rapidocr import _reading_order
from tests.conftest import CORPUS, EXAMPLES

RAPID = CORPUS / "RapidOCR/python/tests/test_files"
LINE = "磁盘空间不足"  # bold 22 px text in a shipped screenshot
EQUATION = "x^2 - 7x + 12 = 0"
PAPER, INK = (244, 238, 222), (34, 32, 38)


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


def worksheet_photo(path: Path) -> Path:
    """A phone photo of a worksheet, as JPEG with camera EXIF: a heading, a problem, the
    equation and a Chinese line (cut from a shipped screenshot) on paper, turned 3 degrees,
    lit from one side, blurred and noisy."""
    font = ImageFont.load_default(size=34)
    page = Image.new("RGB", (900, 400), PAPER)
    for y, text in ((50, "Exercise 5.2   Quadratic Equations"),
                    (130, "3. Solve the equation by factoring:"), (200, EQUATION)):
        ImageDraw.Draw(page).text((70, y), text, fill=INK, font=font)
    zh = ImageOps.grayscale(zh_line()).resize((183, 45), Image.LANCZOS)
    page.paste(INK, (70, 280), mask=ImageOps.autocontrast(ImageOps.invert(zh)))
    photo = page.rotate(3, resample=Image.BICUBIC, expand=True, fillcolor=PAPER)
    photo = photo.filter(ImageFilter.GaussianBlur(0.8))
    light = np.linspace(1.0, 0.72, photo.width)[None, :, None]
    noise = np.random.default_rng(7).normal(0, 6, (photo.height, photo.width, 1))
    pixels = np.clip(np.asarray(photo, float) * light + noise, 0, 255).astype(np.uint8)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "mmrag", "test phone"  # Make, Model
    Image.fromarray(pixels).save(path, quality=75, exif=exif)
    return path


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


def test_rapidocr_runs_offline_from_the_bundled_models(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("RapidOCR tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    rapid = Ocr("rapidocr", ["chi_sim", "eng"], cache_dir=tmp_path)  # models load in here
    assert LINE in squash(rapid.image(zh_line()).text)
    assert LINE in squash(rapid.image(zh_line().rotate(180)).text)


def test_rapidocr_without_its_models_is_a_one_line_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(Path(rapidocr.__file__).parent / "config.yaml", tmp_path)
    monkeypatch.setattr(rapidocr, "__file__", str(tmp_path / "__init__.py"))
    ocr = Ocr("rapidocr", cache_dir=tmp_path / "cache")
    with pytest.raises(MissingDependencyError, match=r"RapidOCR model .*\.onnx") as err:
        ocr.image(zh_line())
    assert "\n" not in str(err.value) and "mmrag[rapidocr]" in str(err.value)


@pytest.mark.corpus
@pytest.mark.skipif(not RAPID.is_dir(), reason="shared corpus absent")
def test_rapidocr_fallback_reads_what_tesseract_cannot(tmp_path: Path) -> None:
    img = open_image(RAPID / "text_rec.jpg")  # 3-D shop sign lettering
    alone = Ocr("tesseract", ["eng", "chi_sim"], cache_dir=tmp_path, fallback=False)
    helped = Ocr("tesseract", ["eng", "chi_sim"], cache_dir=tmp_path)
    assert "韩国小馆" not in squash(alone.image(img).text)
    assert "韩国小馆" in squash(helped.image(img).text)
    assert "+rapidocr" in helped.settings() and "+rapidocr" not in alone.settings()


def test_photo_is_read_by_rapidocr_first_and_keeps_the_equation(tmp_path: Path) -> None:
    path = worksheet_photo(tmp_path / "worksheet.jpg")
    assert looks_like_photo(open_image(path)) and camera_exif(open_image(path))
    ocr = Ocr(cache_dir=tmp_path / "cache")  # the pipeline's default: eng + chi_sim
    result = ocr.image_file(path)
    assert squash(EQUATION) in squash(result.text) and LINE in squash(result.text)
    assert "factoring" in result.text and result.engine == "rapidocr"
    (cached,) = (tmp_path / "cache").rglob("*.json")
    assert json.loads(cached.read_text(encoding="utf-8"))["engine"] == "rapidocr"


def test_crisp_screenshot_keeps_tesseract(tmp_path: Path) -> None:
    shot = Image.new("RGB", (900, 200), (250, 250, 250))
    draw, font = ImageDraw.Draw(shot), ImageFont.load_default(size=32)
    draw.text((20, 40), "$ curl http://localhost:8080/health", fill=(20, 20, 20), font=font)
    draw.text((20, 110), "git@github.com: Permission denied (publickey).", fill=(20, 20, 20),
              font=font)
    shot.save(tmp_path / "shot.png")
    assert not looks_like_photo(shot)
    result = Ocr(cache_dir=tmp_path / "cache").image_file(tmp_path / "shot.png")
    assert "Permission denied (publickey)" in result.text and "localhost:8080" in result.text
    assert result.engine == "tesseract"


def test_shipped_photos_and_screenshots_are_told_apart() -> None:
    math = sorted((EXAMPLES / "math-question-from-photo/queries").glob("*.jpg"))
    shots = sorted((EXAMPLES / "error-screenshot-support/queries").glob("*.png"))
    assert math and shots
    assert all(looks_like_photo(open_image(p)) for p in math)
    assert not any(looks_like_photo(open_image(p)) for p in shots)
    flat = Image.new("RGB", (300, 100), "white")
    exif = Image.Exif()
    exif[0x0110] = "test phone"
    flat.info["exif"] = exif.tobytes()  # a camera's EXIF makes even a flat image a photo
    assert looks_like_photo(flat) and not camera_exif(Image.new("RGB", (300, 100), "white"))


def test_coverage_counts_the_text_area_a_reading_holds() -> None:
    def box(y: float, width: float, text: str, conf: float) -> tuple[np.ndarray, str, float]:
        corners = [(0, y), (width, y), (width, y + 40), (0, y + 40)]
        return np.array(corners, float), text, conf

    regions = [box(0, 400, "Exercise 5.2 Quadratic Equations", 99.0),
               box(60, 200, "x^2-7x+12=0", 95.0), box(120, 200, "鸡兔同笼，从上面数有", 70.0)]
    assert coverage(regions) == pytest.approx(0.75)  # the unsure Chinese line does not count
    dropped = "Exercise 5.2 Quadratic Equations\nUx}= 0x 4.- 5x7\n8. WS Flr), MERA"
    assert coverage(regions, dropped) == pytest.approx(0.5)
    close = "EXERCISE 5.2 Quadratlc Equations\nx 2 - 7x + 12 = 0\n鸡 兔 同 笼 , 从 上 面 数 有"
    assert coverage(regions, close) == 1.0  # case, spaces, full-width forms, a few edits
    assert coverage([], "anything") == 0.0


def test_photo_without_text_regions_keeps_tesseracts_reading(tmp_path: Path) -> None:
    noise = np.random.default_rng(3).normal(200, 12, (300, 400)).clip(0, 255).astype(np.uint8)
    img = Image.fromarray(noise)
    assert looks_like_photo(img)
    result = Ocr(cache_dir=tmp_path).image(img)
    assert (result.engine, result.text) == ("tesseract", "")  # no region: nothing to weigh


def _text_page(lines: list[str], size: tuple[int, int], ink: int = 0) -> Image.Image:
    img = Image.new("L", size, 255)
    for row, line in enumerate(lines):
        ImageDraw.Draw(img).text((20, 30 + row * 60), line, fill=ink,
                                 font=ImageFont.load_default(size=36))
    return img


@pytest.mark.parametrize(("orientation", "stored"), [
    (2, Image.Transpose.FLIP_LEFT_RIGHT), (5, Image.Transpose.TRANSPOSE),
    (7, Image.Transpose.TRANSVERSE)])
def test_exif_orientation_is_applied(tmp_path: Path, orientation: int, stored) -> None:
    """A camera file stored mirrored/turned with an EXIF Orientation tag is read as shown
    (mirrored text cannot be recovered by orientation detection: only EXIF can fix it)."""
    lines = ["Restart the print spooler", "then clear queue 42"]
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / f"o{orientation}.jpg"
    _text_page(lines, (700, 160)).transpose(stored).save(path, quality=95, exif=exif)
    text = Ocr("tesseract", ["eng"], cache_dir=tmp_path).image_file(path).text
    assert text.splitlines() == lines, text


def test_uneven_lighting_is_evened_out(tmp_path: Path) -> None:
    """Light falling from full to a fifth across the page: every line still read whole
    (without `even_light` the right half of the lines is lost)."""
    lines = ["Divide the shadow out of the page", "lamp code 7731 reads in the dark",
             "corner stays legible at last"]
    page = np.asarray(_text_page(lines, (700, 220), ink=40), float)
    light = np.linspace(1.0, 0.2, page.shape[1])[None, :]
    path = tmp_path / "shadow.png"
    Image.fromarray(np.clip(page * light, 0, 255).astype(np.uint8)).save(path)
    text = Ocr("tesseract", ["eng"], cache_dir=tmp_path).image_file(path).text
    assert text.splitlines() == lines, text
