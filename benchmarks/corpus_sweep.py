"""Every registered loader over every corpus file it accepts, each load in a child process.

Run: .venv/bin/python benchmarks/corpus_sweep.py [--workers 2] [--timeout 60] [--json sweep.json]

Each file goes to the first loader (in registry priority) that accepts it; `list(load(path))`
runs in its own child process, which is killed when it passes --timeout. Per file: status
(loaded / failed / timeout), documents yielded (and how many are images), characters of text,
seconds.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import signal
import sys
import tempfile
import time
from collections import Counter, deque
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

import common

from loaders.base import Loader
from loaders.errors import LoaderError
from loaders.ocr import Ocr
from loaders.registry import loader_class, loader_names, pick_loader

SLOW_SECONDS = 10.0


@dataclass
class Result:
    """The outcome of one corpus file."""

    path: str
    suffix: str
    loader: str | None
    status: str  # loaded / failed / timeout / not accepted
    documents: int = 0
    images: int = 0
    chars: int = 0
    seconds: float = 0.0
    error: str = ""


@dataclass
class Settings:
    """What a child process needs to build the loaders exactly as the parent did."""

    engine: str
    languages: list[str]
    cache_dir: Path
    artifacts_dir: Path


def build_loaders(settings: Settings) -> dict[str, Loader]:
    """Every registered loader, named, in priority order (skipping ones that cannot import)."""
    ocr = Ocr(settings.engine, settings.languages, cache_dir=settings.cache_dir)
    loaders = {}
    for name in loader_names():
        try:
            loaders[name] = loader_class(name)(ocr=ocr, artifacts_dir=settings.artifacts_dir)
        except Exception as exc:
            print(f"warning: loader {name!r} unavailable: {one_line(exc)}", file=sys.stderr)
    return loaders


def one_line(exc: BaseException) -> str:
    """A one-line reason: the LoaderError problem, else exception class and message."""
    if isinstance(exc, LoaderError):
        text = f"LoaderError: {exc.problem}"
    else:
        text = f"{exc.__class__.__name__}: {exc}"
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:197] + "..."


def child(conn: Connection, path: Path, name: str, settings: Settings) -> None:
    """Child process: load one file and send back counts (never the documents)."""
    os.setpgrp()  # own process group, so a timeout also kills tesseract & co.
    started = time.perf_counter()
    try:
        loader = build_loaders(settings)[name]
        documents = list(loader.load(path))
        reply = {"status": "loaded", "documents": len(documents),
                 "images": sum(d.modality == "image" for d in documents),
                 "chars": sum(len(d.text) for d in documents)}
    except Exception as exc:
        reply = {"status": "failed", "error": one_line(exc)}
    reply["seconds"] = time.perf_counter() - started
    conn.send(reply)
    conn.close()


class Sweep:
    """Runs load tasks in at most `workers` child processes, killing any past `timeout`."""

    def __init__(self, settings: Settings, workers: int, timeout: float) -> None:
        self.settings, self.workers, self.timeout = settings, workers, timeout
        self.context = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else None)
        self.running: dict[Connection, tuple[Any, Result, float]] = {}

    def run(self, tasks: list[Result]) -> None:
        """Fill in each task's status, counts and seconds."""
        pending = deque(tasks)
        while pending or self.running:
            while pending and len(self.running) < self.workers:
                self._start(pending.popleft())
            soonest = min(started for _, _, started in self.running.values())
            remaining = max(0.0, soonest + self.timeout - time.monotonic())
            for conn in wait(list(self.running), timeout=remaining):
                self._finish(conn)
            self._kill_overdue()

    def _start(self, result: Result) -> None:
        parent_end, child_end = self.context.Pipe(duplex=False)
        args = (child_end, Path(result.path), result.loader, self.settings)
        proc = self.context.Process(target=child, args=args, daemon=True)
        proc.start()
        child_end.close()  # so a dead child shows as EOF
        self.running[parent_end] = (proc, result, time.monotonic())

    def _finish(self, conn: Connection) -> None:
        proc, result, started = self.running.pop(conn)
        try:
            reply = conn.recv()
        except EOFError:
            proc.join()
            reply = {"status": "failed", "seconds": time.monotonic() - started,
                     "error": f"child process died (exit code {proc.exitcode})"}
        conn.close()
        proc.join()
        for key, value in reply.items():
            setattr(result, key, value)
        report(result)

    def _kill_overdue(self) -> None:
        now = time.monotonic()
        for conn, (proc, result, started) in list(self.running.items()):
            if now - started >= self.timeout and not conn.poll():
                kill_group(proc)
                proc.join()
                conn.close()
                del self.running[conn]
                result.status, result.seconds = "timeout", now - started
                result.error = f"killed after {self.timeout:g} s"
                report(result)


