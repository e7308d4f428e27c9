"""PDF loader: page text with page numbers, bad and encrypted files."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.errors import LoaderError
from loaders.pdf import PdfLoader
from tests.conftest import CORPUS, EXAMPLES

KB = EXAMPLES / "error-screenshot-support" / "kb"


def test_shipped_pdf_articles_have_text_and_steps() -> None:
    pdfs = sorted(KB.glob("*.pdf"))
    assert len(pdfs) >= 6
    for pdf in pdfs:
        docs = list(PdfLoader().load(pdf))
        assert docs and docs[0].page == 1, pdf
        assert "1." in docs[0].text and len(docs[0].text) > 200, pdf


def test_corrupt_pdf_is_a_loader_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7\n garbage")
    with pytest.raises(LoaderError, match=r"bad\.pdf: cannot open PDF"):
        list(PdfLoader().load(bad))


corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")


@corpus
def test_encrypted_pdf_needs_password() -> None:
    pdf = CORPUS / "sample-files/005-libreoffice-writer-password/libreoffice-writer-password.pdf"
    with pytest.raises(LoaderError, match="encrypted PDF: set the loader param 'password'"):
        list(PdfLoader().load(pdf))
    docs = list(PdfLoader(password="openpassword").load(pdf))
    assert docs and docs[0].page == 1 and docs[0].text


@corpus
def test_multi_page_pdf_numbers_pages() -> None:
    pdf = CORPUS / "sample-files/004-pdflatex-4-pages/pdflatex-4-pages.pdf"
    pages = [d.page for d in PdfLoader().load(pdf)]
    assert pages == [1, 2, 3, 4]


@corpus
def test_pdf_whose_pages_cannot_load_is_one_line_error() -> None:
    pdf = CORPUS / "pdf.js/test/pdfs/poppler-937-0-fuzzed.pdf"
    with pytest.raises(LoaderError, match=r"poppler-937-0-fuzzed\.pdf: no page could be read"):
        list(PdfLoader().load(pdf))
