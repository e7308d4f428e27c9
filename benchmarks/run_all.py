"""Run the benchmark scripts and write one summary table (Markdown and JSON).

Measures, each by its own script (run one alone for its full output):

| area | script |
|---|---|
| ingest throughput, re-ingest cost | ingest_scale.py (generated KB, 2000 files) |
| query latency (1k/10k/100k chunks, vs plain LlamaIndex) | query_latency.py |
| OCR speed (screenshots; scanned PDF pages) | ocr_latency.py; loader_throughput.py --quick |
| batch throughput (1 and 2 workers) | batch_throughput.py |

    .venv/bin/python benchmarks/run_all.py [--quick] [--out benchmarks/results] [--only NAME ...]

`--quick` uses smaller sizes (300 files, up to 10k chunks, 60 batch items) for a smoke run;
the full run takes about 1.5 hours on 2 cores once query_latency's vector cache is filled
(filling it embeds 100k chunks: about 70 more minutes, once). Each script's JSON goes into
`--out`, with `summary.md` and `summary.json`. Numbers depend on machine load: the
load average is recorded with them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import print_table  # noqa: E402

HERE = Path(__file__).resolve().parent
Row = tuple[str, str, str]  # (area, measure, value)


def ingest_rows(data: dict[str, Any]) -> list[Row]:
    first, unchanged, touched = data["rows"]
    return [
        ("ingest", f"first ingest, {first['loaded']} files",
         f"{first['seconds']:.0f} s ({first['loaded'] / first['seconds']:.1f} files/s), "
         f"peak RSS {data['peak_rss_mb']} MB"),
        ("re-ingest", "unchanged base",
         f"{unchanged['seconds']:.2f} s = {unchanged['pct_of_first']:.2f}% of first, "
         f"{unchanged['texts_embedded']} embedded"),
        ("re-ingest", "one file touched",
         f"{touched['seconds']:.2f} s, {touched['texts_embedded']} text(s) embedded"),
    ]


def latency_rows(data: dict[str, Any]) -> list[Row]:
    by_size: dict[int, dict[str, dict[str, Any]]] = {}
    for row in data["rows"]:
        by_size.setdefault(row["chunks"], {})[row["system"]] = row
    out = []
    for size, systems in sorted(by_size.items()):
        ours, plain = systems["mmrag"], systems.get("llamaindex")
        value = (f"p50 {ours['p50_ms']} ms, p95 {ours['p95_ms']} ms, "
                 f"peak RSS {ours['peak_rss_mb']} MB")
        if plain:
            value += (f" (plain LlamaIndex p50 {plain['p50_ms']} ms, p95 {plain['p95_ms']} ms, "
                      f"{plain['peak_rss_mb']} MB)")
        out.append(("query latency", f"{size:,} chunks, hybrid, warm, no OCR", value))
    return out


def ocr_rows(data: dict[str, Any]) -> list[Row]:
    return [("OCR", f"screenshot, {r['engine']}",
             f"p50 {r['p50_s']:.2f} s, p95 {r['p95_s']:.2f} s, key text "
             f"{r['key_text_read']}/{r['images']}") for r in data["rows"]]


def scan_rows(data: dict[str, Any]) -> list[Row]:
    return [("OCR" if "scanned" in r["measure"] else "loading", r["measure"],
             f"{r['rate']} ({r['pages']} pages, {r['seconds']:.1f} s)")
            for r in data["rows"] if r["measure"].startswith(("scanned", "text PDFs"))]


def batch_rows(data: dict[str, Any]) -> list[Row]:
    return [("batch", f"{r['items']} items, {r['workers']} worker(s)",
             f"{r['items_per_s']} items/s, p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, "
             f"{r['failed']} failed") for r in data["rows"]]


@dataclass
class Bench:
    name: str
    script: str
    full: list[str]
    quick: list[str]
    rows: Callable[[dict[str, Any]], list[Row]]


BENCHES = [
    Bench("ingest", "ingest_scale.py", ["--files", "2000"], ["--files", "300"], ingest_rows),
    Bench("query", "query_latency.py", ["--sizes", "1000,10000,100000"],
          ["--sizes", "1000,10000", "--queries", "100"], latency_rows),
    Bench("ocr", "ocr_latency.py", [], [], ocr_rows),
    Bench("scans", "loader_throughput.py", ["--quick"], ["--quick"], scan_rows),
    Bench("batch", "batch_throughput.py", ["--items", "200"], ["--items", "60"], batch_rows),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run)")
    parser.add_argument("--out", type=Path, default=HERE / "results", help="output folder")
    parser.add_argument("--only", nargs="+", choices=[b.name for b in BENCHES],
                        help="run only these")
    parser.add_argument("--reuse", action="store_true",
                        help="summarise the JSON already in --out instead of running")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    times: dict[str, float] = {}
    for bench in BENCHES:
        if args.only and bench.name not in args.only:
            continue
        out = args.out / f"{bench.name}.json"
        if not args.reuse:
            argv = [sys.executable, str(HERE / bench.script),
                    *(bench.quick if args.quick else bench.full), "--json", str(out)]
            print(f"== {' '.join(argv[1:])}", flush=True)
            started = time.perf_counter()
            done = subprocess.run(argv)
            times[bench.name] = round(time.perf_counter() - started, 1)
            if done.returncode:
                rows.append((bench.name, bench.script, f"FAILED (exit {done.returncode})"))
                continue
        if out.is_file():
            rows += bench.rows(json.loads(out.read_text(encoding="utf-8")))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    header = (f"cores: {os.cpu_count()}; load average at the end: {load}; "
              f"{'quick' if args.quick else 'full'} run; seconds per script: {times}")
    print(f"\n{header}\n")
    print_table(["area", "measure", "result"], rows)
    table = ["| area | measure | result |", "|---|---|---|",
             *[f"| {a} | {m} | {v} |" for a, m, v in rows]]
    (args.out / "summary.md").write_text(f"# Benchmark summary\n\n{header}\n\n"
                                         + "\n".join(table) + "\n", encoding="utf-8")
    (args.out / "summary.json").write_text(json.dumps(
        {"header": header, "seconds": times,
         "rows": [dict(zip(("area", "measure", "result"), r, strict=True)) for r in rows]},
        ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out / 'summary.md'} and summary.json")


if __name__ == "__main__":
    main()
