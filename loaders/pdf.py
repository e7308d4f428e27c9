"""PDF files through pypdfium2: the text of each page, with page numbers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from loaders.base import Document, Loader
from loaders.errors import LoaderError


class PdfLoader(Loader):
    """One document per page with a text layer.

    Params:
        password: Password for encrypted files.
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
            texts, failed = _pages(pdf)
        finally:
            pdf.close()
        if failed and len(failed) == len(texts) + len(failed):
            raise LoaderError(path, f"no page could be read ({len(failed)} pages)")
        note = {"failed_pages": ", ".join(map(str, failed))} if failed else {}
        for page, text in texts:
            if text:
                yield Document(text=text, source=str(path), page=page, metadata=dict(note))


def _pages(pdf: object) -> tuple[list[tuple[int, str]], list[int]]:
    """(page number, text) of readable pages and the numbers of pages PDFium cannot load."""
    import pypdfium2 as pdfium

    texts, failed = [], []
    for index in range(len(pdf)):  # type: ignore[arg-type]
        try:
            texts.append((index + 1, _page_text(pdf, index)))
        except pdfium.PdfiumError:
            failed.append(index + 1)
    return texts, failed


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
    return f"cannot open PDF ({message})"
