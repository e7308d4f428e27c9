"""PDF text extraction vs pdfminer.six's expected text, through `loaders.pdf.PdfLoader`.

Run: .venv/bin/python benchmarks/pdf_text.py [--json pdf_text.json]

Ground truths (corpus pdfminer.six/ground_truth/): the exact strings pdfminer.six's tests
assert (test_highlevel_extracttext_expected.json; whole document, or the START of the text
for zen_of_python_corrupted.pdf and contrib/*), and pdfminer's 2019 pdf2txt reference
outputs (refs-2019/**/*.txt.ref; page 1 of the PDF). Numbers per file:
ratio = Indel similarity (rapidfuzz fuzz.ratio / 100) of the whitespace-normalised texts
(for "prefix" truths the extracted text is cut to the expected length); nospace = the same
with all whitespace removed; window = 1 - CER of the expected text against its
best-matching window of the extracted text (1.0: it appears verbatim, spaces ignored).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import common

from loaders.ocr import Ocr
from loaders.pdf import PdfLoader

GT_DIR = "pdfminer.six/ground_truth"
SAMPLES = "pdfminer.six/samples"
JSON_GT = f"{GT_DIR}/test_highlevel_extracttext_expected.json"
PREFIX_FILES = ("zen_of_python_corrupted.pdf", "contrib/")


@dataclass
class Expected:
    """One PDF with one expected text."""

    pdf: str  # path under samples/
    truth: str
    source: str  # "json" or "ref2019"
    mode: str  # "whole" or "prefix"
    page: int | None  # compare this page only; None for the whole document


@dataclass
class Row:
    """Numbers for one (PDF, expected text) pair."""

    pdf: str
    source: str
    mode: str
    pages: str
    expected_chars: int
    extracted_chars: int = 0
    ratio: float | None = None
    nospace: float | None = None
    window: float | None = None
    seconds: float = 0.0
    error: str = ""


def expectations(corpus: Path) -> list[Expected]:
    """Every expected text in the pdfminer.six ground truth."""
    found = []
    strings = json.loads((corpus / JSON_GT).read_text(encoding="utf-8"))["expected"]
    for key, text in strings.items():
        if key.endswith(".pdf"):  # skips variants such as "simple1.pdf_no_boxes_flow"
            mode = "prefix" if key.startswith(PREFIX_FILES) else "whole"
            found.append(Expected(key, text, "json", mode, None))
    refs = corpus / GT_DIR / "refs-2019" / "samples"
    for ref in sorted(refs.rglob("*.txt.ref")):
        pdf = str(ref.relative_to(refs)).removesuffix(".txt.ref") + ".pdf"
        found.append(Expected(pdf, ref.read_text(encoding="utf-8"), "ref2019", "whole", 1))
    return found


def extract(loader: PdfLoader, path: Path, page: int | None) -> tuple[str, float]:
    """The loader's text for one page (or all pages) and the load time in seconds."""
    started = time.perf_counter()
    documents = list(loader.load(path))
    seconds = time.perf_counter() - started
    texts = [d.text for d in documents if page is None or d.page == page]
    return "\n".join(texts), seconds


def compare(expected: Expected, text: str, row: Row) -> None:
    """Fill in the similarity numbers of `row`."""
    truth, got = common.normalise_space(expected.truth), common.normalise_space(text)
    if expected.mode == "prefix":
        got = got[: len(truth)]
    row.extracted_chars = len(common.normalise_space(text))
    row.ratio = common.similarity(truth, got)
    row.nospace = common.similarity(common.no_space(truth), common.no_space(got))
    row.window = max(0.0, 1 - common.line_cer(expected.truth, text))


def measure(corpus: Path, expected: Expected, loader: PdfLoader) -> Row:
    """Load one PDF and compare it with one expected text."""
    pages = "all" if expected.page is None else f"p{expected.page}"
    row = Row(expected.pdf, expected.source, expected.mode, pages,
              len(common.normalise_space(expected.truth)))
    try:
        text, row.seconds = extract(loader, corpus / SAMPLES / expected.pdf, expected.page)
    except Exception as exc:
        row.error = f"{exc.__class__.__name__}: {' '.join(str(exc).split())}"
        return row
    compare(expected, text, row)
    return row


def table_row(row: Row) -> list[str]:
    """One printed table row."""
    return [row.pdf, row.source, row.mode, row.pages, str(row.expected_chars),
            str(row.extracted_chars), common.fmt(row.ratio), common.fmt(row.nospace),
            common.fmt(row.window), f"{row.seconds:.2f}", row.error]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_corpus_args(parser)
    args = parser.parse_args()
    corpus = common.corpus_root(args.corpus)
    with tempfile.TemporaryDirectory(prefix="mmrag-pdf-bench-") as tmp:
        loader = PdfLoader(ocr=Ocr(cache_dir=Path(tmp) / "ocr"),
                           artifacts_dir=Path(tmp) / "artifacts")
        rows = [measure(corpus, e, loader) for e in expectations(corpus)]
    print(f"string metrics: {common.EDIT_DISTANCE_BACKEND}")
    common.print_table(["pdf (samples/)", "truth", "mode", "pages", "expected chars",
                        "extracted chars", "ratio", "nospace", "window", "s", "error"],
                       [table_row(r) for r in rows])
    scored = [r.ratio for r in rows if r.ratio is not None]
    if scored:
        print(f"mean ratio over {len(scored)} pairs: {sum(scored) / len(scored):.3f}")
    common.write_json(args.json, [asdict(r) for r in rows])


if __name__ == "__main__":
    main()
