"""A four-page PDF (three text pages, one scanned page) through the runner: page citations,
`--where page=N`, and the evidence crop of the cited passage."""

from __future__ import annotations

import json
from pathlib import Path

import pypdfium2 as pdfium
import pytesseract
import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw, ImageFont

from pipelines.cli import main
from pipelines.runner import Runner
from tests.conftest import write_config
from tests.loaders.test_pdf import _add_image, _add_text

PAGE = (612.0, 792.0)
TEXT_PAGES = {
    1: ["The office coffee machine is descaled every Monday morning",
        "by the facilities team; report a broken machine to them."],
    3: ["The parking garage gate code changes to 4812 on the first",
        "day of every quarter; the new code is sent by email."],
    4: ["Visitors must sign in at the reception desk and wear",
        "a visitor badge at all times inside the building."],
}
SCANNED = 2  # image only, no text layer: read by OCR
SCAN_LINES = ["Scanned memo: the backup generator", "is tested on the first Tuesday",
              "of each month at noon."]
GARAGE = "What is the parking garage gate code?"
GENERATOR = "When is the backup generator tested?"


def _scan() -> Image.Image:
    """A letter page at 150 dpi with the memo's lines, as a scanner would give it."""
    image = Image.new("L", (1275, 1650), 255)
    draw, font = ImageDraw.Draw(image), ImageFont.load_default(size=44)
    for row, line in enumerate(SCAN_LINES):
        draw.text((120, 200 + row * 70), line, fill=0, font=font)
    return image


def make_pdf(path: Path) -> Path:
    """Pages 1, 3, 4 with a text layer; page 2 a full-page image."""
    pdf = pdfium.PdfDocument.new()
    for number in range(1, 5):
        page = pdf.new_page(*PAGE)
        if number == SCANNED:
            _add_image(pdf, page, _scan(), 0, 0, *PAGE)
        for row, line in enumerate(TEXT_PAGES.get(number, [])):
            _add_text(pdf, page, line, 72, 700 - row * 16)
        page.gen_content()
    pdf.save(path)
    return path


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Runner:
    folder = tmp_path_factory.mktemp("multipage")
    (folder / "docs").mkdir()
    make_pdf(folder / "docs" / "handbook.pdf")
    config = write_config(folder, "sources: [{path: docs}]\nocr: {languages: [eng]}\n"
                                  "retrieval: {top_k: 4}\n")
    built = Runner.from_config(config, {"index.store.path": str(folder / "store")})
    summary = built.ingest()
    assert len(summary.loaded) == 1 and not summary.failed, summary.text()
    return built


def test_the_loader_gives_four_pages_and_the_scan_is_ocrd(runner: Runner) -> None:
    hits = runner.retrieve("generator coffee parking visitors")
    pages = {h.node.metadata["page"]: h.node for h in hits}
    assert set(pages) == {1, 2, 3, 4}
    assert pages[SCANNED].metadata.get("ocr") is True
    assert "backup generator" in " ".join(pages[SCANNED].get_content().split())


def test_question_about_page_three_cites_page_three(runner: Runner) -> None:
    answer = runner.query(GARAGE)
    top = answer.sources[0]
    assert top.source.endswith("docs/handbook.pdf") and top.page == 3, answer.to_dict()
    assert "4812" in top.text and "4812" in answer.answer


def test_question_about_the_scanned_page_cites_it(runner: Runner) -> None:
    answer = runner.query(GENERATOR)
    assert answer.sources[0].page == SCANNED, answer.to_dict()
    assert "Tuesday" in answer.sources[0].text


def test_where_page_restricts_to_that_page(runner: Runner) -> None:
    answer = runner.query(GENERATOR, where="page=3")
    assert answer.sources and {s.page for s in answer.sources} == {3}
    config = str(runner.config.path)
    store = f"index.store.path={runner.config.index.store.path}"
    result = CliRunner().invoke(main, ["query", config, GENERATOR, "--json", "--set", store,
                                       "--where", "page=3"])
    assert result.exit_code == 0, result.output
    assert {s["page"] for s in json.loads(result.output)["sources"]} == {3}


def test_evidence_crop_shows_the_cited_passage(runner: Runner) -> None:
    top = runner.query(GARAGE).sources[0]
    assert top.page == 3 and top.image and Path(top.image).is_file()
    with Image.open(top.image) as crop:
        width, height = crop.size
        assert height < width  # a region around two lines, not the whole page
        text = " ".join(pytesseract.image_to_string(crop, lang="eng").split())
    for words in ("parking garage gate code", "4812", "first day of every quarter"):
        assert words in text, text
    assert "coffee" not in text and "Visitors" not in text  # page 3 only
