"""Batch answering: JSONL in, JSONL out, resumable, parallel, errors recorded per item."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.errors import MmragError
from pipelines.jobs.jsonl import BadLine, Item, parse_items
from pipelines.jobs.latency import percentile

Writer = Callable[[dict[str, Any], float, Any], None]  # (record, ms, progress)


@dataclass
class BatchSummary:
    """Counts and latency of one batch run."""

    done: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    bad_lines: list[str] = field(default_factory=list)  # input lines written as errors

    def percentile(self, q: float) -> float:
        """The latency percentile `q` (0..100) of the answered items, in ms."""
        return percentile(self.latencies_ms, q)

    def text(self) -> str:
        return "\n".join([
            f"batch: {self.done} done, {self.failed} failed, {self.skipped} already in output; "
            f"{self.seconds:.1f}s, p50 {self.percentile(50):.0f} ms, "
            f"p95 {self.percentile(95):.0f} ms", *(f"  {line}" for line in self.bad_lines)])


def finished_ids(output: Path) -> set[str]:
    """Ids already written; a torn last line (killed mid-write) is cut off."""
    if not output.exists():
        return set()
    data = output.read_bytes()
    cut = data.rfind(b"\n") + 1
    if cut < len(data):
        with output.open("r+b") as fh:
            fh.truncate(cut)
    ids = set()
    for line in data[:cut].decode("utf-8").splitlines():
        try:
            ids.add(str(json.loads(line)["id"]))
        except (ValueError, KeyError, TypeError):
            continue
    return ids


def _answer(runner: Any, item: Item) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    try:
        record = {"id": item.id,
                  **runner.query(item.question, item.images, item.extra.get("where"),
                                 **item.query_options()).to_dict()}
    except MmragError as exc:
        record = {"id": item.id, "error": str(exc)}
    return record, (time.perf_counter() - started) * 1000


def run_batch(runner: Any, input_path: Path, output_path: Path, workers: int = 1,
              progress: Any = None) -> BatchSummary:
    """Answer every item not yet in `output_path`, appending one JSON line per item."""
    started = time.perf_counter()
    todo, bad, summary = plan(runner, input_path, output_path)
    with open_output(output_path, summary, bad) as write, \
            ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(_answer, runner, item) for item in todo]
        for future in as_completed(futures):
            write(*future.result(), progress)
    summary.seconds = time.perf_counter() - started
    return summary


def plan(runner: Any, input_path: Path, output_path: Path
         ) -> tuple[list[Item], list[BadLine], BatchSummary]:
    """The items and bad lines not yet in the output, and a summary counting them."""
    items, bad = parse_items(input_path)
    done = finished_ids(output_path)
    todo = [item for item in items if item.id not in done]
    new_bad = [line for line in bad if line.id not in done]
    summary = BatchSummary(skipped=len(items) + len(bad) - len(todo) - len(new_bad),
                           failed=len(new_bad), bad_lines=[line.error for line in new_bad])
    runner.index.check_ready()
    return todo, new_bad, summary


@contextlib.contextmanager
def open_output(output_path: Path, summary: BatchSummary, bad: list[BadLine]
                ) -> Iterator[Writer]:
    """Append to the output: first the new bad lines, then `write(record, ms, progress)` per
    answered item (one whole line, flushed, counted in `summary`)."""
    output_path.parent.mkdir(parents=True, exist_ok=True)
    lock = threading.Lock()
    with output_path.open("a", encoding="utf-8") as out:
        for line in bad:  # recorded like a failed item, so a resumed run skips it too
            out.write(json.dumps({"id": line.id, "error": line.error}, ensure_ascii=False) + "\n")

        def write(record: dict[str, Any], ms: float, progress: Any) -> None:
            with lock:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                out.flush()
            summary.latencies_ms.append(ms)
            if "error" in record:
                summary.failed += 1
            else:
                summary.done += 1
            if progress:
                progress(record["id"], "failed" if "error" in record else "done")

        yield write
