"""Load on `mmrag serve`: concurrent OpenAI-protocol clients on loopback, bounded in count/time.

Starts `mmrag serve` for the support pipeline (ingested into a temp store first, not timed)
on a free 127.0.0.1 port, then for each concurrency level sends a fixed number of chat
completions, a mix of typed questions and base64 screenshots (cycling through the labelled
set, so each screenshot is OCR'd once and then served from the OCR cache, as a help desk
sees the same errors again). Reports throughput, p50/p95/p99 latency, statuses, and the
server's peak RSS. `--during-ingest` repeats one level while the knowledge base changes
(every article edited, so all of them are re-embedded) and `mmrag ingest` runs from the CLI.
The knowledge base is a temp copy of the shipped one; the pipeline reads it through a temp
config with the shipped settings.

    .venv/bin/python benchmarks/serve_load.py [--levels 8,32,128] [--requests 160]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import print_table, write_json  # noqa: E402
from pipelines.jobs.latency import percentile  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "examples/error-screenshot-support/queries"
PIPELINE = "error-screenshot-support"
KEY = "bench-key"


def bodies() -> list[dict]:
    """Chat bodies from the labelled set: typed questions and screenshots."""
    out = []
    for line in (QUERIES / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        content: list[dict] = [{"type": "text", "text": item["question"]}]
        if item.get("image"):
            data = base64.b64encode((QUERIES / item["image"]).read_bytes()).decode()
            content.append({"type": "image_url",
                            "image_url": {"url": f"data:image/png;base64,{data}"}})
        out.append({"model": PIPELINE, "messages": [{"role": "user", "content": content}]})
    return out


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


async def level(url: str, concurrency: int, total: int, items: list[dict]) -> dict:
    """`total` requests from `concurrency` clients; latency per request, statuses counted."""
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(total):
        queue.put_nowait(n)
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=300, limits=limits,
                                 headers={"Authorization": f"Bearer {KEY}"}) as client:

        async def worker() -> None:
            while not queue.empty():
                n = queue.get_nowait()
                started = time.perf_counter()
                try:
                    reply = await client.post("/v1/chat/completions", json=items[n % len(items)])
                    statuses[str(reply.status_code)] += 1
                    if reply.status_code == 200:
                        latencies.append((time.perf_counter() - started) * 1000)
                except httpx.HTTPError as exc:
                    statuses[exc.__class__.__name__] += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    return {"clients": concurrency, "requests": total, "seconds": round(seconds, 1),
            "req_per_s": round(total / seconds, 2),
            "p50_ms": round(percentile(latencies, 50)), "p95_ms": round(percentile(latencies, 95)),
            "p99_ms": round(percentile(latencies, 99)),
            "statuses": dict(sorted(statuses.items()))}


def temp_pipeline(work: Path) -> tuple[Path, Path]:
    """A copy of the support knowledge base and a config like the shipped one reading it."""
    import shutil

    import yaml

    kb = work / "kb"
    shutil.copytree(ROOT / "examples/error-screenshot-support/kb", kb)
    data = yaml.safe_load((ROOT / f"configs/{PIPELINE}.yaml").read_text(encoding="utf-8"))
    data["sources"] = [{"path": str(kb)}]
    data["index"]["store"]["path"] = str(work / "store")
    data["prompt"] = str(ROOT / f"prompts/{data['prompt']}.yaml") if data.get("prompt") else None
    config = work / f"{PIPELINE}.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return config, kb


def edit_articles(kb: Path) -> None:
    """Change every Markdown article (a line appended), so an ingest re-embeds them."""
    for path in kb.glob("*.md"):
        path.write_text(path.read_text(encoding="utf-8") + "\nReviewed.\n", encoding="utf-8")


def start_server(config: Path, port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    args = [sys.executable, "-m", "pipelines.cli", "serve", str(config), "--port", str(port),
            "--set", "limits.rate_limit=", "--set", "limits.queue_size=256"]
    proc = subprocess.Popen(args, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit(f"server did not start: {log.read_text()[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="8,32,128")
    parser.add_argument("--requests", type=int, default=160, help="per level")
    parser.add_argument("--during-ingest", type=int, default=32, metavar="CLIENTS",
                        help="clients for the run during an ingest (0: skip)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mmrag-serve-load-"))
    config, kb = temp_pipeline(work)
    log = work / "serve.log"
    env = {**os.environ, "MMRAG_API_KEYS": KEY, "MMRAG_CACHE_DIR": str(work / "cache"),
           "PYTHONPATH": str(ROOT)}
    ingest = [sys.executable, "-m", "pipelines.cli", "ingest", str(config)]
    subprocess.run(ingest, env=env, check=True, capture_output=True)
    from tests.conftest import free_port

    port = free_port()
    proc = start_server(config, port, env, log)
    url, items, rows = f"http://127.0.0.1:{port}", bodies(), []
    try:
        for clients in (int(c) for c in args.levels.split(",")):
            rows.append(asyncio.run(level(url, clients, args.requests, items)))
            rows[-1]["peak_rss_mb"] = peak_rss_mb(proc.pid)
            print(f"{clients} clients: {rows[-1]}", flush=True)
        if args.during_ingest:
            edit_articles(kb)
            job = subprocess.Popen(ingest, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
            row = asyncio.run(level(url, args.during_ingest, args.requests, items))
            row.update(clients=f"{args.during_ingest} + ingest", peak_rss_mb=peak_rss_mb(proc.pid),
                       ingest_rc=job.wait())
            rows.append(row)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    print_table(["clients", "requests", "s", "req/s", "p50 ms", "p95 ms", "p99 ms", "statuses",
                 "peak RSS MB"],
                [[r["clients"], r["requests"], r["seconds"], r["req_per_s"], r["p50_ms"],
                  r["p95_ms"], r["p99_ms"], json.dumps(r["statuses"]), r["peak_rss_mb"]]
                 for r in rows])
    if args.json:
        write_json(args.json, rows)


if __name__ == "__main__":
    main()
