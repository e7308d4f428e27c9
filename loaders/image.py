"""Image files: the file itself is the evidence, its OCR text makes it findable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from loaders.base import Document, Loader
from loaders.errors import LoaderError
from loaders.ocr import open_image


class ImageLoader(Loader):
    """One image document per file, with OCR text (needs an `Ocr` instance)."""

    name = "image"
    suffixes = (".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp", ".gif")

    def load(self, path: Path) -> Iterator[Document]:
        img = open_image(path)  # validates the file before OCR
        if self.ocr is None:
            raise LoaderError(path, "image loader needs OCR, but none is configured")
        result = self.ocr.image_file(path)
        yield Document(
            text=result.text,
            source=str(path),
            modality="image",
            image=str(path),
            metadata={"width": img.width, "height": img.height,
                      "ocr_confidence": result.confidence},
        )
