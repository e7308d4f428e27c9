"""The vector store alone at 10k / 100k vectors: Chroma vs LanceDB, through `VectorStore`.

Random unit vectors (384 dimensions, as e5-small) with `source`/`page` metadata go into the
"text" collection of each store, on disk, through the `VectorStore` interface mmrag uses;
then `search(top_k=40)` (mmrag's candidate pool) is timed without a filter and with a
`--where`-style filter, and `ids(filter)` as `Index.matching_ids` calls it. No embedding
model and no BM25: this isolates the store, where `query_latency.py` times whole queries.

    .venv/bin/python benchmarks/store_latency.py [--sizes 10000,100000] [--queries 200]
        [--store chroma,lancedb] [--json out.json]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import print_table, write_json  # noqa: E402

DIM = 384
BATCH = 2000
FILTER = ["page=2..5", "source=kb/doc-00*"]  # a range and a glob, as on the command line


def unit_vectors(count: int, seed: int) -> Any:
    import numpy as np

    got = np.random.default_rng(seed).normal(size=(count, DIM)).astype(np.float32)
    return got / np.linalg.norm(got, axis=1, keepdims=True)


def fill(store: Any, size: int) -> float:
    """Add `size` nodes in batches; seconds taken."""
    from llama_index.core.schema import TextNode

    vecs = unit_vectors(size, 0)
    started = time.perf_counter()
    for at in range(0, size, BATCH):
        store.add("text", [TextNode(id_=f"{i:08d}", text=f"chunk {i}", embedding=vecs[i].tolist(),
                                    metadata={"source": f"kb/doc-{i // 10:05d}.md",
                                              "page": i % 10 + 1, "modality": "text"})
                           for i in range(at, min(at + BATCH, size))])
    store.optimize()  # as ingest ends
    return time.perf_counter() - started


def timed(call: Any, count: int) -> tuple[float, float]:
    import numpy as np

    for _ in range(5):
        call(0)
    times = []
    for q in range(count):
        started = time.perf_counter()
        call(q)
        times.append((time.perf_counter() - started) * 1000)
    return (round(float(np.percentile(times, 50)), 2), round(float(np.percentile(times, 95)), 2))


def measure(kind: str, folder: Path, size: int, count: int) -> dict[str, Any]:
    from pipelines import registry
    from pipelines.config.schema import StoreConfig
    from pipelines.stores.filters import expand_globs, parse_where

    config = StoreConfig(type=kind, path=str(folder))
    store = registry.resolve("store", kind)(config, "bench")
    seconds = fill(store, size)
    reader = registry.resolve("store", kind)(config, "bench")  # a fresh process would open so
    queries = unit_vectors(count + 5, 1).tolist()
    sources = sorted({f"kb/doc-{i // 10:05d}.md" for i in range(size)})
    where = expand_globs(parse_where(FILTER), sources)  # as the retriever does
    plain = timed(lambda q: reader.search("text", queries[q], 40), count)
    filtered = timed(lambda q: reader.search("text", queries[q], 40, where), count)
    ids = timed(lambda q: reader.ids("text", where), min(count, 50))
    return {"store": kind, "vectors": size, "add_s": round(seconds, 1),
            "search_p50_ms": plain[0], "search_p95_ms": plain[1],
            "filtered_p50_ms": filtered[0], "filtered_p95_ms": filtered[1],
            "ids_p50_ms": ids[0], "ids_p95_ms": ids[1],
            "matching": len(reader.ids("text", where)),
            "disk_mb": round(sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
                             / 2**20, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--store", default="chroma,lancedb")
    parser.add_argument("--json", type=Path, metavar="OUT")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="mmrag-store-latency-"))
    rows = []
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            for kind in args.store.split(","):
                row = measure(kind, root / f"{kind}-{size}", size, args.queries)
                rows.append(row)
                print(row, flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print_table(["store", "vectors", "add s", "search p50/p95 ms", "filtered p50/p95 ms",
                 "ids(filter) p50/p95 ms", "matching", "disk MB"],
                [[r["store"], r["vectors"], r["add_s"],
                  f"{r['search_p50_ms']} / {r['search_p95_ms']}",
                  f"{r['filtered_p50_ms']} / {r['filtered_p95_ms']}",
                  f"{r['ids_p50_ms']} / {r['ids_p95_ms']}", r["matching"], r["disk_mb"]]
                 for r in rows])
    write_json(args.json, rows, queries=args.queries, filter=FILTER)


if __name__ == "__main__":
    main()
