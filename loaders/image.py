"""Image files: the file itself is the evidence, its OCR text makes it findable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from PIL import Image, ImageSequence

from loaders.base import Document, Loader
from loaders.errors import LoaderError
from loaders.heif import HEIF_SUFFIXES, is_heif
from loaders.ocr import OcrResult, open_image
from loaders.params import NoParams


class ImageLoader(Loader):
    """One image document per file (per page for multi-page TIFF), with OCR text.

    GIF and other animations give their first frame. HEIC/HEIF photos (pillow-heif) are
    read upright and their evidence is an upright JPEG copy in the artifacts folder, which
    browsers and LLM APIs take (the source is still the HEIC file). Needs the pipeline's `Ocr`.
    """

    name = "image"
    Params = NoParams
    suffixes = (".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp", ".gif", ".ppm",
                ".pgm", ".pbm", ".jp2", ".jpeg2000", *HEIF_SUFFIXES)

    def load(self, path: Path) -> Iterator[Document]:
        img = open_image(path)  # validates the file (and its size) before OCR
        if self.ocr is None:
            raise LoaderError(path, "image loader needs OCR, but none is configured")
        if is_heif(path):
            result = self.ocr.image_file(path)
            yield _document(path, str(self._viewable(path, img)), result, img.size, None)
            return
        if path.suffix.lower() not in (".tif", ".tiff") or _frames(path) == 1:
            result = self.ocr.image_file(path)
            yield _document(path, str(path), result, img.size, None)
            return
        folder = self.artifact_folder(path)
        with Image.open(path) as tiff:
            for number, frame in enumerate(ImageSequence.Iterator(tiff), start=1):
                page = frame.copy()
                evidence = folder / f"page-{number:04d}.png"
                page.save(evidence)
                yield _document(path, str(evidence), self.ocr.image(page), page.size, number)

    def _viewable(self, path: Path, img: Image.Image) -> Path:
        """An upright JPEG (PNG when it has transparency) of a HEIC photo, without its
        EXIF (a photo's GPS position is not served with the evidence)."""
        alpha = "A" in img.getbands() or "transparency" in img.info
        evidence = self.artifact_folder(path) / f"{path.stem}.{'png' if alpha else 'jpg'}"
        if alpha:
            img.save(evidence, "PNG")
        else:
            img.convert("RGB").save(evidence, "JPEG", quality=90)
        return evidence


def _frames(path: Path) -> int:
    with Image.open(path) as img:
        return int(getattr(img, "n_frames", 1))


def _document(path: Path, evidence: str, result: OcrResult, size: tuple[int, int],
              page: int | None) -> Document:
    return Document(
        text=result.text, source=str(path), modality="image", image=evidence, page=page,
        metadata={"width": size[0], "height": size[1], "ocr_confidence": result.confidence},
    )
