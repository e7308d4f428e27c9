"""Query latency with the pipeline state in PostgreSQL (`index.state`) vs SQLite (default).

The same generated chunks with the same cached e5 vectors (see `query_latency.py`) go into two
on-disk Chroma stores, one with the default SQLite catalog and one with the catalog, BM25 rows
and lock in PostgreSQL; both are written through `Index.reserve` / `Index.replace` as ingest
does (that time is the "store" column). Then each is opened in a fresh process and timed warm
on the same questions (`Runner.retrieve`: embedding, dense search, BM25, fusion), with the
per-query state read on its own: `check_ready` (the rows' version: one round trip to
PostgreSQL) and the BM25 search (a local matrix in both).

Without `--pg-url`, a throwaway PostgreSQL server is started on a free loopback port from
Debian's packages (as the tests do) and removed afterwards.

    .venv/bin/python benchmarks/state_latency.py [--size 10000] [--queries 200] [--real-vectors N]
        [--pg-url postgresql://user@host/db]   # password in PGPASSWORD
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import print_table  # noqa: E402
from benchmarks.latency_corpus import cache_dir, questions, vectors  # noqa: E402
from benchmarks.query_latency import store_chunks  # noqa: E402

STATES = ("sqlite", "postgres")


def config_file(work: Path, state: str, url: str) -> Path:
    path = work / f"bench-{state}.yaml"
    extra = f"  state: {{url: '{url}'}}\n" if state == "postgres" else ""
    path.write_text(f"name: bench-state\nsources: [{{path: {work / 'kb'}}}]\n"
                    f"index:\n  store: {{path: {work / state}}}\n{extra}"
                    "retrieval: {page_images: false}\n", encoding="utf-8")
    return path


def build(config: Path, size: int, real: int | None) -> float:
    """Store chunks 0..size-1 as ingest does; the seconds it took."""
    from pipelines.runner import Runner

    vecs = vectors(size, cache_dir(None), real)
    index = Runner.from_config(config).index
    started = time.perf_counter()
    with index.lock():
        store_chunks(index, 0, size, vecs)
    return time.perf_counter() - started


def measure(config: Path, size: int, count: int) -> dict[str, Any]:
    """In this (fresh) process: warm up, then time `count` questions and the state reads."""
    from pipelines.runner import Runner

    runner = Runner.from_config(config)
    qs = questions(count + 5, size)
    for q in qs[:5]:
        runner.retrieve(q)
    index = runner.index
    total, ready, lexical = [], [], []
    for q in qs[5:]:
        started = time.perf_counter()
        runner.retrieve(q)
        total.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        index.check_ready()
        ready.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        index.lexical_search(q, runner.config.retrieval.candidates)
        lexical.append((time.perf_counter() - started) * 1000)

    def p(values: list[float], q: int) -> float:
        return round(statistics.quantiles(values, n=100)[q - 1], 2)

    return {"p50_ms": p(total, 50), "p95_ms": p(total, 95), "check_ready_p50_ms": p(ready, 50),
            "bm25_p50_ms": p(lexical, 50)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--real-vectors", type=int, default=5000, metavar="N",
                        help="e5 vectors for chunks below N, noisy copies above (see "
                             "query_latency.py; default %(default)s)")
    parser.add_argument("--pg-url", help="an existing database (password in PGPASSWORD)")
    parser.add_argument("--measure", nargs=2, metavar=("CONFIG", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure[0]), int(args.measure[1]), args.queries)))
        return
    server = None
    url = args.pg_url
    if not url:
        from tests.pg_server import PASSWORD, remove_server, start_server

        server = start_server()
        url = server.url
        os.environ["PGPASSWORD"] = PASSWORD
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="mmrag-state-bench-") as tmp:
            work = Path(tmp)
            (work / "kb").mkdir()
            for state in STATES:
                config = config_file(work, state, url)
                seconds = build(config, args.size, args.real_vectors)
                print(f"  {state}: stored {args.size} chunks in {seconds:.1f} s", flush=True)
                done = subprocess.run([sys.executable, __file__, "--measure", str(config),
                                       str(args.size), "--queries", str(args.queries)],
                                      capture_output=True, text=True, check=True)
                got = json.loads(done.stdout.strip().splitlines()[-1])
                rows.append([state, args.size, round(seconds, 1), got["p50_ms"], got["p95_ms"],
                             got["check_ready_p50_ms"], got["bm25_p50_ms"]])
    finally:
        if server is not None:
            remove_server(server)
    print_table(["state", "chunks", "store s", "retrieve p50 ms", "p95 ms",
                 "check_ready p50 ms", "BM25 p50 ms"], rows)


if __name__ == "__main__":
    main()
