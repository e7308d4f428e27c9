"""Pages a question names ("on page 2", "第 3 页") are searched as one more ranking."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.query.named_pages import named_pages, page_labels
from pipelines.runner import Runner
from pipelines.stores.filters import In, Or, Range
from tests.pipelines.test_filters import router_pipeline


@pytest.mark.parametrize(("question", "expected"), [
    ("According to the chart on page 14, how much time was spent?", In("page", (14,))),
    ("How many colors are in slide 3?", In("page", (3,))),
    ("see p. 12", In("page", (12,))),
    ("compare page 2 and page 5", In("page", (2, 5))),
    ("pages 2, 7", In("page", (2, 7))),
    ("How many figures are there from Page 3 to Page 10?", Range("page", 3, 10)),
    ("figures in pages 3-10 and page 40", Or((Range("page", 3, 10), In("page", (40,))))),
    ("第5页的图里有几个人？", In("page", (5,))),
    ("第 3-4 页讲了什么", In("page", (3, 4))),
    ("第3页和第8页有什么不同", In("page", (3, 8))),
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
    assert named_pages("what is on page 2?", [pdf]) == In("page", (2, 4))
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
