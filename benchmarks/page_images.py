"""Cost of a cited PDF passage's page-region image (`retrieval.page_images`), first time.

Run: .venv/bin/python benchmarks/page_images.py [--data DIR] [--per-pdf 6] [--json out.json]

Passages are taken from the text-layer pages of the MMLongBench-Doc dev PDFs (`--data`, read
only): on `--per-pdf` pages spread over each PDF, the 40 words from the page's middle. Each is
drawn twice into empty folders, in the same run:

- `whole page`: the baseline the project used before, i.e. the page rendered whole at the
  same scale, cropped with PIL and saved as an optimised PNG;
- `region`: `pipelines.query.evidence.page_crop`, which has PDFium draw the region only.

Printed: p50 / p90 / mean milliseconds per image (opening the PDF included), the mean PNG
size, and the share of passages located (the rest are drawn as the whole page by both).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import common
from mmlongbench_data import DEFAULT_DATA

from loaders.pdf import render_page
from pipelines.query.evidence import MARGIN, SCALE, _locate, page_crop


def passages(pdf_path: Path, per_pdf: int) -> list[tuple[int, str]]:
    """(page number, 40 words from the page's middle) on `per_pdf` spread text pages."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(pdf_path)
    try:
        count = len(pdf)
        picked = sorted({round(i * (count - 1) / max(per_pdf - 1, 1)) for i in range(per_pdf)})
        out = []
        for index in picked:
            textpage = pdf[index].get_textpage()
            words = textpage.get_text_bounded().split()
            textpage.close()
            if len(words) >= 60:
                middle = len(words) // 2
                out.append((index + 1, " ".join(words[middle - 20:middle + 20])))
        return out
    finally:
        pdf.close()


def whole_page(pdf_path: Path, page_number: int, text: str, out: Path) -> bool:
    """The baseline: render the whole page, crop the passage's box, optimised PNG."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(pdf_path)
    try:
        page = pdf[page_number - 1]
        width, height = page.get_size()
        textpage = page.get_textpage()
        box = _locate(textpage, text)
        textpage.close()
        image = render_page(page, scale=SCALE)
        page.close()
        if box:
            left, bottom, right, top = box
            image = image.crop((int(max(0.0, left - MARGIN) * SCALE),
                                int(max(0.0, height - top - MARGIN) * SCALE),
                                int(min(width, right + MARGIN) * SCALE),
                                int(min(height, height - bottom + MARGIN) * SCALE)))
        image.save(out, "PNG", optimize=True)
        return box is not None
    finally:
        pdf.close()


def summary(name: str, ms: list[float], sizes: list[int]) -> dict[str, float | str]:
    ms = sorted(ms)
    return {"method": name, "images": len(ms), "p50 ms": statistics.median(ms),
            "p90 ms": ms[int(0.9 * (len(ms) - 1))], "mean ms": statistics.fmean(ms),
            "mean KB": statistics.fmean(sizes) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--per-pdf", type=int, default=6)
    parser.add_argument("--json", type=Path, metavar="OUT")
    args = parser.parse_args()
    pdfs = sorted((args.data / "documents").glob("*.pdf"))
    if not pdfs:
        sys.exit(f"no PDFs under {args.data / 'documents'}; pass --data DIR")
    work = [(pdf, page, text) for pdf in pdfs for page, text in passages(pdf, args.per_pdf)]
    timings: dict[str, list[float]] = {"whole page": [], "region": []}
    sizes: dict[str, list[int]] = {"whole page": [], "region": []}
    found = 0
    with tempfile.TemporaryDirectory() as tmp:
        for n, (pdf, page, text) in enumerate(work):
            out = Path(tmp) / f"whole-{n}.png"
            start = time.perf_counter()
            found += whole_page(pdf, page, text, out)
            timings["whole page"].append((time.perf_counter() - start) * 1000)
            sizes["whole page"].append(out.stat().st_size)
            start = time.perf_counter()
            crop = page_crop(pdf, page, text, Path(tmp) / "region")
            timings["region"].append((time.perf_counter() - start) * 1000)
            sizes["region"].append(crop.stat().st_size if crop else 0)
    share = found / len(work)
    rows = [summary(name, timings[name], sizes[name]) for name in timings]
    print(f"{len(work)} passages from {len(pdfs)} PDFs, {share:.3f} located on their page")
    common.print_table(list(rows[0]), [[common.fmt(v, 1) if isinstance(v, float) else v
                                        for v in row.values()] for row in rows])
    common.write_json(args.json, rows, located=share)


if __name__ == "__main__":
    main()
