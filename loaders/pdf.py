"""PDF files through pypdfium2: each page's text layer, or its OCR when it is a scan."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from loaders.base import Document, Loader
from loaders.errors import LoaderError

MAX_RENDER_PIXELS = 40_000_000  # scanned pages are rendered at 300 dpi, or less above this


class PdfLoader(Loader):
    """One document per page: its text layer, or the OCR of the rendered page when it has none.

    Params:
        password: Password for encrypted files.
        ocr_min_chars: Pages whose text layer has fewer characters are OCR'd (default 20).
        dpi: Render resolution for OCR (default 300).
    """

    name = "pdf"
    suffixes = (".pdf",)

    def load(self, path: Path) -> Iterator[Document]:
        import pypdfium2 as pdfium

        try:
            pdf = pdfium.PdfDocument(path, password=self.params.get("password"))
        except pdfium.PdfiumError as exc:
            raise LoaderError(path, _explain(str(exc))) from None
        try:
            pages, failed = self._pages(pdf)
        finally:
            pdf.close()
        if failed and not pages:
            raise LoaderError(path, f"no page could be read ({len(failed)} pages)")
        note = {"failed_pages": ", ".join(map(str, failed))} if failed else {}
        for number, text, scanned in pages:
            if text:
                yield Document(text=text, source=str(path), page=number,
                               metadata={**note, "ocr": scanned})

    def _pages(self, pdf: Any) -> tuple[list[tuple[int, str, bool]], list[int]]:
        """(page number, text, OCR'd?) of readable pages, and the pages PDFium cannot load."""
        import pypdfium2 as pdfium

        pages, failed = [], []
        for index in range(len(pdf)):
            try:
                text = _page_text(pdf, index)
                scanned = len(text.strip()) < int(self.params.get("ocr_min_chars", 20))
                if scanned and self.ocr is not None:
                    text = self.ocr.image(self._render(pdf, index)).text
                pages.append((index + 1, text, scanned and self.ocr is not None))
            except pdfium.PdfiumError:
                failed.append(index + 1)
        return pages, failed

    def _render(self, pdf: Any, index: int) -> Any:
        page = pdf[index]
        try:
            width, height = page.get_size()
            dpi = float(self.params.get("dpi", 300))
            scale = min(dpi / 72, (MAX_RENDER_PIXELS / max(width * height, 1)) ** 0.5)
            return page.render(scale=scale, grayscale=True).to_pil()
        finally:
            page.close()


def _page_text(pdf: object, index: int) -> str:
    page = pdf[index]  # type: ignore[index]
    try:
        textpage = page.get_textpage()
        text = textpage.get_text_bounded()
        textpage.close()
    finally:
        page.close()
    lines = (line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return "\n".join(lines).strip()


def _explain(message: str) -> str:
    if "password" in message.lower():
        return "encrypted PDF: set the loader param 'password'"
    if message.rstrip(".)").endswith("Success"):  # PDFium reports no reason
        return "cannot open PDF (damaged file)"
    return f"cannot open PDF ({message})"