def kill_group(proc: Any) -> None:
    """Kill a child and everything it started (its process group)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()  # it had not made its own group yet


def report(result: Result) -> None:
    """One progress line on stderr."""
    print(f"  {result.status:<8} {result.seconds:6.1f}s {result.path}", file=sys.stderr,
          flush=True)


def plan(corpus: Path, loaders: dict[str, Loader], only: str | None) -> list[Result]:
    """Every corpus file, with the loader that accepts it (or 'not accepted')."""
    results = []
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        rel = path.relative_to(corpus)
        if any(part.startswith(".") for part in rel.parts) or (only and only not in str(rel)):
            continue
        picked = pick_loader(path, list(loaders.values()))
        name = next((n for n, loader in loaders.items() if loader is picked), None)
        status = "pending" if name else "not accepted"
        results.append(Result(str(path), path.suffix.lower() or "(none)", name, status))
    return results


def print_counts(results: list[Result], wall: float) -> None:
    """Files accepted, loaded, failed, timed out, not accepted by suffix, totals."""
    accepted = [r for r in results if r.loader]
    statuses = Counter(r.status for r in accepted)
    by_loader = Counter(r.loader for r in accepted)
    skipped = Counter(r.suffix for r in results if not r.loader)
    print(f"files: {len(results)}; accepted: {len(accepted)} "
          f"({', '.join(f'{k} {v}' for k, v in by_loader.items())}); "
          f"not accepted: {sum(skipped.values())}")
    print(f"loaded: {statuses['loaded']}, failed: {statuses['failed']}, "
          f"timed out: {statuses['timeout']}")
    print(f"documents: {sum(r.documents for r in accepted)} "
          f"({sum(r.images for r in accepted)} images), characters: "
          f"{sum(r.chars for r in accepted):,}; total time: {wall:.1f} s wall, "
          f"{sum(r.seconds for r in accepted):.1f} s in loaders")
    print("not accepted, by suffix: " + ", ".join(f"{k} {v}" for k, v in skipped.most_common()))


def print_lists(results: list[Result], corpus: Path) -> None:
    """Failures with reasons, slow files and loads that yielded nothing."""
    def rel(result: Result) -> str:
        return str(Path(result.path).relative_to(corpus))

    accepted = [r for r in results if r.loader]
    bad = [r for r in accepted if r.status in ("failed", "timeout")]
    print(f"\nfailures ({len(bad)}):")
    common.print_table(["file", "loader", "status", "s", "reason"],
                       [[rel(r), r.loader, r.status, f"{r.seconds:.1f}", r.error] for r in bad])
    slow = sorted((r for r in accepted if r.seconds > SLOW_SECONDS), key=lambda r: -r.seconds)
    print(f"\nslower than {SLOW_SECONDS:g} s ({len(slow)}):")
    common.print_table(["file", "loader", "status", "s", "documents", "images", "chars"],
                       [[rel(r), r.loader, r.status, f"{r.seconds:.1f}", r.documents, r.images,
                         r.chars] for r in slow])
    empty = [r for r in accepted if r.status == "loaded" and r.documents == 0]
    print(f"\nloaded but yielded no documents ({len(empty)}):")
    for result in empty:
        print(f"  {rel(result)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_corpus_args(parser)
    parser.add_argument("--workers", type=int, default=2, help="child processes at once")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per file")
    parser.add_argument("--engine", default="tesseract", help="OCR engine for the loaders")
    parser.add_argument("--lang", default="eng+chi_sim", help="OCR languages, '+'-joined")
    parser.add_argument("--only", metavar="SUBSTRING", help="only files whose path has this")
    args = parser.parse_args()
    corpus = common.corpus_root(args.corpus)
    with tempfile.TemporaryDirectory(prefix="mmrag-sweep-") as tmp:
        settings = Settings(args.engine, args.lang.split("+"), Path(tmp) / "ocr",
                            Path(tmp) / "artifacts")
        loaders = build_loaders(settings)
        print(f"loaders: {', '.join(loaders)}; OCR: {args.engine} {args.lang}; "
              f"workers {args.workers}, timeout {args.timeout:g} s")
        results = plan(corpus, loaders, args.only)
        started = time.monotonic()
        Sweep(settings, args.workers, args.timeout).run([r for r in results if r.loader])
        wall = time.monotonic() - started
    print_counts(results, wall)
    print_lists(results, corpus)
    common.write_json(args.json, [asdict(r) for r in results], wall_seconds=wall,
                      loaders=list(loaders), timeout=args.timeout, workers=args.workers)


if __name__ == "__main__":
    main()
