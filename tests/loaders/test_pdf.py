"""PDF loader: page text with page numbers, bad and encrypted files, embedded images."""

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
    (doc,) = PdfLoader(ocr=ocr, artifacts_dir=tmp_path).load(pdf)  # no copy of the scan image
    assert doc.page == 1 and doc.metadata["ocr"] is True
    assert "reset the router" in doc.text
    assert list(PdfLoader().load(pdf)) == []  # without OCR a scan has no text


@corpus
def test_scanned_corpus_pdf_yields_text(tmp_path: Path) -> None:
    from loaders.ocr import Ocr

    pdf = CORPUS / "OCRmyPDF/tests/resources/skew.pdf"
    docs = list(PdfLoader(ocr=Ocr(languages=["eng"], cache_dir=tmp_path)).load(pdf))
    assert docs and docs[0].metadata["ocr"] and len(docs[0].text) > 500


# --- embedded images -------------------------------------------------------------------------

PAGE = (612.0, 792.0)  # US letter, points
FIGURE_AT = (100, 500, 300, 100)  # x, y (bottom-left, PDF user space), width, height in points


def _figure():
    """A 600x200 px image with text in it, as a figure in a manual would have."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (600, 200), "white")
    ImageDraw.Draw(img).text((30, 60), "Replace the fuse", fill="black",
                             font=ImageFont.load_default(size=64))
    return img


def _icon():
    """A 24x24 px image (a bullet or logo), below the default size threshold."""
    from PIL import Image

    return Image.linear_gradient("L").resize((24, 24)).convert("RGB")


def _add_text(pdf, page, text: str, x: float, y: float) -> None:
    import ctypes

    import pypdfium2.raw as pdfium_c

    obj = pdfium_c.FPDFPageObj_NewTextObj(pdf, b"Helvetica", 12.0)
    data = (text + "\0").encode("utf-16-le")
    buffer = (ctypes.c_ubyte * len(data)).from_buffer_copy(data)
    assert pdfium_c.FPDFText_SetText(obj, ctypes.cast(buffer, pdfium_c.FPDF_WIDESTRING))
    pdfium_c.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, y)
    pdfium_c.FPDFPage_InsertObject(page, obj)


def _add_image(pdf, page, img, x: float, y: float, width: float, height: float) -> None:
    import pypdfium2 as pdfium

    obj = pdfium.PdfImage.new(pdf)
    obj.set_bitmap(pdfium.PdfBitmap.from_pil(img))
    obj.set_matrix(pdfium.PdfMatrix().scale(width, height).translate(x, y))
    page.insert_obj(obj)


def _manual_pdf(path: Path, pages: int = 1, rotation: int = 0) -> Path:
    """A PDF whose pages have a text line, the figure and a small icon (made with PDFium)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    for number in range(1, pages + 1):
        page = pdf.new_page(*PAGE)
        _add_text(pdf, page, f"Router manual page {number}: the status light blinks red.", 72, 720)
        _add_image(pdf, page, _figure(), *FIGURE_AT)
        _add_image(pdf, page, _icon(), 72, 100, 24, 24)
        page.set_rotation(rotation)
        page.gen_content()
    pdf.save(path)
    return path


def _loader(tmp_path: Path, **params) -> PdfLoader:
    from loaders.ocr import Ocr

    ocr = Ocr(languages=["eng"], cache_dir=tmp_path / "cache")
    return PdfLoader(ocr=ocr, artifacts_dir=tmp_path / "artifacts", **params)


def _images(docs: list) -> list:
    return [d for d in docs if d.modality == "image"]


def test_embedded_image_is_an_image_document(tmp_path: Path) -> None:
    from PIL import Image

    docs = list(_loader(tmp_path).load(_manual_pdf(tmp_path / "manual.pdf")))
    (text,) = [d for d in docs if d.modality == "text"]
    assert text.page == 1 and "status light blinks red" in text.text
    (figure,) = _images(docs)  # the 24 px icon is below the size threshold
    assert figure.page == 1 and figure.source.endswith("manual.pdf")
    x, y, w, h = FIGURE_AT  # points from the top-left: y flips against the page height
    assert figure.bbox == pytest.approx((x, PAGE[1] - y - h, x + w, PAGE[1] - y), abs=0.05)
    assert 0 <= figure.bbox[0] < figure.bbox[2] <= PAGE[0]
    assert 0 <= figure.bbox[1] < figure.bbox[3] <= PAGE[1]
    png = Path(figure.image)
    assert png.suffix == ".png" and (tmp_path / "artifacts") in png.parents
    with Image.open(png) as saved:
        assert saved.format == "PNG" and saved.size == (600, 200)
    assert "replace the fuse" in figure.text.lower()
    assert figure.metadata["width"] == 600 and figure.metadata["ocr_confidence"] > 50


def test_image_size_threshold_and_switch_are_params(tmp_path: Path) -> None:
    pdf = _manual_pdf(tmp_path / "manual.pdf", pages=2)
    small = _images(_loader(tmp_path, min_image_side=16, min_image_area=256).load(pdf))
    assert sorted(d.metadata["width"] for d in small) == [24, 600]  # the icon now passes
    assert {d.page for d in small} == {1}  # images repeated on page 2 are kept once
    assert [d.page for d in _images(_loader(tmp_path).load(pdf))] == [1]
    assert _images(_loader(tmp_path, images=False).load(pdf)) == []


