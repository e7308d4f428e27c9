"""Batch answering on Ray (`mmrag batch --executor ray`): a pool of actors, one writer.

Each of `workers` actors holds its own runner, built from the driver's resolved config
(overrides included) and warmed up once. The driver hands items to idle actors and writes
each answer as it arrives, through `batch.open_output`: the output, resumability (ids already
written are skipped; a torn last line is cut) and the summary are those of a local batch.
An actor lost mid-item is restarted and the item retried by Ray (`RETRIES`); after that
the item is written as `{"id", "error": "the batch worker died ..."}` and the batch goes on.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pipelines.errors import MmragError
from pipelines.jobs.batch import BatchSummary, _answer, open_output, plan
from pipelines.jobs.jsonl import Item
from pipelines.ray_cluster import check_ray, ray_session

RETRIES = 1  # restarts of a lost actor, and retries of the item it was answering


class _Answerer:
    """The actor: one runner of the pipeline (`runner_type(config)`), warmed up."""

    def __init__(self, runner_type: type, config: Any) -> None:
        self.runner = runner_type(config)
        self.runner.warm_up()

    def ready(self) -> bool:
        return True

    def answer(self, item: Item) -> tuple[dict[str, Any], float]:
        return _answer(self.runner, item)


def run_batch_on_ray(runner: Any, input_path: Path, output_path: Path, workers: int = 1,
                     address: str | None = None, progress: Any = None) -> BatchSummary:
    """Answer every item not yet in `output_path` on `workers` Ray actors."""
    started = time.perf_counter()
    check_ray(address)
    todo, bad, summary = plan(runner, input_path, output_path)
    with open_output(output_path, summary, bad) as write:
        if todo:
            with ray_session(address, workers) as ray:
                actor = ray.remote(max_restarts=RETRIES, max_task_retries=RETRIES)(_Answerer)

                def new() -> Any:
                    return actor.remote(type(runner), runner.config)

                for record, ms in _answers(ray, new, _start(ray, new, min(workers, len(todo))),
                                           todo):
                    write(record, ms, progress)
    summary.seconds = time.perf_counter() - started
    return summary


def _start(ray: Any, new: Callable[[], Any], count: int) -> list[Any]:
    """`count` warmed-up actors; a runner that cannot start is one line, before any item."""
    actors = [new() for _ in range(max(1, count))]
    try:
        ray.get([a.ready.remote() for a in actors])
    except ray.exceptions.RayError as exc:
        raise MmragError(f"--executor ray: a batch worker could not start ({_cause(exc)})"
                         ) from None
    return actors


def _answers(ray: Any, new: Callable[[], Any], actors: list[Any], todo: list[Item]
             ) -> Iterator[tuple[dict[str, Any], float]]:
    """Yield (record, ms) per item as the actors finish them; an actor that died for good
    (its restarts used up) is replaced by a new one for the items left."""
    idle, waiting = list(actors), deque(todo)
    running: dict[Any, tuple[Item, Any]] = {}
    while waiting or running:
        while waiting and idle:
            actor, item = idle.pop(), waiting.popleft()
            running[actor.answer.remote(item)] = (item, actor)
        [ref], _ = ray.wait(list(running), num_returns=1)
        item, actor = running.pop(ref)
        try:
            result = ray.get(ref)
        except ray.exceptions.RayTaskError as exc:  # not an MmragError: fails as locally
            raise exc.cause or exc from None
        except ray.exceptions.RayError as exc:  # the actor's process died, every try
            if isinstance(exc, ray.exceptions.RayActorError):
                actor = new()
            result = {"id": item.id, "error": f"the batch worker died ({type(exc).__name__}; "
                                              f"tried {RETRIES + 1} times)"}, 0.0
        idle.append(actor)
        yield result


def _cause(exc: BaseException) -> str:
    """The original error of a Ray failure, in one line."""
    while isinstance(getattr(exc, "cause", None), BaseException):
        exc = exc.cause  # type: ignore[attr-defined]
    if isinstance(exc, MmragError):
        return str(exc)
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[-1] if lines else ''}"
