"""OCR character error rate on the corpus images: plain pytesseract vs the `loaders.ocr.Ocr` step.

Run: .venv/bin/python benchmarks/ocr_accuracy.py [--only linn] [--json ocr.json]

CER ignores whitespace: edit distance / reference length. "page" rows compare the whole
OCR text with the whole ground truth; "line" rows (Chinese photos, RapidOCR/EasyOCR test
images) give the CER of the FIRST ground-truth line against its best-matching window of
the OCR text, and count it as recovered when that CER is at most 0.2. PDFs are rendered
(page as listed, 300 dpi, capped by --max-pixels) with pypdfium2 and OCRed as images.

Pipeline engines: `tesseract` (Tesseract alone), `before` (the v10 default: RapidOCR also
read images Tesseract read weakly, CJK languages only; for other languages it is `tesseract`
and its numbers are copied from that column), `after` (today's default `Ocr`: the engine is
chosen per image, see `Ocr.choose`) and `rapidocr` (RapidOCR alone). Before and after come
from the same run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import common
import pytesseract
from ocr_photos import make_ocr
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from loaders.ocr import Ocr, rapidocr_installed
from loaders.tesseract import CJK_LANGS

RECOVERED = 0.2
ENGINES = ["tesseract", "before", "after", "rapidocr"]
ENG, CHI = ("eng",), ("chi_sim", "eng")
PHOTOTEST_FORMATS = ("bmp", "gif", "jpeg2000", "jpg", "pgm", "png", "ppm", "tiff", "webp")
LINN_PDFS = (("linn", 1), ("ccitt", 1), ("jbig2", 1), ("jbig2_baddevicen", 1), ("skew", 1),
             ("rotated_skew", 1), ("poster", 1), ("cardinal", 1), ("cardinal", 2),
             ("cardinal", 3), ("cardinal", 4))
RAPIDOCR_SKIP = {"text_det.jpg"}  # byte-identical copy of ch_en_num.jpg


@dataclass
class Case:
    """One image (or PDF page) with its ground truth."""

    name: str
    path: Path
    truth: str
    truth_file: str
    langs: tuple[str, ...] = ENG
    mode: str = "page"  # "page": whole text; "line": first GT line, best window
    page: int | None = None  # PDF page to render
    fold_case: bool = False


@dataclass
class Row:
    """Measured numbers for one case."""

    case: Case
    plain: float | None = None
    pipeline: dict[str, float | None] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    chosen: dict[str, str] = field(default_factory=dict)  # the engine whose reading it is
    errors: list[str] = field(default_factory=list)


def _read(corpus: Path, rel: str) -> str:
    return (corpus / rel).read_text(encoding="utf-8")


def page_cases(corpus: Path) -> list[Case]:
    """Phototest (every format, rotated), eurotext, test_la and the linn scans."""
    photo_gt = "tesseract-test/testing/phototest.txt"
    photo, gt_json = _read(corpus, photo_gt), "pytesseract/tests/data/ground_truth.json"
    pyt = json.loads(_read(corpus, gt_json))
    cases = [Case(f"pytesseract/test.{ext}", corpus / f"pytesseract/tests/data/test.{ext}",
                  photo, photo_gt) for ext in PHOTOTEST_FORMATS]
    for name in ("phototest.tif", "phototest-rotated-L.png", "phototest-rotated-R.png",
                 "phototest-rotated-180.png", "phototestrot.tif"):
        cases.append(Case(f"tesseract/{name}", corpus / "tesseract-test/testing" / name,
                          photo, photo_gt))
    euro_gt = "tesseract-test/testing/eurotext.txt"
    cases.append(Case("tesseract/eurotext.tif", corpus / "tesseract-test/testing/eurotext.tif",
                      _read(corpus, euro_gt), euro_gt))
    cases.append(Case("pytesseract/test-european.jpg",
                      corpus / "pytesseract/tests/data/test-european.jpg",
                      pyt["eurotext_full_text"], f"{gt_json} eurotext_full_text"))
    cases.append(Case("pytesseract/test_la.png", corpus / "pytesseract/tests/data/test_la.png",
                      pyt["asserted_substrings"]["test_la.png (exact, stripped)"],
                      f"{gt_json} asserted_substrings"))
    return cases + linn_cases(corpus)


def linn_cases(corpus: Path) -> list[Case]:
    """linn.png and the PDFs OCRmyPDF derived from it (GT linn.txt)."""
    folder, gt = corpus / "OCRmyPDF/tests/resources", "OCRmyPDF/tests/resources/linn.txt"
    truth = _read(corpus, gt)
    cases = [Case("ocrmypdf/linn.png", folder / "linn.png", truth, gt)]
    for stem, page in LINN_PDFS:
        cases.append(Case(f"ocrmypdf/{stem}.pdf p{page}", folder / f"{stem}.pdf", truth, gt,
                          page=page))
    return cases


def _first_line(entry: dict[str, Any]) -> tuple[str, str, bool] | None:
    """(first GT line, JSON key used, fold case) from a RapidOCR ground-truth entry."""
    for key in ("first_line", "text", "first_line_case_insensitive"):
        if key in entry:
            return entry[key], key, key.endswith("insensitive")
    if "lines_first_3" in entry:
        return entry["lines_first_3"][0], "lines_first_3[0]", False
    if "first_line_chars" in entry:
        return "".join(entry["first_line_chars"]), "first_line_chars", False
    return None


def _in_our_scripts(text: str) -> bool:
    """True for text that eng + chi_sim can read (ASCII, CJK and full-width forms)."""
    return all(ord(c) < 128 or "\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef"
               for c in text)


def line_cases(corpus: Path) -> list[Case]:
    """RapidOCR and EasyOCR test images, scored on their first ground-truth line."""
    rel = "RapidOCR/python/tests/test_files/ground_truth.json"
    cases = []
    for image, entry in json.loads(_read(corpus, rel))["images"].items():
        found = _first_line(entry)
        path = corpus / "RapidOCR/python/tests/test_files" / image
        if (found and image not in RAPIDOCR_SKIP and path.suffix != ".npy"
                and _in_our_scripts(found[0])):
            cases.append(Case(f"rapidocr/{image}", path, found[0], f"{rel} [{found[1]}]",
                              CHI, "line", fold_case=found[2]))
    easy = "EasyOCR/examples/ground_truth.json"
    first = json.loads(_read(corpus, easy))["chinese.jpg"]["texts"][0]
    cases.append(Case("easyocr/chinese.jpg", corpus / "EasyOCR/examples/chinese.jpg", first,
                      f"{easy} [texts[0]]", CHI, "line"))
    return cases


def render_page(path: Path, page: int, out_dir: Path, dpi: int, max_pixels: int) -> Path:
    """Render one PDF page to PNG at `dpi` (lowered to stay under `max_pixels`)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        pdf_page = pdf[page - 1]
        width, height = pdf_page.get_size()
        scale = min(dpi / 72, (max_pixels / (width * height)) ** 0.5)
        image = pdf_page.render(scale=scale).to_pil()
    finally:
        pdf.close()
    out = out_dir / f"{path.stem}-p{page}-{round(scale * 72)}dpi.png"
    info = PngInfo()  # distinct bytes for identical renders (the linn variants): no shared
    info.add_text("Source", f"{path.name} page {page}")  # OCR cache hits skew the timings
    image.save(out, pnginfo=info)
    return out


