"""Embedded images of PDF pages as image documents: size filters, page bbox, PNG, OCR text.

Boxes follow one convention everywhere: `(x0, y0, x1, y1)` in points (1/72 inch) from the
top-left corner of the page as displayed (its crop box, with the page's /Rotate applied),
x to the right, y down; the same frame as a page rendered at 72 dpi.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from loaders.base import Document
from loaders.errors import MissingDependencyError

logger = logging.getLogger(__name__)

MAX_IMAGE_PIXELS = 40_000_000  # larger embedded images are skipped (counted as errors)
_BOX_SCALE = 100  # PDFium maps to integer device pixels: map at 1/100 pt, then divide


class PdfImages:
    """Collects the embedded images of one PDF file; an image repeated on many pages is kept
    once (at its first occurrence).

    Args:
        path: The PDF file (the documents' source).
        folder: Gives the folder for the PNGs from `path` (the loader's `artifact_folder`).
        ocr: The pipeline's `Ocr`, or None (the documents then have no text).
        min_side: Smallest width and height in pixels of an extracted image.
        min_area: Smallest width x height in pixels.
        min_points: Smallest width and height on the page, in points (skips chart bars,
            rules and inline icons drawn from large images).
        max_images: Most images extracted from the file.
    """

    def __init__(self, path: Path, folder: Callable[[Path], Path], ocr: Any, min_side: int = 32,
                 min_area: int = 10_000, min_points: float = 16.0, max_images: int = 100) -> None:
        self.path, self.folder, self.ocr = path, folder, ocr
        self.min_side, self.min_area, self.max_images = min_side, min_area, max_images
        self.min_points = min_points
        self.errors = 0
        self._seen: set[str] = set()
        self._capped = False

    def documents(self, page: Any, number: int) -> list[Document]:
        """Image documents for the images on `page` (1-based `number`) that pass the filters."""
        import pypdfium2 as pdfium
        import pypdfium2.raw as pdfium_c

        try:
            objects = list(page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,)))
        except pdfium.PdfiumError as exc:
            self._skipped(number, exc)
            return []
        docs = []
        for obj in objects:
            if len(self._seen) >= self.max_images:
                if not self._capped:
                    logger.warning("%s: more than %d images; the rest are skipped",
                                   self.path, self.max_images)
                self._capped = True
                break
            try:
                doc = self._document(page, number, obj)
            except MissingDependencyError:
                raise
            except Exception as exc:  # a bad image must not cost the page: count it, go on
                self._skipped(number, exc)
                continue
            if doc is not None:
                docs.append(doc)
        return docs

    def _skipped(self, number: int, exc: Exception) -> None:
        self.errors += 1
        logger.warning("%s: page %d: image skipped (%s)", self.path, number, exc)

    def _document(self, page: Any, number: int, obj: Any) -> Document | None:
        width, height = obj.get_px_size()
        if min(width, height) < self.min_side or width * height < self.min_area:
            return None
        bbox = page_bbox(page, obj)
        if bbox is None or min(bbox[2] - bbox[0], bbox[3] - bbox[1]) < self.min_points:
            return None  # off the page, or too small on it
        if width * height > MAX_IMAGE_PIXELS:
            raise ValueError(f"{width}x{height} pixels, more than {MAX_IMAGE_PIXELS:,}")
        img = image_pixels(obj)
        if img is None:
            return None
        digest = hashlib.sha1(img.mode.encode() + img.tobytes()).hexdigest()[:16]
        if digest in self._seen:
            return None
        self._seen.add(digest)
        png = self.folder(self.path) / f"p{number:04d}-{digest}.png"
        img.save(png)
        result = self.ocr.image_file(png) if self.ocr is not None else None
        return Document(
            text=result.text if result else "", source=str(self.path), modality="image",
            page=number, image=str(png), bbox=bbox,
            metadata={"width": img.width, "height": img.height,
                      "ocr_confidence": result.confidence if result else -1.0},
        )


def close_bitmap(bitmap: Any) -> None:
    """Free a PDFium bitmap now. pypdfium2 logs a warning on closing one whose buffer PDFium
    owns (the pixels go with it); every caller copies them first, so the warning is only
    noise on the user's terminal."""
    bitmap.warn_on_close = False
    bitmap.close()


def image_pixels(obj: Any) -> Any | None:
    """The image as shown on the page (soft masks, flips and rotation applied) at about its
    own resolution, as a PIL image; None when it is blank (one colour, or fully transparent).

    Raises:
        PdfiumError: PDFium cannot decode the image data.
    """
    import pypdfium2 as pdfium

    bitmap = obj.get_bitmap(render=False)  # decodes the data: raises when it is broken
    if _rendered_pixels(obj) <= MAX_IMAGE_PIXELS:
        # rendering can fail where decoding works: then the raw pixels stay
        with contextlib.suppress(pdfium.PdfiumError):
            rendered = obj.get_bitmap(render=True)
            close_bitmap(bitmap)
            bitmap = rendered
    try:
        img = bitmap.to_pil().copy()  # to_pil shares PDFium's buffer, freed with the bitmap
    finally:
        close_bitmap(bitmap)  # now, not by the garbage collector in another thread (see pdf.py)
    if img.mode == "RGBA":
        alpha = img.getextrema()[3]
        if alpha[1] == 0:
            return None
        if alpha[0] == 255:
            img = img.convert("RGB")
    if all(low == high for low, high in _extrema(img)):
        return None
    return img


def _rendered_pixels(obj: Any) -> float:
    """Pixels `get_bitmap(render=True)` would allocate: the shown box scaled up until the
    image keeps its own resolution (large for an image squeezed on the page)."""
    px_w, px_h = obj.get_px_size()
    left, bottom, right, top = obj.get_bounds()
    width, height = abs(right - left), abs(top - bottom)
    if min(width, height) <= 0:
        return float("inf")
    if (px_w < px_h) != (width < height):  # turned by 90 or 270 degrees
        px_w, px_h = px_h, px_w
    scale = max(px_w / width, px_h / height)
    return width * height * scale * scale


def _extrema(img: Any) -> list[tuple[int, int]]:
    extrema = img.getextrema()
    return [extrema] if img.mode in ("L", "1") else list(extrema)


def page_bbox(page: Any, obj: Any) -> tuple[float, float, float, float] | None:
    """`obj`'s box on the displayed page (see the module docstring), clipped to the page;
    None when nothing of it is on the page."""
    rect = obj.get_bounds()
    container = obj.container
    while container is not None:  # inside Form XObjects bounds are in the form's space
        rect = container.get_matrix().on_rect(*rect)
        container = container.container
    left, bottom, right, top = rect
    corners = [to_top_left(page, x, y) for x, y in ((left, bottom), (right, top))]
    width, height = page.get_size()
    x0, x1 = sorted(x for x, _ in corners)
    y0, y1 = sorted(y for _, y in corners)
    x0, y0, x1, y1 = max(x0, 0.0), max(y0, 0.0), min(x1, width), min(y1, height)
    if x1 - x0 <= 0 or y1 - y0 <= 0:
        return None
    return (round(x0, 2), round(y0, 2), round(x1, 2), round(y1, 2))


def to_top_left(page: Any, x: float, y: float) -> tuple[float, float]:
    """A point in PDF user space mapped to points from the displayed page's top-left corner,
    with PDFium's own display transform (crop box origin and /Rotate)."""
    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    dx, dy = ctypes.c_int(), ctypes.c_int()
    pdfium_c.FPDF_PageToDevice(page, 0, 0, round(width * _BOX_SCALE), round(height * _BOX_SCALE),
                               0, x, y, dx, dy)
    return dx.value / _BOX_SCALE, dy.value / _BOX_SCALE


def ocr_text_layer(page: Any) -> bool:
    """Whether all the page's text is invisible: an OCR layer over a scan (OCRmyPDF, scanners)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        modes = {pdfium_c.FPDFTextObj_GetTextRenderMode(obj)
                 for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_TEXT,))}
    except pdfium.PdfiumError:
        return False
    return modes == {pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE}
