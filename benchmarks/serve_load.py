"""Load on `mmrag serve`: concurrent OpenAI-protocol clients on loopback, bounded in count/time.

Starts `mmrag serve` for the support pipeline (ingested into a temp store first, not timed)
on a free 127.0.0.1 port. A warm-up pass sends every labelled question once (each screenshot
is OCR'd once there and then served from the OCR cache, as a help desk sees the same errors
again); it is reported as its own row. Then for each concurrency level a fixed number of
chat completions, typed questions and base64 screenshots alternating. Reports throughput,
p50/p95/p99 latency of the answered (200) requests, the replies by status and error type,
and the server's peak RSS (VmHWM, summed over the worker processes with `--workers`).

`--limits shipped` keeps the shipped limits (120 requests/minute per key, 4 queries at once,
32 waiting; more get 429/503): every level uses its own API key, so each starts with a full
rate-limit budget. `--limits raised` turns the rate limit off and lets every client wait
(queue_size 256), which measures throughput. `--during-ingest N` repeats the load with N
clients while `mmrag ingest` runs from the CLI on a changed knowledge base (every article
edited, so all are re-embedded, and one new article): at least `--requests`, and on until
the ingest has finished; afterwards the new article must be the top source for its error.
Everything stays on 127.0.0.1 and in a temp folder.

    .venv/bin/python benchmarks/serve_load.py [--limits shipped|raised] [--levels 8,32,128]
        [--requests 160] [--during-ingest 32] [--workers 1] [--json OUT]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import shutil
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
LIMITS = {"shipped": [], "raised": ["limits.rate_limit=", "limits.queue_size=256"]}
NEW_ARTICLE = ("# Label printer error LP-4711\n\nError: `LP-4711 label roll not detected`\n\n"
               "## Fix\n1. Open the cover and seat the label roll on the spindle.\n")
NEW_QUESTION = "LP-4711 label roll not detected"


def bodies() -> list[dict]:
    """Chat bodies from the labelled set, screenshots and typed questions alternating."""
    shots, typed = [], []
    for line in (QUERIES / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        content: list[dict] = [{"type": "text", "text": item["question"]}]
        if item.get("image"):
            data = base64.b64encode((QUERIES / item["image"]).read_bytes()).decode()
            content.append({"type": "image_url",
                            "image_url": {"url": f"data:image/png;base64,{data}"}})
        body = {"model": PIPELINE, "messages": [{"role": "user", "content": content}]}
        (shots if item.get("image") else typed).append(body)
    mixed = [b for pair in zip(shots, typed, strict=False) for b in pair]
    longer = shots if len(shots) > len(typed) else typed
    return mixed + longer[len(mixed) // 2:]


def children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out += [int(c) for c in text]
    return out


def peak_rss_mb(pid: int) -> float:
    """VmHWM of the server, plus that of its worker processes (`--workers N`)."""
    total = 0
    for proc in [pid, *children(pid)]:
        try:
            lines = Path(f"/proc/{proc}/status").read_text().splitlines()
        except OSError:
            continue
        total += sum(int(line.split()[1]) for line in lines if line.startswith("VmHWM:"))
    return round(total / 1024, 1)


async def level(url: str, key: str, concurrency: int, total: int, items: list[dict],
                max_seconds: float, busy: asyncio.Event | None = None) -> dict:
    """`total` requests from `concurrency` clients (no new ones after `max_seconds`);
    latency of each answered request; replies counted by status and error type. With
    `busy` (set while an ingest runs): requests go on while it is set (up to 20 x `total`),
    and the row says how many were answered while it was."""
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    messages: Counter[str] = Counter()  # of the 5xx replies
    during = sent = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    started = time.perf_counter()
    deadline = started + max_seconds
    async with httpx.AsyncClient(base_url=url, timeout=300, limits=limits,
                                 headers={"Authorization": f"Bearer {key}"}) as client:

        async def worker() -> None:
            nonlocal during, sent
            while time.perf_counter() < deadline and (
                    sent < total or (busy is not None and busy.is_set() and sent < 20 * total)):
                n, sent = sent, sent + 1
                begun = time.perf_counter()
                try:
                    reply = await client.post("/v1/chat/completions", json=items[n % len(items)])
                except httpx.HTTPError as exc:
                    statuses[exc.__class__.__name__] += 1
                    continue
                if reply.status_code == 200:
                    latencies.append((time.perf_counter() - begun) * 1000)
                    statuses["200"] += 1
                    during += bool(busy and busy.is_set())
                else:
                    error = reply.json().get("error", {})
                    statuses[f"{reply.status_code} {error.get('type', '?')}"] += 1
                    if reply.status_code != 429:
                        messages[f"{reply.status_code} {error.get('message', '?')[:160]}"] += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    done = sum(statuses.values())
    row = {"clients": concurrency, "requests": done, "seconds": round(seconds, 1),
           "req_per_s": round(done / seconds, 2),
           "ok_per_s": round(statuses["200"] / seconds, 2),
           "p50_ms": round(percentile(latencies, 50)), "p95_ms": round(percentile(latencies, 95)),
           "p99_ms": round(percentile(latencies, 99)),
           "statuses": dict(sorted(statuses.items())), "messages": dict(messages)}
    if busy is not None:
        row["answered_during_ingest"] = during
    return row


def temp_pipeline(work: Path) -> tuple[Path, Path]:
    """A copy of the support knowledge base and a config like the shipped one reading it."""
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


def change_kb(kb: Path) -> None:
    """Edit every Markdown article (a line appended, so an ingest re-embeds them) and add one."""
    for path in kb.glob("*.md"):
        path.write_text(path.read_text(encoding="utf-8") + "\nReviewed.\n", encoding="utf-8")
    (kb / "label-printer-lp-4711.md").write_text(NEW_ARTICLE, encoding="utf-8")


def start_server(config: Path, port: int, env: dict[str, str], log: Path,
                 settings: list[str], workers: int) -> subprocess.Popen:
    args = [sys.executable, "-m", "pipelines.cli", "serve", str(config), "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(workers)]
    for setting in settings:
        args += ["--set", setting]
    proc = subprocess.Popen(args, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit(f"server did not start: {log.read_text()[-2000:]}")


def top_source(url: str, key: str, question: str) -> str:
    reply = httpx.post(f"{url}/v1/chat/completions", timeout=120,
                       headers={"Authorization": f"Bearer {key}"},
                       json={"model": PIPELINE, "messages": [{"role": "user",
                                                              "content": question}]})
    reply.raise_for_status()
    sources = reply.json()["mmrag"]["sources"]
    return sources[0]["source"] if sources else ""


async def during_ingest(url: str, key: str, clients: int, total: int, items: list[dict],
                        max_seconds: float, ingest: list[str], env: dict[str, str]) -> dict:
    busy = asyncio.Event()
    busy.set()
    started = time.perf_counter()
    job = await asyncio.create_subprocess_exec(*ingest, env=env, stdout=subprocess.DEVNULL,
                                               stderr=subprocess.DEVNULL)

    async def watch() -> tuple[int, float]:
        code = await job.wait()
        busy.clear()
        return code, time.perf_counter() - started

    watcher = asyncio.create_task(watch())
    row = await level(url, key, clients, total, items, max_seconds, busy)
    code, seconds = await asyncio.wait_for(watcher, 600)
    row.update(clients=f"{clients} + ingest", ingest_rc=code, ingest_s=round(seconds, 1))
    return row


def server_errors(log: Path) -> list[str]:
    return [line for line in log.read_text(errors="replace").splitlines()
            if "request failed" in line or "Traceback" in line or " ERROR " in line]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limits", choices=sorted(LIMITS), default="shipped",
                        help="shipped server limits, or no rate limit and a deep queue")
    parser.add_argument("--levels", default="8,32,128")
    parser.add_argument("--requests", type=int, default=160, help="per level")
    parser.add_argument("--max-seconds", type=float, default=600,
                        help="per level: no new request after this")
    parser.add_argument("--during-ingest", type=int, default=32, metavar="CLIENTS",
                        help="clients for the run during an ingest (0: skip)")
    parser.add_argument("--workers", type=int, default=1, help="`mmrag serve --workers`")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (server log)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    levels = [int(c) for c in args.levels.split(",") if c]
    work = Path(tempfile.mkdtemp(prefix="mmrag-serve-load-"))
    config, kb = temp_pipeline(work)
    log = work / "serve.log"
    keys = [f"bench-{n}" for n in range(len(levels) + 3)]  # warm-up, levels, ingest, check
    env = {**os.environ, "MMRAG_API_KEYS": ",".join(keys), "MMRAG_CACHE_DIR": str(work / "cache"),
           "PYTHONPATH": str(ROOT)}
    ingest = [sys.executable, "-m", "pipelines.cli", "ingest", str(config)]
    subprocess.run(ingest, env=env, check=True, capture_output=True, timeout=900)
    from tests.conftest import free_port

    port = free_port()
    proc = start_server(config, port, env, log, LIMITS[args.limits], args.workers)
    url, items, rows = f"http://127.0.0.1:{port}", bodies(), []
    load = load_before = os.getloadavg()
    print(f"limits {args.limits}, {args.workers} worker(s), {os.cpu_count()} CPUs, load "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
    try:
        # warm-up: every question once from 4 clients (fills the OCR cache), its own key
        rows.append(asyncio.run(level(url, keys[0], 4, len(items), items, args.max_seconds)))
        rows[-1].update(clients="4 (warm-up, cold OCR cache)", peak_rss_mb=peak_rss_mb(proc.pid))
        print(rows[-1], flush=True)
        for n, clients in enumerate(levels, start=1):
            rows.append(asyncio.run(level(url, keys[n], clients, args.requests, items,
                                          args.max_seconds)))
            rows[-1]["peak_rss_mb"] = peak_rss_mb(proc.pid)
            print(rows[-1], flush=True)
        if args.during_ingest:
            change_kb(kb)
            row = asyncio.run(during_ingest(url, keys[-2], args.during_ingest, args.requests,
                                            items, args.max_seconds, ingest, env))
            found = top_source(url, keys[-1], NEW_QUESTION)
            row.update(peak_rss_mb=peak_rss_mb(proc.pid), new_article_top=found)
            rows.append(row)
            print(row, flush=True)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(60)
    errors = server_errors(log)
    load = os.getloadavg()
    print(f"server exit {code}; load after {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"{len(errors)} error line(s) in the server log")
    for line in errors[:20]:
        print("  " + line)
    for row in rows:
        for message, count in row["messages"].items():
            print(f"{row['clients']}: {count} x {message}")
    print_table(["clients", "requests", "s", "req/s", "200/s", "p50 ms", "p95 ms", "p99 ms",
                 "replies", "peak RSS MB"],
                [[r["clients"], r["requests"], r["seconds"], r["req_per_s"], r["ok_per_s"],
                  r["p50_ms"], r["p95_ms"], r["p99_ms"],
                  ", ".join(f"{k}: {v}" for k, v in r["statuses"].items()), r["peak_rss_mb"]]
                 for r in rows])
    if args.during_ingest:
        r = rows[-1]
        print(f"ingest: exit {r['ingest_rc']} in {r['ingest_s']} s, "
              f"{r['answered_during_ingest']} requests answered while it ran; "
              f"top source for the new article's error: {r['new_article_top']}")
    write_json(args.json, rows, limits=args.limits, workers=args.workers,
               cpus=os.cpu_count(), load_before=[round(x, 2) for x in load_before],
               load_after=[round(x, 2) for x in load], server_exit=code,
               server_error_lines=len(errors))
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
