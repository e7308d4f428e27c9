"""Accuracy against the shared corpus's ground truth, measured as the benchmarks measure it:
PDF text vs pdfminer.six's expected outputs (`benchmarks/pdf_text.py`) and the OCR character
error rate of the default `Ocr` (`benchmarks/ocr_accuracy.py`, its `after` column).

Bounds sit a little below the figures measured when they were set (see each constant), so a
regression fails and the noise of one run does not.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import pytest

from loaders.ocr import Ocr
from loaders.pdf import PdfLoader
from tests.conftest import CORPUS, ROOT

pytestmark = [pytest.mark.corpus,
              pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")]

sys.path.insert(0, str(ROOT / "benchmarks"))  # the benchmarks' own measuring code
import ocr_accuracy  # noqa: E402
import pdf_text  # noqa: E402

# Measured 2026-12-02 (benchmarks/pdf_text.py, 22 pairs): mean ratio 0.721, mean window
# 0.778, 13 pairs found verbatim (window >= 0.98).
PDF_MEAN_RATIO = 0.70
PDF_MEAN_WINDOW = 0.75
PDF_VERBATIM = 12
# Measured 2026-12-02 (the `after` column of benchmarks/ocr_accuracy.py): 29 page cases,
# mean CER 0.0142; 14 first lines, 13 recovered (CER <= 0.2), mean CER 0.0328.
OCR_PAGE_MEAN_CER = 0.02
OCR_LINES_RECOVERED = 12
OCR_LINES_MEAN_CER = 0.05


def test_pdf_text_matches_pdfminer_ground_truth(tmp_path: Path) -> None:
    loader = PdfLoader(ocr=Ocr(cache_dir=tmp_path / "ocr"), artifacts_dir=tmp_path / "art")
    rows = [pdf_text.measure(CORPUS, e, loader) for e in pdf_text.expectations(CORPUS)]
    scored = [r for r in rows if r.ratio is not None]
    assert len(scored) == len(rows) >= 20, [r.error for r in rows if r.error]
    mean = statistics.mean(r.ratio for r in scored)
    window = statistics.mean(r.window for r in scored)
    verbatim = sum(1 for r in scored if r.window >= 0.98)
    print(f"pdf text: {len(scored)}/{len(rows)} pairs, mean ratio {mean:.3f}, mean window "
          f"{window:.3f}, {verbatim} found verbatim")
    assert mean >= PDF_MEAN_RATIO and window >= PDF_MEAN_WINDOW
    assert verbatim >= PDF_VERBATIM


def _read(case: ocr_accuracy.Case, ocr: Ocr, tmp_path: Path) -> float:
    image = case.path
    if case.page is not None:
        image = ocr_accuracy.render_page(case.path, case.page, tmp_path, 300, 40_000_000)
    return ocr_accuracy.score(case, ocr.image_file(image).text)


def test_ocr_error_rate_on_corpus_pages(tmp_path: Path) -> None:
    ocr = Ocr("tesseract", ["eng"], cache_dir=tmp_path / "ocr")  # the default engine choice
    cers = {c.name: _read(c, ocr, tmp_path) for c in ocr_accuracy.page_cases(CORPUS)}
    mean = statistics.mean(cers.values())
    print(f"ocr pages: {len(cers)} cases, mean CER {mean:.4f}")
    assert len(cers) >= 25 and mean <= OCR_PAGE_MEAN_CER, cers


def test_ocr_first_lines_of_chinese_and_photo_images(tmp_path: Path) -> None:
    ocr = Ocr("tesseract", ["chi_sim", "eng"], cache_dir=tmp_path / "ocr")
    cers = {c.name: _read(c, ocr, tmp_path) for c in ocr_accuracy.line_cases(CORPUS)}
    recovered = sum(1 for v in cers.values() if v <= ocr_accuracy.RECOVERED)
    mean = statistics.mean(cers.values())
    print(f"ocr lines: {recovered}/{len(cers)} recovered, mean CER {mean:.4f}")
    assert len(cers) >= 12 and recovered >= OCR_LINES_RECOVERED, cers
    assert mean <= OCR_LINES_MEAN_CER, cers
