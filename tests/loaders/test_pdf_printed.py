"""Page numbers printed on a PDF's pages, when they differ from the pages' places."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.pdf import PdfLoader
from loaders.pdf_printed import printed_pages
from pipelines.query.answer import Source
from pipelines.query.types import Hit
from pipelines.runner import Runner
from tests.conftest import write_config
from tests.loaders.test_pdf import _add_text
from tests.pipelines.test_filters import PAGES

NONE: set[int] = set()


@pytest.mark.parametrize(("numbers", "expected"), [
    # a cover and a contents page not counted; a year in one footer
    ([NONE, NONE, {1}, {2}, {3, 2018}, {4}], {3: (1, 1), 4: (2, 2), 5: (3, 3), 6: (4, 4)}),
    # two pages to a sheet, the cover alone
    ([NONE, {2, 3}, {4, 5}, {6, 7}], {2: (2, 3), 3: (4, 5), 4: (6, 7)}),
    # a journal article: pages 484-487; a figure page without a footer keeps its number
    ([{484}, {485}, NONE, {487}], {1: (484, 484), 2: (485, 485), 3: (486, 486),
                                   4: (487, 487)}),
    ([{1}, {2}, {3}, {4}], {}),  # the pages print their places
    ([{7}, {2019}, {12}, {3}, NONE], {}),  # numbers that follow no rule
    ([NONE, {1}, {2}], {}),  # too few pages to trust
    ([], {}),
])
def test_the_rule_the_printed_numbers_follow(numbers: list[set[int]], expected: dict) -> None:
    assert printed_pages(numbers) == expected


def footed_pdf(path: Path, first: int = 1, covers: int = 1) -> Path:
    """`covers` unnumbered pages, then the router manual's three pages printing `first`,
    `first` + 1, ... at the bottom, as a footer."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    for text in ["Router manual"] * covers + PAGES:
        page = pdf.new_page(612, 792)
        for line, part in enumerate(text.split(": ")):
            _add_text(pdf, page, part, 72, 720 - 20 * line)
        if text in PAGES:
            _add_text(pdf, page, f"Router manual {first + PAGES.index(text)}", 260, 30)
        page.gen_content()
    pdf.save(path)
    return path


def test_the_pdf_loader_puts_printed_numbers_on_each_page(tmp_path: Path) -> None:
    docs = list(PdfLoader(artifacts_dir=tmp_path).load(footed_pdf(tmp_path / "m.pdf", 1, 2)))
    assert [(d.page, d.metadata.get("printed_first"), d.metadata.get("printed_last"))
            for d in docs] == [(1, None, None), (2, None, None), (3, 1, 1), (4, 2, 2),
                               (5, 3, 3)]
    plain = list(PdfLoader(artifacts_dir=tmp_path).load(footed_pdf(tmp_path / "p.pdf", 1, 0)))
    assert not any("printed_first" in d.metadata for d in plain)  # printed = places


def test_a_question_naming_a_printed_page_number_finds_that_page(tmp_path: Path) -> None:
    # an excerpt of a book: its three pages print 101-103, so no place is "page 102"
    kb = tmp_path / "kb"
    kb.mkdir()
    footed_pdf(kb / "excerpt.pdf", first=101, covers=0)
    config = write_config(tmp_path, f"name: printed\nsources: [{{path: {kb}}}]\n"
                                    "retrieval: {page_images: false}\n")
    store: dict[str, object] = {"index.store.path": str(tmp_path / "store")}
    assert not Runner.from_config(config, store).ingest(workers=0).failed
    runner = Runner.from_config(config, store)
    for number, place in ((101, 1), (102, 2), (103, 3)):
        hits = runner.retrieve(f"What does page {number} say about the red status light?")
        assert hits[0].node.metadata["page"] == place, number
    assert [h.node.metadata["page"] for h in runner.retrieve(
        "the red status light on pages 102-103", where="page!=1")][:2] in ([2, 3], [3, 2])
    answer = runner.query("What does page 102 say about the red status light?")
    assert answer.sources[0].label().endswith("excerpt.pdf p. 2 (printed 102)")
    assert answer.to_dict()["sources"][0]["printed_page"] == "102"


def test_a_sheet_of_two_printed_pages_is_labelled_with_both() -> None:
    meta = {"source": "kb/brochure.pdf", "page": 10, "printed_first": 16, "printed_last": 17}
    hit = Hit(id="n", text="", score=0.5, source="kb/brochure.pdf", page=10, metadata=meta)
    assert Source.from_hit(1, hit).label() == "kb/brochure.pdf p. 10 (printed 16-17)"
    assert Hit(id="n", text="", score=0.5, page=3).printed_page is None