def test_image_bbox_follows_page_rotation(tmp_path: Path) -> None:
    pdf = _manual_pdf(tmp_path / "turned.pdf", rotation=90)  # shown 792 wide, 612 high
    (figure,) = _images(_loader(tmp_path).load(pdf))
    x, y, w, h = FIGURE_AT  # turned clockwise: PDF y becomes x; PDF x becomes y
    assert figure.bbox == pytest.approx((y, x, y + h, x + w), abs=0.05)
    assert "replace the fuse" in figure.text.lower()  # the image itself stays upright


def test_image_bbox_inside_form_xobject(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(_manual_pdf(tmp_path / "manual.pdf"))
    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(*PAGE)
    form = source.page_as_xobject(0, pdf).as_pageobject()  # the page, half size, moved
    form.set_matrix(pdfium.PdfMatrix().scale(0.5, 0.5).translate(50, 100))
    page.insert_obj(form)
    page.gen_content()
    pdf.save(tmp_path / "two-up.pdf")
    (figure,) = _images(_loader(tmp_path).load(tmp_path / "two-up.pdf"))
    x, y, w, h = (50 + FIGURE_AT[0] / 2, 100 + FIGURE_AT[1] / 2, FIGURE_AT[2] / 2,
                  FIGURE_AT[3] / 2)
    assert figure.bbox == pytest.approx((x, PAGE[1] - y - h, x + w, PAGE[1] - y), abs=0.05)


def _pdf_with_broken_image(path: Path) -> Path:
    """One page: a text line and a JPEG image whose data is garbage."""
    content = (b"q 300 0 0 100 100 500 cm /Im1 Do Q BT /F1 12 Tf 72 720 Td "
               b"(The text of this page still loads.) Tj ET")
    image = b"\x00not a jpeg" * 20
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources "
        b"<< /XObject << /Im1 5 0 R >> /Font << /F1 6 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /XObject /Subtype /Image /Width 400 /Height 200 /BitsPerComponent 8 "
        b"/ColorSpace /DeviceRGB /Filter /DCTDecode /Length %d >>\nstream\n%s\nendstream"
        % (len(image), image),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    data, offsets = b"%PDF-1.7\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(data))
        data += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    data += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    data += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    path.write_bytes(data)
    return path


def test_undecodable_image_is_counted_and_page_text_loads(tmp_path: Path) -> None:
    pdf = _pdf_with_broken_image(tmp_path / "broken.pdf")
    (doc,) = _loader(tmp_path).load(pdf)
    assert doc.modality == "text" and "still loads" in doc.text
    assert doc.metadata["image_errors"] == 1


@corpus
def test_corpus_pdf_image_with_text_is_ocrd(tmp_path: Path) -> None:
    pdf = CORPUS / "sample-files/018-base64-image/base64image.pdf"
    (meme,) = _images(_loader(tmp_path).load(pdf))
    assert meme.page == 1 and Path(meme.image).is_file()
    assert "assign it to yourself" in " ".join(meme.text.split()).lower()
    width, height = 595.28, 841.89  # A4: the image sits in the top-left corner
    assert 0 < meme.bbox[0] < 10 and 0 < meme.bbox[1] < 10
    assert meme.bbox[2] < width / 2 + 100 and meme.bbox[3] < height / 2


@corpus
def test_corpus_pdflatex_figure_matches_source_image(tmp_path: Path) -> None:
    from PIL import Image, ImageChops, ImageStat

    folder = CORPUS / "sample-files/003-pdflatex-image"
    (figure,) = _images(_loader(tmp_path).load(folder / "pdflatex-image.pdf"))
    with Image.open(figure.image) as got, Image.open(folder / "image.jpg") as truth:
        assert got.size == truth.size == (300, 200)
        diff = ImageStat.Stat(ImageChops.difference(got.convert("RGB"), truth.convert("RGB")))
        assert max(diff.mean) < 8  # the same photo (JPEG re-encoding aside)
    page_width = 595.28  # \centering, natural size: 300x200 px at 72 dpi = 300x200 pt
    assert figure.bbox[0] == pytest.approx((page_width - 300) / 2, abs=0.1)
    assert figure.bbox[2] - figure.bbox[0] == pytest.approx(300, abs=0.1)


@corpus
def test_corpus_scan_with_ocr_layer_yields_no_image_copies(tmp_path: Path) -> None:
    pdf = CORPUS / "pypdf/resources/Seige_of_Vicksburg_Sample_OCR.pdf"
    docs = list(_loader(tmp_path).load(pdf))
    assert [d.page for d in docs] == [1, 2, 3, 4, 5, 6]  # page text only: the scans' OCR layer
    assert all(d.modality == "text" and "THE SIEGE" in d.text for d in docs)


@corpus
def test_corpus_pages_of_empty_or_absurd_size_do_not_fail_the_file(tmp_path: Path) -> None:
    pdfs = CORPUS / "pdf.js/test/pdfs"
    loader = _loader(tmp_path, dpi=150)
    docs = list(loader.load(pdfs / "boundingBox_invalid.pdf"))  # page 3: a 0 x 0 pt box
    assert [d.page for d in docs] == [1, 2] and "MediaBox" in docs[0].text
    assert list(loader.load(pdfs / "poppler-85140-0.pdf")) == []  # one 595 x 2**31 pt page
