"""Visual evidence: cited PDF passages come with their rendered page region."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
from click.testing import CliRunner
from PIL import Image

from loaders.ocr import Ocr
from pipelines.cli import main
from pipelines.query.evidence import SCALE, page_crop
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
