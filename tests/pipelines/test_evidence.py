"""Visual evidence: cited PDF passages come with their rendered page region."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
from click.testing import CliRunner
from PIL import Image

from loaders.ocr import Ocr
from pipelines.cli import main
from pipelines.query.evidence import MARGIN, SCALE, _locate, page_crop
from tests.conftest import EXAMPLES

PDF = EXAMPLES / "error-screenshot-support" / "kb" / "nginx-502-bad-gateway.pdf"


def _page_size() -> tuple[int, int]:
    pdf = pdfium.PdfDocument(str(PDF))
    width, height = pdf[0].get_size()
    pdf.close()
    return int(width * SCALE), int(height * SCALE)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]{3,}", text.lower()))


def test_crop_holds_the_passage_and_is_cached(tmp_path: Path, monkeypatch) -> None:
    text = pdfium.PdfDocument(str(PDF))[0].get_textpage().get_text_range()
    passage = " ".join(text.split()[:12])
    crop = page_crop(PDF, 1, passage, tmp_path)
    assert crop is not None and crop.suffix == ".png"
    width, height = Image.open(crop).size
    page_width, page_height = _page_size()
    assert 0 < height < page_height / 2 and width <= page_width  # a region, not the page
    # exactly the passage's box and the margin (this A4 PDF inherits its box, for which
    # pypdfium2's get_cropbox would say US Letter and shift the region 50 points)
    textpage = pdfium.PdfDocument(str(PDF))[0].get_textpage()
    left, bottom, right, top = _locate(textpage, passage)
    assert abs(height - (top - bottom + 2 * MARGIN) * SCALE) <= 2
    assert abs(width - (right - left + 2 * MARGIN) * SCALE) <= 2
    # The region shows the passage: real Tesseract reads its words in the crop, and not the
    # words of the page's end.
    read = _words(Ocr(languages=["eng"], cache_dir=tmp_path / "ocr").image_file(crop).text)
    wanted = _words(passage)
    assert len(wanted & read) >= 0.8 * len(wanted), (wanted - read, read)
    tail = _words(" ".join(text.split()[-25:])) - _words(" ".join(text.split()[:60]))
    assert tail and not tail & read, tail & read
    before = crop.stat()
    renders: list[object] = []
    draw = pdfium.PdfPage.render
    monkeypatch.setattr(pdfium.PdfPage, "render",
                        lambda page, **kw: renders.append(page) or draw(page, **kw))
    assert page_crop(PDF, 1, passage, tmp_path) == crop  # cached: same file, not redrawn
    after = crop.stat()
    assert renders == [] and (after.st_ino, after.st_mtime_ns) == (before.st_ino,
                                                                   before.st_mtime_ns)
    page_crop(PDF, 1, passage + " more", tmp_path)  # another passage is drawn: counting works
    assert len(renders) == 1


def test_unlocatable_text_gives_the_whole_page_and_bad_pages_none(tmp_path: Path) -> None:
    whole = page_crop(PDF, 1, "words that are nowhere in this document", tmp_path)
    assert whole is not None
    assert all(abs(a - b) <= 1 for a, b in zip(Image.open(whole).size, _page_size(), strict=True))
    assert page_crop(PDF, 99, "x", tmp_path) is None
    # a passage under a crop box (found in the text, off the shown page): the shown page whole
    pdf = pdfium.PdfDocument(str(PDF))
    width, height = pdf[0].get_size()
    pdf[0].set_cropbox(0, 0, width, height / 2)  # the heading is in the top half
    cropped = tmp_path / "bottom-half.pdf"
    pdf.save(cropped)
    pdf.close()
    heading = " ".join(pdfium.PdfDocument(str(cropped))[0].get_textpage().get_text_range()
                       .split()[:12])
    shown = page_crop(cropped, 1, heading, tmp_path)
    assert shown is not None
    assert all(abs(a - b) <= 1 for a, b in zip(Image.open(shown).size,
                                               (width * SCALE, height / 2 * SCALE), strict=True))
    assert page_crop(tmp_path / "missing.pdf", 1, "x", tmp_path) is None


def test_cited_pdf_passages_carry_page_images(support_runner) -> None:
    answer = support_runner.query("nginx 502 bad gateway upstream")
    top = answer.sources[0]
    assert top.source.endswith("nginx-502-bad-gateway.pdf") and top.page == 1
    assert top.image and Path(top.image).is_file()
    assert all(s.image is None for s in answer.sources if not s.source.endswith(".pdf"))
    store = f"index.store.path={support_runner.config.index.store.path}"
    result = CliRunner().invoke(main, ["query", str(support_runner.config.path),
                                       "nginx 502 bad gateway", "--set", store])
    assert result.exit_code == 0 and "image: " in result.output and "p. 1" in result.output


def test_a_rotated_page_gives_the_region_turned(tmp_path: Path) -> None:
    """PDFium cuts the bitmap as the page is shown (after its /Rotate): the region of a turned
    page, turned back upright, shows the passage (real Tesseract reads it), not a strip of
    the wrong side. The passage is the turned page's own text, as ingest read it (PDFium
    gives an upside-down page's words right to left)."""
    page_width, page_height = _page_size()
    ocr = Ocr(languages=["eng"], cache_dir=tmp_path / "ocr")
    for degrees in (90, 180, 270):
        pdf = pdfium.PdfDocument(str(PDF))
        pdf[0].set_rotation(degrees)
        turned_pdf = tmp_path / f"turned-{degrees}.pdf"
        pdf.save(turned_pdf)
        pdf.close()
        turned = pdfium.PdfDocument(str(turned_pdf))
        passage = " ".join(turned[0].get_textpage().get_text_range().split()[12:30])
        turned.close()
        crop = page_crop(turned_pdf, 1, passage, tmp_path / "crops")
        upright = Image.open(crop).rotate(degrees, expand=True)  # PIL turns anticlockwise
        width, height = upright.size
        assert 0 < height < page_height / 2 and width <= page_width + 1, (degrees, upright.size)
        upright.save(tmp_path / f"upright-{degrees}.png")
        read = _words(ocr.image_file(tmp_path / f"upright-{degrees}.png").text)
        wanted = _words(passage)
        assert len(wanted & read) >= 0.8 * len(wanted), (degrees, wanted - read)
