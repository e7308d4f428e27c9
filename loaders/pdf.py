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
            for index in range(len(pdf)):
                text = _page_text(pdf, index)
                if text:
                    yield Document(text=text, source=str(path), page=index + 1)
        finally:
            pdf.close()


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
