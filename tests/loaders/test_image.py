"""Image loader and OCR: real Tesseract on images the tests draw."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from loaders.errors import LoaderError
from loaders.image import ImageLoader
from loaders.ocr import Ocr, clean_text, open_image
from loaders.preprocess import skew_angle, to_gray


def draw(text: str, size: tuple[int, int] = (900, 160), fg: str = "black", bg: str = "white",
         mode: str = "RGB") -> Image.Image:
    img = Image.new(mode, size, bg)
    ImageDraw.Draw(img).text((20, 50), text, fill=fg, font=ImageFont.load_default(size=40))
    return img


@pytest.fixture
def ocr(tmp_path: Path) -> Ocr:
    return Ocr(languages=["eng"], cache_dir=tmp_path / "cache")


def test_image_document_keeps_file_and_ocr_text(tmp_path: Path, ocr: Ocr) -> None:
    path = tmp_path / "err.png"
    draw("ERR_CONNECTION_REFUSED").save(path)
    (doc,) = ImageLoader(ocr=ocr).load(path)
    assert doc.modality == "image" and doc.image == str(path)
    assert "CONNECTION_REFUSED" in doc.text


def test_dark_theme_and_transparent_images(tmp_path: Path, ocr: Ocr) -> None:
    dark = tmp_path / "dark.png"
    draw("Permission denied publickey", fg="#e0e0e0", bg="#1e1e1e").save(dark)
    assert "Permission denied" in ocr.image_file(dark).text
    clear = tmp_path / "clear.png"
    draw("White text on nothing", fg=(255, 255, 255, 255), bg=(0, 0, 0, 0), mode="RGBA").save(clear)
    assert "White text" in ocr.image_file(clear).text


def test_rotated_photo_is_deskewed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import loaders.preprocess

    img = draw("Solve the equation 3x + 5 = 20", size=(1000, 300))
    ImageDraw.Draw(img).text((20, 120), "then check the answer twice", fill="black",
                             font=ImageFont.load_default(size=40))
    tilted = img.rotate(8, expand=True, fillcolor="white")
    assert abs(skew_angle(to_gray(tilted)) + 8) <= 1.0
    lines = ["Solve the equation 3x + 5 = 20", "then check the answer twice"]
    read = Ocr(languages=["eng"], cache_dir=tmp_path / "a").image(tilted).text
    assert read.splitlines() == lines  # OCR reads the straightened lines
    # The same image with deskew switched off: Tesseract reads the tilted lines as fragments.
    monkeypatch.setattr(loaders.preprocess, "deskew", lambda gray: gray)
    tilted_read = Ocr(languages=["eng"], cache_dir=tmp_path / "b").image(tilted).text
    assert not any(line in tilted_read for line in lines), tilted_read


def test_ocr_result_is_cached(tmp_path: Path, ocr: Ocr) -> None:
    path = tmp_path / "c.png"
    draw("cache me").save(path)
    first = ocr.image_file(path)
    assert list((tmp_path / "cache").rglob("*.json"))
    ocr._engine = None  # a second OCR would crash: the cache must answer
    assert ocr.image_file(path) == first


def test_unreadable_and_missing_images(tmp_path: Path) -> None:
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    with pytest.raises(LoaderError, match=r"bad\.png: cannot read image"):
        open_image(bad)
    with pytest.raises(LoaderError, match="file not found"):
        open_image(tmp_path / "none.png")


def test_decompression_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import loaders.ocr

    path = tmp_path / "big.png"
    Image.new("L", (3000, 3000), 255).save(path)
    monkeypatch.setattr(loaders.ocr, "MAX_PIXELS", 1_000_000)
    with pytest.raises(LoaderError, match="larger than 1,000,000 pixels"):
        open_image(path)


def test_clean_text_joins_cjk() -> None:
    assert clean_text("磁 盘 空 间 不 足\n\n  No space  ") == "磁盘空间不足\nNo space"


def test_multipage_tiff_gives_one_document_per_page(tmp_path: Path, ocr: Ocr) -> None:
    pages = [draw(f"Page number {n} of the manual") for n in (1, 2)]
    path = tmp_path / "scan.tiff"
    pages[0].save(path, save_all=True, append_images=pages[1:])
    docs = list(ImageLoader(ocr=ocr, artifacts_dir=tmp_path / "art").load(path))
    assert [d.page for d in docs] == [1, 2]
    assert "Page number 2" in docs[1].text
    assert Path(docs[1].image).is_file() and docs[1].source == str(path)
