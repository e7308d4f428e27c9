"""CLIP cost: image embedding throughput, ingest and warm query latency with and without CLIP.

    .venv/bin/python benchmarks/clip_retrieval.py [--model PATH_OR_NAME] [--images 120]

Without `--model` a tiny randomly initialised CLIP is built (as in the tests): the numbers then
show the pipeline's own overhead (Chroma collection, fusion, loading), not a real model's cost.
Query latency is retrieval only (no OCR, no answer), warm, over `--queries` runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import common
import numpy as np
import yaml
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.tiny_clip


def make_images(folder: Path, count: int) -> list[Path]:
    """`count` text-free pictures of random coloured shapes."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    paths = []
    for i in range(count):
        img = Image.new("RGB", (224, 224), tuple(int(c) for c in rng.integers(0, 255, 3)))
        draw = ImageDraw.Draw(img)
        for _ in range(4):
            x, y = (int(v) for v in rng.integers(0, 180, 2))
            box = (x, y, x + int(rng.integers(20, 44)), y + int(rng.integers(20, 44)))
            colour = tuple(int(c) for c in rng.integers(0, 255, 3))
            (draw.ellipse if i % 2 else draw.rectangle)(box, fill=colour)
        paths.append(folder / f"img{i:04d}.png")
        img.save(paths[-1])
    return paths


def embedding_rows(model: str, images: list[Path]) -> list[dict]:
    """Model load time and batched image embedding throughput."""
    from pipelines.index.clip import ClipEmbedding

    clip = ClipEmbedding(model=model, batch_size=32)
    started = time.perf_counter()
    clip.get_image_embedding(str(images[0]))
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    clip.get_image_embedding_batch([str(p) for p in images])
    rate = len(images) / (time.perf_counter() - started)
    return [{"measure": "CLIP model load + first image (s)", "value": round(load_s, 2)},
            {"measure": "CLIP image embedding (images/s)", "value": round(rate, 1)}]


def make_runner(root: Path, name: str, model: str | None):
    """A pipeline over `root/kb` in its own store, with CLIP when `model` is given."""
    from pipelines.runner import Runner

    body = {"name": name, "sources": [{"path": str(root / "kb")}],
            "ocr": {"languages": ["eng"]},
            "index": {"store": {"path": str(root / name)},
                      "image_embedding": {"type": "clip", "model": model} if model else None}}
    path = root / f"{name}.yaml"
    path.write_text(yaml.safe_dump(body), encoding="utf-8")
    return Runner.from_config(path)




def query_latency(runner, images: list[Path], queries: int, with_image: bool) -> list[float]:
    from pipelines.query.text_retriever import Retriever

    retriever = Retriever(runner.index, runner.config.retrieval)
    retriever.retrieve("warm up", images=[images[0]] if with_image else None)
    times = []
    for i in range(queries):
        query = [images[(i * 7) % len(images)]] if with_image else None
        started = time.perf_counter()
        retriever.retrieve("what does this picture show?", images=query)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    from pipelines.jobs.latency import percentile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="CLIP folder or cached name (default: tiny random)")
    parser.add_argument("--images", type=int, default=120)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--json", type=Path, metavar="OUT")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="clip-bench-"))
    os.environ.setdefault("MMRAG_CACHE_DIR", str(root / "cache"))
    model = args.model
    if not model:
        from tests.tiny_clip import build_tiny_clip

        model = str(build_tiny_clip(root / "tiny-clip"))
    images = make_images(root / "kb", args.images)
    rows = embedding_rows(model, images)

    make_runner(root, "warm-ocr", None).ingest()  # OCR cache filled: timed ingests skip OCR
    timed = {}
    for name, with_clip in (("plain", None), ("clip", model)):
        timed[name] = make_runner(root, name, with_clip)
        started = time.perf_counter()
        timed[name].ingest()
        rows.append({"measure": f"ingest {len(images)} images, OCR cached, {name} (s)",
                     "value": round(time.perf_counter() - started, 2)})
    for name, with_image in (("plain", False), ("clip", False), ("clip", True)):
        times = query_latency(timed[name], images, args.queries, with_image)
        label = f"retrieve {name}{' + query image' if with_image else ''}"
        rows.append({"measure": f"{label} p50 (ms)", "value": round(statistics.median(times), 1)})
        rows.append({"measure": f"{label} p95 (ms)", "value": round(percentile(times, 95), 1)})
    print(f"model: {args.model or 'tiny random CLIP (pipeline overhead only)'}; "
          f"{len(images)} images; {args.queries} warm queries each")
    common.print_table(["measure", "value"], [[r["measure"], r["value"]] for r in rows])
    common.write_json(args.json, rows, model=args.model or "tiny-random")


if __name__ == "__main__":
    main()
