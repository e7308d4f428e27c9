"""Image files: the file itself is the evidence, its OCR text makes it findable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from PIL import Image, ImageSequence

from loaders.base import Document, Loader
from loaders.errors import LoaderError
from loaders.ocr import OcrResult, open_image
from loaders.params import NoParams


class ImageLoader(Loader):
    """One image document per file (per page for multi-page TIFF), with OCR text.

    GIF and other animations give their first frame. Needs the pipeline's `Ocr`.
    """

    name = "image"
    Params = NoParams
    suffixes = (".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp", ".gif", ".ppm",
                ".pgm", ".pbm", ".jp2", ".jpeg2000")

    def load(self, path: Path) -> Iterator[Document]:
        img = open_image(path)  # validates the file (and its size) before OCR
        if self.ocr is None:
            raise LoaderError(path, "image loader needs OCR, but none is configured")
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


def _frames(path: Path) -> int:
    with Image.open(path) as img:
        return int(getattr(img, "n_frames", 1))


def _document(path: Path, evidence: str, result: OcrResult, size: tuple[int, int],
              page: int | None) -> Document:
    return Document(
        text=result.text, source=str(path), modality="image", image=evidence, page=page,
        metadata={"width": size[0], "height": size[1], "ocr_confidence": result.confidence},
    )
