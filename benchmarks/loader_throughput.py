"""Loader throughput: text-PDF pages/s, scanned-PDF OCR pages/s, screenshot OCR latency, and
how loading scales from 1 to 2 worker processes.

Run: .venv/bin/python benchmarks/loader_throughput.py [--quick] [--json OUT.json]

Every measurement uses a fresh OCR cache and artifacts folder (nothing is read from a cache).
- Text PDFs: the shipped example PDFs plus the pdfminer.six samples (top level and nonfree/),
  once with the text layer only (no OCR, no images) and once with the loader's defaults
  (scanned pages OCR'd, embedded images extracted and OCR'd).
- Scanned PDFs: OCRmyPDF scans of the `linn` page and others; every page is rendered at
  300 dpi and OCR'd (eng+chi_sim, as the shipped configs).
- Screenshots: `Ocr.image_file` on examples/error-screenshot-support/queries/*.png
  (eng+chi_sim), p50/p95 over the images.
- Workers: `pipelines.ingest.loading.load_files` with workers=1 and workers=2 over one mixed set
  (scanned PDFs, screenshots, text PDFs), as `mmrag ingest` loads files.
Wall times depend on what else runs on the machine (the load average is printed before and
after); `cpu s` (CPU time of this process and its children: workers, tesseract) is steadier,
and `cores` (cpu s / s) shows how much of the machine the measurement actually got.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import common

from loaders.base import Loader
from loaders.errors import LoaderError
from loaders.image import ImageLoader
from loaders.ocr import Ocr
from loaders.pdf import PdfLoader
from pipelines.ingest.loading import load_files
from pipelines.jobs.latency import percentile

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "examples/error-screenshot-support/queries"
SCANS = ["linn.pdf", "skew.pdf", "ccitt.pdf", "cardinal.pdf", "c02-22.pdf", "francais.pdf"]
LANGUAGES = ["eng", "chi_sim"]


@dataclass
class Row:
    """One measurement."""

    measure: str
    files: int
    pages: int
    seconds: float
    rate: str
    note: str = ""
    cpu_seconds: float = 0.0


def cpu_seconds() -> float:
    """CPU time so far of this process and its waited-for children (user + system)."""
    own, children = (resource.getrusage(who) for who in
                     (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def page_count(path: Path) -> int:
    """Pages of a PDF (0 when PDFium cannot open it); 1 for an image."""
    if path.suffix.lower() != ".pdf":
        return 1
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError:
        return 0
    try:
        return len(pdf)
    finally:
        pdf.close()


def text_pdfs(corpus: Path | None, quick: bool) -> list[Path]:
    """The shipped example PDFs, plus the pdfminer.six samples when the corpus is there."""
    paths = sorted(ROOT.glob("examples/*/kb/*.pdf"))
    if corpus is not None:
        samples = corpus / "pdfminer.six/samples"
        paths += sorted(samples.glob("*.pdf")) + sorted(samples.glob("nonfree/*.pdf"))
    return paths[:12] if quick else paths


def scanned_pdfs(corpus: Path | None, quick: bool) -> list[Path]:
    if corpus is None:
        return []
    folder = corpus / "OCRmyPDF/tests/resources"
    return [folder / name for name in (SCANS[:2] if quick else SCANS)]


def fresh(tmp: Path, name: str) -> tuple[Ocr, Path]:
    """An OCR with an empty cache, and an empty artifacts folder."""
    folder = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=tmp))
    return Ocr("tesseract", LANGUAGES, cache_dir=folder / "ocr"), folder / "artifacts"


def load_serially(loader: Loader, paths: Iterable[Path]) -> tuple[float, float, int, int]:
    """Wall and CPU seconds to load every file in this process, documents, failed files."""
    documents = failed = 0
    started, cpu = time.perf_counter(), cpu_seconds()
    for path in paths:
        try:
            documents += sum(1 for _ in loader.load(path))
        except LoaderError:
            failed += 1
    return time.perf_counter() - started, cpu_seconds() - cpu, documents, failed


def pdf_rows(paths: list[Path], scanned: list[Path], tmp: Path) -> list[Row]:
    rows = []
    pages = sum(map(page_count, paths))
    layer = PdfLoader(images=False)  # no OCR: pages without a text layer yield nothing
    ocr, artifacts = fresh(tmp, "pdf-default")
    for name, loader in (("text PDFs, text layer only", layer),
                         ("text PDFs, defaults (OCR, images)", PdfLoader(ocr=ocr,
                                                                         artifacts_dir=artifacts))):
        seconds, cpu, documents, failed = load_serially(loader, paths)
        rows.append(Row(name, len(paths), pages, seconds, f"{pages / seconds:.1f} pages/s",
                        f"{documents} documents, {failed} files failed", cpu))
    if scanned:
        ocr, artifacts = fresh(tmp, "scans")
        pages = sum(map(page_count, scanned))
        loader = PdfLoader(ocr=ocr, artifacts_dir=artifacts)
        seconds, cpu, documents, failed = load_serially(loader, scanned)
        rows.append(Row("scanned PDFs, OCR at 300 dpi", len(scanned), pages, seconds,
                        f"{pages / seconds:.2f} pages/s",
                        f"{seconds / max(pages, 1):.1f} s/page, {failed} files failed", cpu))
    return rows


def screenshot_row(paths: list[Path], tmp: Path) -> Row:
    """Latency of one screenshot's OCR with an empty cache."""
    ocr, _ = fresh(tmp, "shots")
    times, cpu = [], cpu_seconds()
    for path in paths:
        started = time.perf_counter()
        ocr.image_file(path)
        times.append(time.perf_counter() - started)
    cpu = cpu_seconds() - cpu
    times.sort()
    p95 = percentile(times, 95)
    return Row("screenshot OCR latency", len(paths), len(paths), sum(times),
               f"p50 {statistics.median(times):.2f} s, p95 {p95:.2f} s",
               f"eng+chi_sim, max {times[-1]:.2f} s", cpu)


