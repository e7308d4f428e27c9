"""Pages a question names ("on page 2", "第 3 页", "Table 2") are searched as one more ranking."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.query.named_figures import figure_pages, named_figures
from pipelines.query.named_pages import named_pages, page_labels
from pipelines.runner import Runner
from pipelines.stores.base import StoreHit
from pipelines.stores.filters import And, Compare, In, Or, Range
from tests.conftest import write_config
from tests.pipelines.test_filters import router_pipeline


def printed(low: int, high: int | None = None) -> And:
    """The filter on the pages that print a number from `low` to `high`."""
    return And((Range("printed_first", None, high or low), Range("printed_last", low, None)))


@pytest.mark.parametrize(("question", "expected"), [
    ("According to the chart on page 14, how much time was spent?",
     Or((In("page", (14,)), printed(14)))),
    ("How many colors are in slide 3?", Or((In("page", (3,)), printed(3)))),
    ("see p. 12", Or((In("page", (12,)), printed(12)))),
    ("compare page 2 and page 5", Or((In("page", (2, 5)), printed(2), printed(5)))),
    ("pages 2, 7", Or((In("page", (2, 7)), printed(2), printed(7)))),
    ("How many figures are there from Page 3 to Page 10?",
     Or((Range("page", 3, 10), printed(3, 10)))),
    ("figures in pages 3-10 and page 40",
     Or((Range("page", 3, 10), In("page", (40,)), printed(3, 10), printed(40)))),
    ("第5页的图里有几个人？", Or((In("page", (5,)), printed(5)))),
    ("第 3-4 页讲了什么", Or((In("page", (3, 4)), printed(3), printed(4)))),
    ("第3页和第8页有什么不同", Or((In("page", (3, 8)), printed(3), printed(8)))),
    ("How many pages does the report have?", None),
    ("the 2 pages before the index", None),
    ("page 0", None),
])
def test_the_pages_a_question_names(question: str, expected: object) -> None:
    assert named_pages(question) == expected


def labelled_pdf(path: Path) -> Path:
    """Four empty pages labelled i, ii, 1, 2 (front matter in roman numerals)."""
    objects = ["<< /Type /Catalog /Pages 2 0 R /PageLabels "
               "<< /Nums [0 << /S /r >> 2 << /S /D >>] >> >>",
               "<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R 6 0 R] /Count 4 >>",
               *["<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"] * 4]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n"
            "%%EOF\n").encode()
    path.write_bytes(out)
    return path


def test_a_pdfs_page_labels_count_beside_the_position(tmp_path: Path) -> None:
    pdf = str(labelled_pdf(tmp_path / "manual.pdf"))
    assert page_labels(pdf) == {"i": (1,), "ii": (2,), "1": (3,), "2": (4,)}
    # "page 2": the second page, and the page printed "2" (the fourth)
    assert named_pages("what is on page 2?", [pdf]) == Or((In("page", (2, 4)), printed(2)))
    assert page_labels(str(tmp_path / "missing.pdf")) == {}
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    assert page_labels(str(tmp_path / "broken.pdf")) == {}


def test_a_question_naming_a_page_gets_that_page_first(tmp_path: Path) -> None:
    # Three pages about the same red light: only the page number tells them apart.
    config, store = router_pipeline(tmp_path)

    def first_pages(overrides: dict[str, object]) -> list[int]:
        runner = Runner.from_config(config, {**store, **overrides})
        return [runner.retrieve(f"What does page {n} say about the red status light?")[0]
                .node.metadata["page"] for n in (1, 2, 3)]

    assert first_pages({}) == [1, 2, 3]
    assert first_pages({"retrieval.mode": "dense"}) == [1, 2, 3]
    assert first_pages({"retrieval.named_page_weight": 0}) != [1, 2, 3]


@pytest.mark.parametrize(("question", "expected"), [
    ("In figure 3, how many distinct icons are used?", [("figure", 3)]),
    ("What is the title of Fig. 12?", [("figure", 12)]),
    ("Among figure 1-4, how many show a gash?", [("figure", n) for n in (1, 2, 3, 4)]),
    ("papers listed in Table 1 and Table 2", [("table", 1), ("table", 2)]),
    ("Figures 2 and 3", [("figure", 2), ("figure", 3)]),
    ("Compare Figure 3 and Table 2", [("figure", 3), ("table", 2)]),
    ("Table 1 to figure 4", [("table", 1), ("figure", 4)]),
    ("如图3所示，表 2 中的数据", [("figure", 3), ("table", 2)]),
    ("表2说明了什么", [("table", 2)]),
    ("他代表2个部门", []),  # the 表 of 代表
    ("How many figures are in the report?", []),
    ("Figure 3.1 is a sub-figure", []),  # chapter 3's first figure, not figure 3
])
def test_the_figures_and_tables_a_question_names(question: str, expected: list) -> None:
    assert [(n.kind, n.number) for n in named_figures(question)] == expected


def hit(text: str, page: object = 1, source: str = "kb/a.pdf") -> StoreHit:
    return StoreHit(f"{source}-{page}-{text[:8]}", text, {"source": source, "page": page})


def test_caption_pages_come_before_pages_that_mention_the_figure() -> None:
    table2 = named_figures("Table 2")
    mention = hit("the durations are in Table 2, and Table 20 has more", page=2)
    captions = [hit("Results\nTABLE II\nupdate durations", page=4),
                hit("Table 2: update durations", page=5, source="kb/b.pdf")]
    assert figure_pages(table2, [mention, *captions]) == Or((
        And((Compare("source", "eq", "kb/a.pdf"), In("page", (4,)))),
        And((Compare("source", "eq", "kb/b.pdf"), In("page", (5,))))))
    # without a caption, the pages that mention it; "Table 20" and "Table 2.1" are other tables
    assert figure_pages(table2, [mention, hit("see Table 20 and Table 2.1", page=3)]) == \
        And((Compare("source", "eq", "kb/a.pdf"), In("page", (2,))))
    assert figure_pages(table2, [hit("Table 2: no page", page=None)]) is None
    assert figure_pages(named_figures("figure 3"), [hit("as in Fig. 30", page=3)]) is None


def _captioned_pdf(path: Path) -> Path:
    """The router manual's three pages, each under a table caption in roman numerals
    ("TABLE II"), which shares no word with a question about "table 2"."""
    import pypdfium2 as pdfium

    from tests.loaders.test_pdf import _add_text
    from tests.pipelines.test_filters import PAGES

    pdf = pdfium.PdfDocument.new()
    for number, text in enumerate(PAGES, start=1):
        page = pdf.new_page(612, 792)
        lines = [f"TABLE {'I' * number}: light codes", *text.split(": ")]
        for line, part in enumerate(lines):
            _add_text(pdf, page, part, 72, 720 - 20 * line)
        page.gen_content()
    pdf.save(path)
    return path


def test_a_question_naming_a_table_gets_the_page_of_its_caption(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    _captioned_pdf(kb / "router.pdf")
    config = write_config(tmp_path, f"name: tables\nsources: [{{path: {kb}}}]\n"
                                    "retrieval: {page_images: false}\n")
    store: dict[str, object] = {"index.store.path": str(tmp_path / "store")}
    assert not Runner.from_config(config, store).ingest(workers=0).failed

    def first_pages(overrides: dict[str, object], where: str | None = None) -> list[int]:
        runner = Runner.from_config(config, {**store, **overrides})
        return [runner.retrieve(f"What does table {n} say about the red status light?",
                                where=where)[0].node.metadata["page"] for n in (1, 2, 3)]

    assert first_pages({}) == [1, 2, 3]  # captions looked up in the candidates' files
    assert first_pages({}, where="source=*router.pdf") == [1, 2, 3]  # or in the question's
    assert first_pages({"retrieval.mode": "dense"}) == [1, 2, 3]
    # the table pointed at comes first, although another page matches the other words better
    question = "What does table 3 say about the unplugged cable?"
    for weight, page in ((1, 3), (0, 1)):
        runner = Runner.from_config(config, {**store, "retrieval.named_page_weight": weight})
        assert runner.retrieve(question)[0].node.metadata["page"] == page, weight