def score(case: Case, text: str) -> float:
    """CER of `text` for a case (whole text, or best window for the first line)."""
    truth = case.truth.casefold() if case.fold_case else case.truth
    text = text.casefold() if case.fold_case else text
    return common.line_cer(truth, text) if case.mode == "line" else common.cer(truth, text)


def measure(case: Case, image: Path, engines: dict[str, Ocr]) -> Row:
    """Plain pytesseract and every pipeline engine on one image."""
    row = Row(case)
    try:
        with Image.open(image) as img:
            row.texts["plain"] = pytesseract.image_to_string(img, lang="+".join(case.langs))
        row.plain = score(case, row.texts["plain"])
    except Exception as exc:
        row.errors.append(f"plain: {exc.__class__.__name__}: {exc}")
    for name, ocr in engines.items():
        started = time.perf_counter()
        try:
            result = ocr.image_file(image)
            row.texts[name], row.chosen[name] = result.text, result.engine
            row.pipeline[name] = score(case, row.texts[name])
        except Exception as exc:
            row.pipeline[name] = None
            row.errors.append(f"{name}: {exc.__class__.__name__}: {exc}")
        row.seconds[name] = time.perf_counter() - started
    if "before" not in engines and "tesseract" in engines:  # the same Ocr: copied
        for values in (row.pipeline, row.seconds, row.texts, row.chosen):
            values["before"] = values["tesseract"]
    return row


def make_engines(names: list[str], langs: tuple[str, ...], cache: Path) -> dict[str, Ocr]:
    """One warmed-up `Ocr` per engine (model loading is not timed per image).

    `before` without a CJK language is Tesseract alone: it is left out and `measure` copies
    the `tesseract` numbers.
    """
    return {name: make_ocr(name, list(langs), cache / name / "+".join(langs)) for name in names
            if name != "before" or any(lang in CJK_LANGS for lang in langs)}


