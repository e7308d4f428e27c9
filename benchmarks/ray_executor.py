"""Ray executor: scanned-PDF ingest and batch answering, local processes vs Ray (1, 2 workers).

Ingest: the shipped support PDFs' pages are rendered to image-only PDFs (each page twice, at
150 and 200 dpi, so no page image repeats and the OCR cache never answers), then ingested
from an empty store and an empty OCR cache with the local executor and with Ray on a local
instance (its start and stop are inside the timing: that is the overhead a run pays). All
indexes must hold the same node texts. The per-page cost on one Ray worker gives a
projection for N machines (linear in workers, the driver's embedding and writes not the
limit). Batch: the support pipeline's typed questions (cycled to `--items`), answered
locally and by 1 and 2 Ray actors (actor start and warm-up included).

    .venv/bin/python benchmarks/ray_executor.py [--items 30] [--machines 1,4,16]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import print_table, write_json  # noqa: E402
from pipelines.runner import Runner  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SUPPORT = ROOT / "examples" / "error-screenshot-support"
RUNS = [("local", 1), ("local", 2), ("ray", 1), ("ray", 2)]
KB_PAGES = 10_000  # the knowledge base of scanned pages


def scanned_pdfs(folder: Path) -> int:
    """Image-only PDFs of the support PDFs' pages; returns the number of pages."""
    import pypdfium2 as pdfium

    folder.mkdir(parents=True)
    pages = 0
    for source in sorted((SUPPORT / "kb").glob("*.pdf")):
        pdf = pdfium.PdfDocument(source)
        images = [pdf[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
                  for i in range(len(pdf)) for dpi in (150, 200)]
        images[0].save(folder / source.name, "PDF", save_all=True, append_images=images[1:],
                       resolution=150)
        pages += len(images)
    return pages


def node_texts(runner: Runner) -> list[tuple[str, str]]:
    store = runner.index.store
    return sorted((hit.id, hit.text) for collection in ("text", "image")
                  for hit in store.get(collection, store.ids(collection)))


def ingest_runs(folder: Path, pages: int) -> tuple[list[dict], bool, float]:
    """Rows of the ingest runs, whether every index has the same nodes, Ray's s/page."""
    config = folder / "scans.yaml"
    config.write_text("name: scans\nsources: [{path: scans}]\n", encoding="utf-8")
    rows, texts = [], []
    for executor, workers in RUNS:
        os.environ["MMRAG_CACHE_DIR"] = str(folder / f"cache-{executor}-{workers}")
        store = folder / f"store-{executor}-{workers}"
        runner = Runner.from_config(config, {"index.store.path": str(store)})
        started = time.perf_counter()
        summary = runner.ingest(workers=workers, executor=executor)
        seconds = time.perf_counter() - started
        assert not summary.failed, summary.text()
        texts.append(node_texts(runner))
        rows.append({"executor": executor, "workers": workers, "pages": pages,
                     "nodes": len(texts[-1]), "seconds": round(seconds, 1),
                     "pages_per_s": round(pages / seconds, 3),
                     "s_per_page": round(seconds / pages, 2)})
        runner.close()
    same = all(t == texts[0] for t in texts)
    ray_one = next(r["seconds"] for r in rows if r["executor"] == "ray" and r["workers"] == 1)
    return rows, same, round((ray_one - ray_overhead()) / pages, 2)


def ray_overhead() -> float:
    """Seconds to start and stop a local Ray with nothing to run (the fixed cost of a run)."""
    from pipelines.ray_cluster import ray_session

    started = time.perf_counter()
    with ray_session(None, 1):
        pass
    return time.perf_counter() - started


def batch_input(folder: Path, count: int) -> Path:
    lines = (SUPPORT / "queries" / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    typed = [json.loads(line) for line in lines if line.strip() and '"image"' not in line]
    path = folder / "typed.jsonl"
    path.write_text("".join(json.dumps({"id": f"item{n:03d}",
                                        "question": typed[n % len(typed)]["question"]},
                                       ensure_ascii=False) + "\n" for n in range(count)),
                    encoding="utf-8")
    return path


def batch_runs(folder: Path, items: int) -> list[dict]:
    os.environ["MMRAG_CACHE_DIR"] = str(folder / "cache-batch")
    overrides = {"index.store.path": str(folder / "support-store")}
    Runner.from_config("error-screenshot-support", overrides).ingest()
    inp = batch_input(folder, items)
    rows = []
    for executor, workers in RUNS:
        runner = Runner.from_config("error-screenshot-support", overrides)
        out = folder / f"batch-{executor}-{workers}.jsonl"
        summary = runner.batch(inp, out, workers=workers, executor=executor)
        ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
        assert sorted(ids) == sorted(set(ids)) and len(ids) == items, "each id exactly once"
        rows.append({"executor": executor, "workers": workers, "items": items,
                     "failed": summary.failed, "seconds": round(summary.seconds, 1),
                     "items_per_s": round(items / summary.seconds, 2),
                     "p50_ms": round(summary.percentile(50), 1)})
        runner.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--machines", default="1,4,16", help="projection: machine counts")
    parser.add_argument("--cores", type=int, default=2, help="projection: workers per machine")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the rows as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mmrag-ray-bench-") as tmp:
        folder = Path(tmp)
        pages = scanned_pdfs(folder / "scans")
        ingest, same, per_page = ingest_runs(folder, pages)
        batch = batch_runs(folder, args.items)
    print(f"ingest: {pages} scanned pages (image-only PDFs), OCR from an empty cache")
    print_table(["executor", "workers", "pages", "nodes", "s", "pages/s", "s/page"],
                [list(r.values()) for r in ingest])
    print(f"same node ids and texts in all {len(ingest)} indexes: {'yes' if same else 'NO'}")
    for machines in (int(m) for m in args.machines.split(",")):
        hours = KB_PAGES * per_page / (machines * args.cores) / 3600
        print(f"projection: {KB_PAGES:,} pages on {machines} machine(s) x "
              f"{args.cores} Ray workers at {per_page} s/page/worker (Ray's start and "
              f"stop taken out): {hours:.1f} h")
    print(f"\nbatch: {args.items} typed questions (error-screenshot-support)")
    print_table(["executor", "workers", "items", "failed", "s", "items/s", "p50 ms"],
                [list(r.values()) for r in batch])
    write_json(args.json, ingest, batch=batch, same_nodes=same, ray_s_per_page=per_page)


if __name__ == "__main__":
    main()
