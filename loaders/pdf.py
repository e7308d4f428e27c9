"""PDF files through pypdfium2: each page's text layer (or its OCR when it is a scan) and the
embedded images of the page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from loaders.base import Document, Loader
from loaders.errors import LoaderError
from loaders.params import PdfParams
from loaders.pdf_images import PdfImages, close_bitmap, ocr_text_layer
from loaders.pdf_printed import band_numbers, printed_pages

MAX_RENDER_PIXELS = 40_000_000  # scanned pages are rendered at 300 dpi, or less above this
MAX_RENDER_SIDE = 20_000  # and no side longer than this (Tesseract and libpng limits)
MIN_RENDER_SIDE = 8  # a page thinner than this once rendered has nothing to OCR


class PdfLoader(Loader):
    """One text document per page: its text layer, or the OCR of the rendered page when it has
    none; plus one image document per embedded image over a size threshold.

    Image documents carry the page number, `bbox` = (x0, y0, x1, y1) in points from the
    top-left corner of the page as displayed (crop box, /Rotate applied), the image saved as
    PNG under `artifacts_dir` and its OCR text. Images on scanned pages (pages OCR'd whole, or
    whose only text is an invisible OCR layer) are not extracted: the page's text covers them.
    An image repeated on many pages is kept once. Images PDFium cannot decode are skipped,
    logged and counted (`image_errors` in every document's metadata); the text still loads.
    When the pages print numbers that differ from their places in the file, each page's
    documents carry them as `printed_first` and `printed_last` (see `loaders.pdf_printed`).

    Params:
        password: Password for encrypted files.
        ocr_min_chars: Pages whose text layer has fewer characters are OCR'd (default 20).
        dpi: Render resolution for OCR (default 300).
        images: Extract embedded images (default true).
        min_image_side: Smallest width and height of an extracted image, pixels (default 32).
        min_image_area: Smallest width x height of an extracted image, pixels (default 10000).
        min_image_points: Smallest width and height of an image on the page, points (default
            16; about a line of text).
        max_images: Most images extracted per file (default 100).
    """

    name = "pdf"
    version = 3  # 2: embedded images as image documents; 3: printed page numbers
    suffixes = (".pdf",)
    Params = PdfParams
    options: PdfParams

    def load(self, path: Path) -> Iterator[Document]:
        import pypdfium2 as pdfium

        try:
            pdf = pdfium.PdfDocument(path, password=self.options.password)
        except pdfium.PdfiumError as exc:
            raise LoaderError(path, _explain(str(exc))) from None
        images = self._images(path)
        try:
            docs, readable, failed = self._pages(pdf, path, images)
        finally:
            pdf.close()
        if failed and not readable:
            raise LoaderError(path, f"no page could be read ({len(failed)} pages)")
        note: dict[str, Any] = {"failed_pages": ", ".join(map(str, failed))} if failed else {}
        if images is not None and images.errors:
            note["image_errors"] = images.errors
        for doc in docs:
            doc.metadata.update(note)
            yield doc

    def _images(self, path: Path) -> PdfImages | None:
        if not self.options.images:
            return None
        return PdfImages(path, self.artifact_folder, self.ocr,
                         min_side=self.options.min_image_side,
                         min_area=self.options.min_image_area,
                         min_points=self.options.min_image_points,
                         max_images=self.options.max_images)

    def _pages(self, pdf: Any, path: Path, images: PdfImages | None
               ) -> tuple[list[Document], int, list[int]]:
        """Documents of the readable pages, how many pages were readable, and the pages that
        PDFium cannot load, render or the OCR cannot read."""
        import pypdfium2 as pdfium

        docs: list[Document] = []
        readable, failed = 0, []
        numbers: list[set[int]] = []  # printed in each page's top and bottom bands
        for index in range(len(pdf)):
            numbers.append(set())
            try:
                page = pdf[index]
            except pdfium.PdfiumError:
                failed.append(index + 1)
                continue
            try:
                docs += self._page(page, path, index + 1, images, numbers[-1])
                readable += 1
            except (pdfium.PdfiumError, ValueError, RuntimeError):  # RuntimeError: Tesseract's
                failed.append(index + 1)
            finally:
                page.close()
        printed = printed_pages(numbers)
        for doc in docs:
            if doc.page in printed:
                doc.metadata["printed_first"], doc.metadata["printed_last"] = printed[doc.page]
        return docs, readable, failed

    def _page(self, page: Any, path: Path, number: int, images: PdfImages | None,
              numbers: set[int]) -> list[Document]:
        """The page's text document (when it has text) and its image documents; the numbers
        in its top and bottom bands go into `numbers`."""
        text = _page_text(page, numbers)
        scanned = len(text.strip()) < self.options.ocr_min_chars
        if scanned and self.ocr is not None:
            rendered = self._render(page)
            text = self.ocr.image(rendered).text if rendered is not None else ""
        docs = [Document(text=text, source=str(path), page=number,
                         metadata={"ocr": scanned and self.ocr is not None})] if text else []
        if images is not None and not scanned and not ocr_text_layer(page):
            docs += images.documents(page, number)
        return docs

    def _render(self, page: Any) -> Any | None:
        """The page as a grayscale image for OCR; None for a page too thin to hold text."""
        width, height = page.get_size()
        dpi = self.options.dpi
        scale = min(dpi / 72, (MAX_RENDER_PIXELS / max(width * height, 1)) ** 0.5,
                    MAX_RENDER_SIDE / max(width, height, 1))
        if min(width, height) * scale < MIN_RENDER_SIDE:
            return None
        return render_page(page, scale=scale, grayscale=True)


def render_page(page: Any, **options: Any) -> Any:
    """`page.render(**options)` as a PIL image of its own, the PDFium bitmap closed now.

    PDFium is not thread-safe: a bitmap left to the garbage collector may be freed while
    another thread (the OCR pool) runs, and PDFium then crashes the process. So every
    PDFium object is closed where it was made.
    """
    bitmap = page.render(**options)
    try:
        return bitmap.to_pil().copy()  # to_pil shares PDFium's buffer, freed with the bitmap
    finally:
        close_bitmap(bitmap)


def _page_text(page: Any, numbers: set[int]) -> str:
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_bounded()
        numbers.update(band_numbers(page, textpage))
    finally:
        textpage.close()
    lines = (line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return "\n".join(lines).strip()


def _explain(message: str) -> str:
    if "password" in message.lower():
        return "encrypted PDF: set the loader param 'password'"
    if message.rstrip(".)").endswith("Success"):  # PDFium reports no reason
        return "cannot open PDF (damaged file)"
    return f"cannot open PDF ({message})"