def run(cases: list[Case], names: list[str], args: argparse.Namespace) -> list[Row]:
    """Measure every case (progress on stderr)."""
    rows: list[Row] = []
    engines: dict[tuple[str, ...], dict[str, Ocr]] = {}
    with tempfile.TemporaryDirectory(prefix="mmrag-ocr-bench-") as tmp:
        for case in cases:
            if case.langs not in engines:
                engines[case.langs] = make_engines(names, case.langs, Path(tmp))
            image = case.path
            if case.page is not None:
                image = render_page(case.path, case.page, Path(tmp), args.dpi, args.max_pixels)
                case.name += f" @{image.stem.rsplit('-', 1)[1]}"
            rows.append(measure(case, image, engines[case.langs]))
            print(f"  done {case.name}", file=sys.stderr, flush=True)
    return rows


def table_row(row: Row) -> list[str]:
    """One printed table row."""
    case = row.case
    cells = [case.name, "+".join(case.langs), case.mode, common.fmt(row.plain)]
    cells += [common.fmt(row.pipeline.get(n)) if n in row.pipeline else "-" for n in ENGINES]
    cells += [common.fmt(row.seconds.get(n), 2) if n in row.seconds else "-" for n in ENGINES]
    if case.mode == "line":
        values = [row.plain, *[row.pipeline.get(n) for n in ENGINES]]
        cells.append("/".join("-" if v is None else "y" if v <= RECOVERED else "n"
                              for v in values))
    else:
        cells.append("")
    return cells


def print_summary(rows: list[Row], names: list[str]) -> None:
    """Means over page rows and recovered counts over line rows."""
    for mode in ("page", "line"):
        picked = [r for r in rows if r.case.mode == mode]
        if not picked:
            continue
        parts = [f"plain {_mean([r.plain for r in picked])}"]
        parts += [f"{n} {_mean([r.pipeline.get(n) for r in picked if n in r.pipeline])}"
                  for n in names if any(n in r.pipeline for r in picked)]
        print(f"mean CER over {len(picked)} {mode} rows: " + ", ".join(parts))
        print(f"p50 seconds per {mode} row: " + ", ".join(
            f"{n} {common.fmt(statistics.median(r.seconds[n] for r in picked), 2)}"
            for n in names if all(n in r.seconds for r in picked)))
        if any("after" in r.chosen for r in picked):
            chosen = [r.chosen.get("after") for r in picked]
            print("after: reading kept from " + ", ".join(
                f"{e} {chosen.count(e)}" for e in sorted(set(chosen) - {None})))
        if mode == "line":
            counts = [("plain", [r.plain for r in picked])]
            counts += [(n, [r.pipeline.get(n) for r in picked]) for n in names]
            counts.append(("any pipeline engine", [
                min((v for v in r.pipeline.values() if v is not None), default=None)
                for r in picked]))
            print("first line recovered (CER <= 0.2): " + ", ".join(
                f"{label} {sum(v is not None and v <= RECOVERED for v in vals)}/{len(vals)}"
                for label, vals in counts))


def _mean(values: list[float | None]) -> str:
    known = [v for v in values if v is not None]
    missing = len(values) - len(known)
    return common.fmt(statistics.mean(known)) + (f" ({missing} errors)" if missing else "")


def as_json(row: Row) -> dict[str, Any]:
    """A row for `--json`."""
    case = row.case
    return {"image": case.name, "path": str(case.path), "page": case.page,
            "langs": "+".join(case.langs), "mode": case.mode, "truth_file": case.truth_file,
            "plain_cer": row.plain, "pipeline_cer": row.pipeline,
            "pipeline_seconds": row.seconds, "texts": row.texts, "engine_kept": row.chosen,
            "errors": row.errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_corpus_args(parser)
    parser.add_argument("--only", metavar="SUBSTRING", help="only images whose name has this")
    parser.add_argument("--dpi", type=int, default=300, help="PDF render resolution")
    parser.add_argument("--max-pixels", type=int, default=40_000_000,
                        help="lower the PDF render dpi to stay under this many pixels")
    args = parser.parse_args()
    corpus = common.corpus_root(args.corpus)
    cases = page_cases(corpus) + line_cases(corpus)
    cases = [c for c in cases if not args.only or args.only in c.name]
    names = ENGINES if rapidocr_installed() else ["tesseract"]
    print(f"engines: {', '.join(names)}; edit distance: {common.EDIT_DISTANCE_BACKEND}")
    rows = run(cases, names, args)
    headers = ["image", "langs", "mode", "plain CER", *[f"CER {n}" for n in ENGINES],
               *[f"s {n}" for n in ENGINES], "recovered p/t/b/a/r"]
    common.print_table(headers, [table_row(r) for r in rows])
    print_summary(rows, names)
    for row in rows:
        for error in row.errors:
            print(f"error: {row.case.name}: {error}")
    common.write_json(args.json, [as_json(r) for r in rows], engines=names,
                      edit_distance=common.EDIT_DISTANCE_BACKEND)


if __name__ == "__main__":
    main()
