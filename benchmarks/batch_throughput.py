"""Batch throughput: `Runner.batch` over 200 support questions with 1 and 2 workers.

The items cycle through the 48 labelled questions of the error-screenshot-support set (25
screenshots, typed English/Chinese questions, off-topic ones), so each screenshot is OCR'd on
its first occurrence and served from the OCR cache after that, as in a real job that sees
the same error screenshots again. Each worker count starts from an empty OCR cache and an
empty output file; the pipeline is ingested once beforehand (not timed).

    .venv/bin/python benchmarks/batch_throughput.py [--items 200] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import print_table, write_json  # noqa: E402
from pipelines.jobs.latency import percentile  # noqa: E402
from pipelines.runner import Runner  # noqa: E402

QUERIES = Path(__file__).resolve().parents[1] / "examples/error-screenshot-support/queries"


def batch_input(folder: Path, count: int) -> Path:
    """`count` items cycling through the labelled set, image paths made absolute."""
    lines = (QUERIES / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    base = [json.loads(line) for line in lines if line.strip()]
    path = folder / "batch.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for n in range(count):
            item = dict(base[n % len(base)], id=f"item{n:04d}")
            if item.get("image"):
                item["image"] = str(QUERIES / item["image"])
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the rows as JSON")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="mmrag-batch-") as tmp:
        folder = Path(tmp)
        os.environ["MMRAG_CACHE_DIR"] = str(folder / "ingest-cache")
        overrides = {"index.store.path": str(folder / "store")}
        Runner.from_config("error-screenshot-support", overrides).ingest()
        items = batch_input(folder, args.items)
        for workers in (int(w) for w in args.workers.split(",")):
            os.environ["MMRAG_CACHE_DIR"] = str(folder / f"cache-{workers}")  # OCR from scratch
            runner = Runner.from_config("error-screenshot-support", overrides)
            summary = runner.batch(items, folder / f"out-{workers}.jsonl", workers=workers)
            lat = summary.latencies_ms
            rows.append({"workers": workers, "items": summary.done + summary.failed,
                         "failed": summary.failed, "seconds": round(summary.seconds, 1),
                         "items_per_s": round((summary.done + summary.failed)
                                              / summary.seconds, 2),
                         "p50_ms": round(percentile(lat, 50), 1),
                         "p95_ms": round(percentile(lat, 95), 1)})
    print_table(["workers", "items", "failed", "s", "items/s", "p50 ms", "p95 ms"],
                [list(r.values()) for r in rows])
    write_json(args.json, rows)


if __name__ == "__main__":
    main()
