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


def test_scanned_page_is_ocrd(tmp_path: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    from loaders.ocr import Ocr

    page = Image.new("L", (1700, 2200), 255)  # a letter page at 200 dpi, no text layer
    ImageDraw.Draw(page).text((150, 300), "Scanned manual: reset the router", fill=0,
                              font=ImageFont.load_default(size=60))
    pdf = tmp_path / "scan.pdf"
    page.save(pdf, "PDF", resolution=200)
    ocr = Ocr(languages=["eng"], cache_dir=tmp_path / "cache")
    (doc,) = PdfLoader(ocr=ocr).load(pdf)
    assert doc.page == 1 and doc.metadata["ocr"] is True
    assert "reset the router" in doc.text
    assert list(PdfLoader().load(pdf)) == []  # without OCR a scan has no text


@corpus
def test_scanned_corpus_pdf_yields_text(tmp_path: Path) -> None:
    from loaders.ocr import Ocr

    pdf = CORPUS / "OCRmyPDF/tests/resources/skew.pdf"
    docs = list(PdfLoader(ocr=Ocr(languages=["eng"], cache_dir=tmp_path)).load(pdf))
    assert docs and docs[0].metadata["ocr"] and len(docs[0].text) > 500