def worker_rows(paths: list[Path], tmp: Path, timeout: float) -> list[Row]:
    """The same files through `load_files` with 1 and 2 worker processes."""
    pages = sum(map(page_count, paths))
    rows: list[Row] = []
    for workers in (1, 2):
        ocr, artifacts = fresh(tmp, f"workers{workers}")
        pdf, image = PdfLoader(ocr=ocr, artifacts_dir=artifacts), ImageLoader(ocr=ocr)
        jobs = [(path, pdf if path.suffix.lower() == ".pdf" else image) for path in paths]
        started, cpu = time.perf_counter(), cpu_seconds()
        failed = sum(docs is None for _, docs, _ in load_files(jobs, workers, timeout))
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
        speedup = f", x{rows[0].seconds / seconds:.2f} vs 1 worker" if rows else ""
        rows.append(Row(f"load_files, {workers} worker(s)", len(paths), pages, seconds,
                        f"{pages / seconds:.2f} pages/s",
                        f"{len(paths) / seconds:.2f} files/s{speedup}, {failed} failed", cpu))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_corpus_args(parser)
    parser.add_argument("--quick", action="store_true", help="fewer files (a smoke run)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per file")
    args = parser.parse_args()
    corpus = args.corpus if (args.corpus / "MANIFEST.md").is_file() else None
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"cores: {os.cpu_count()}; load average before: {load}; corpus: {corpus or 'absent'}")
    texts, scans = text_pdfs(corpus, args.quick), scanned_pdfs(corpus, args.quick)
    shots = sorted(SCREENSHOTS.glob("*.png"))[: 4 if args.quick else None]
    mixed = scans + shots + texts[:8]
    with tempfile.TemporaryDirectory(prefix="mmrag-throughput-") as tmp:
        rows = pdf_rows(texts, scans, Path(tmp))
        rows.append(screenshot_row(shots, Path(tmp)))
        rows += worker_rows(mixed, Path(tmp), args.timeout)
    common.print_table(["measure", "files", "pages", "s", "cpu s", "cores", "rate", "note"],
                       [[r.measure, r.files, r.pages, f"{r.seconds:.1f}", f"{r.cpu_seconds:.1f}",
                         f"{r.cpu_seconds / max(r.seconds, 1e-9):.2f}", r.rate, r.note]
                        for r in rows])
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average after: {load}")
    common.write_json(args.json, [asdict(r) for r in rows])


if __name__ == "__main__":
    main()
