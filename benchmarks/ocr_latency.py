"""Screenshot OCR latency and accuracy: plain Tesseract versus the pipeline's OCR.

Accuracy is whether each screenshot's key error text (`ocr_key` in queries.jsonl) is read
exactly (whitespace and case ignored). The pipeline runs without its cache: Tesseract alone,
with the v10 engine rule (`before`: RapidOCR only for weak readings) and with today's default
(`after`: engine chosen per image, `Ocr.choose`), all in the same run.

Run: .venv/bin/python benchmarks/ocr_latency.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytesseract
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import write_json  # noqa: E402
from benchmarks.ocr_photos import make_ocr  # noqa: E402
from loaders.ocr import Ocr, rapidocr_installed  # noqa: E402
from pipelines.jobs.latency import percentile  # noqa: E402

QUERIES = Path(__file__).resolve().parent.parent / "examples/error-screenshot-support/queries"


def squash(text: str) -> str:
    return "".join(text.split()).lower()


def measure(name: str, read: Callable[[Path], str], items: list[dict], runs: int) -> dict:
    times, found = [], 0
    for item in items:
        path = QUERIES / item["image"]
        best = float("inf")
        for _ in range(runs):
            started = time.perf_counter()
            text = read(path)
            best = min(best, time.perf_counter() - started)
        times.append(best)
        found += squash(item["ocr_key"]) in squash(text)
    times.sort()
    p95 = percentile(times, 95)
    print(f"{name:<34} p50 {statistics.median(times):5.2f} s  p95 {p95:5.2f} s  "
          f"key text read {found}/{len(items)}")
    return {"engine": name, "images": len(items), "p50_s": round(statistics.median(times), 3),
            "p95_s": round(p95, 3), "key_text_read": found}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1, help="runs per image (best is kept)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the rows as JSON")
    args = parser.parse_args()
    runs = args.runs
    lines = (QUERIES / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    items = [item for item in map(json.loads, filter(None, lines))
             if item.get("image") and item.get("ocr_key")]  # screenshots, not text questions
    size = Image.open(QUERIES / items[0]["image"]).size
    print(f"{len(items)} screenshots (e.g. {size[0]}x{size[1]}), best of {runs} run(s) each")

    def plain(lang: str) -> Callable[[Path], str]:
        return lambda p: pytesseract.image_to_string(Image.open(p), lang=lang)

    def pipeline(ocr: Ocr) -> Callable[[Path], str]:
        def read(path: Path) -> str:
            with tempfile.TemporaryDirectory() as cache:
                ocr.cache_dir = Path(cache)
                return ocr.image_file(path).text
        return read

    langs = ["eng", "chi_sim"]
    rows = [measure("plain tesseract eng", plain("eng"), items, runs),
            measure("plain tesseract eng+chi_sim", plain("eng+chi_sim"), items, runs),
            measure("pipeline OCR eng+chi_sim", pipeline(make_ocr("tesseract", langs)), items,
                    runs)]
    if rapidocr_installed():  # models load before timing
        rows.append(measure("pipeline before (v10 rule)", pipeline(make_ocr("before", langs)),
                            items, runs))
        rows.append(measure("pipeline after (per image)", pipeline(make_ocr("after", langs)),
                            items, runs))
    write_json(args.json, rows)


if __name__ == "__main__":
    main()
