"""HEIC/HEIF photos (pillow-heif): real HEIC files written in the test from a shipped
screenshot, read by the image loader and OCR upright, like a JPEG."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from loaders.errors import LoaderError
from loaders.heif import register_heif
from loaders.image import ImageLoader
from loaders.ocr import Ocr, open_image
from tests.conftest import EXAMPLES

SHOT = EXAMPLES / "error-screenshot-support" / "queries" / "shot01-pip-ssl.png"
ORIENTATION = 0x0112
# EXIF orientation -> how the camera stored the pixels of the upright picture
STORED = {6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}


def save_heic(img: Image.Image, path: Path, orientation: int | None = None) -> Path:
    """Write `img` as HEIC (x265 in pillow-heif's wheel), EXIF orientation tagged as a phone
    does (pillow-heif turns it into the container's `irot` transform)."""
    assert register_heif()
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    img.convert("RGB").save(path, "HEIF", quality=90, exif=exif.tobytes())
    with Image.open(path) as check:
        assert check.format == "HEIF"
    return path


def grey(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("L"), dtype=float)


@pytest.fixture
def ocr(tmp_path: Path) -> Ocr:
    return Ocr(languages=["eng"], cache_dir=tmp_path / "cache")


def test_the_heif_opener_is_registered_on_first_open_not_at_import() -> None:
    code = ("import sys; import loaders.image, loaders.ocr, pipelines.runner, "
            "pipelines.engines.media, pipelines.server.uploads\n"
            "assert 'pillow_heif' not in sys.modules, 'imported at import time'\n"
            "from loaders.ocr import open_image\n"
            f"open_image({str(SHOT)!r})\n"
            "assert 'pillow_heif' in sys.modules\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2], check=False)
    assert done.returncode == 0, done.stderr
    assert register_heif() and register_heif()  # idempotent


def test_heic_knowledge_base_image_is_loaded_with_its_ocr_text(tmp_path: Path,
                                                              ocr: Ocr) -> None:
    photo = save_heic(Image.open(SHOT), tmp_path / "IMG_0001.HEIC")  # the name an iPhone sends
    loader = ImageLoader(ocr=ocr, artifacts_dir=tmp_path / "artifacts")
    assert loader.accepts(photo) and loader.accepts(tmp_path / "x.heif")
    (doc,) = loader.load(photo)
    assert doc.modality == "image" and doc.source == str(photo)
    assert "SSLCertVerificationError" in doc.text and "pip install requests" in doc.text
    assert (doc.metadata["width"], doc.metadata["height"]) == (1180, 600)
    evidence = Path(doc.image)  # a JPEG copy: browsers and LLM APIs do not take HEIC
    assert evidence.parent.parent == tmp_path / "artifacts" and evidence.name == "IMG_0001.jpg"
    with Image.open(evidence) as img:
        assert img.format == "JPEG" and img.size == (1180, 600) and not img.getexif()
        assert np.abs(grey(img) - grey(Image.open(SHOT))).mean() < 3


@pytest.mark.parametrize("orientation", [6, 8])
def test_rotated_heic_is_read_upright_like_the_jpeg(tmp_path: Path, orientation: int) -> None:
    upright = Image.open(SHOT).convert("RGB")
    stored = upright.transpose(STORED[orientation])  # the sensor's pixels, turned
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    jpeg = tmp_path / f"o{orientation}.jpg"
    stored.save(jpeg, quality=95, exif=exif)
    heic = save_heic(stored, tmp_path / f"o{orientation}.heic", orientation)
    from_jpeg, from_heic = open_image(jpeg), open_image(heic)
    assert from_jpeg.size == from_heic.size == upright.size == (1180, 600)
    assert np.abs(grey(from_heic) - grey(upright)).mean() < 3  # pixels: upright
    assert np.abs(grey(from_heic) - grey(from_jpeg)).mean() < 3  # the same as the JPEG
    turned = grey(upright.transpose(Image.Transpose.ROTATE_180))
    assert np.abs(turned - grey(upright)).mean() > 10  # the comparison tells turns apart


def test_rotated_heic_is_ocrd_upright(tmp_path: Path, ocr: Ocr) -> None:
    stored = Image.open(SHOT).transpose(STORED[6])
    heic = save_heic(stored, tmp_path / "turned.heic", 6)
    text = ocr.image_file(heic).text
    assert "certificate verify failed" in text and "pip install requests" in text


def test_corrupt_heic_is_a_one_line_error_naming_the_file(tmp_path: Path, ocr: Ocr) -> None:
    whole = save_heic(Image.open(SHOT), tmp_path / "whole.heic").read_bytes()
    for name, data in (("junk.heic", b"not an image"), ("cut.HEIC", whole[:len(whole) // 3])):
        bad = tmp_path / name
        bad.write_bytes(data)
        with pytest.raises(LoaderError) as error:
            list(ImageLoader(ocr=ocr, artifacts_dir=tmp_path / "a").load(bad))
        assert str(error.value) == f"{bad}: cannot read image (UnidentifiedImageError)"


def test_without_pillow_heif_a_heic_is_a_one_line_error(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import loaders.heif

    heic = save_heic(Image.open(SHOT), tmp_path / "IMG_0002.HEIC")
    monkeypatch.setattr(loaders.heif, "_registered", False)  # as when the import failed
    with pytest.raises(LoaderError) as error:
        open_image(heic)
    assert str(error.value) == f"{heic}: {loaders.heif.MISSING}"
