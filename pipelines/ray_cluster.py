"""A Ray session for one job (`--executor ray`): connect to a cluster, or start a local Ray.

Ray is the optional extra `mmrag[ray]`; without it the job stops with one line. Without an
address a local Ray instance with `cpus` CPUs is started and shut down when the job ends;
with one (`host:6379`, `ray://host:10001`, `auto`) the job connects and disconnects. A Ray
the caller already initialised (a notebook, the tests) is used as it is and left running.
Every node must have mmrag installed and read the sources at the driver's paths.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from collections.abc import Iterator
from typing import Any

from pipelines.errors import MissingDependencyError, MmragError

CONNECT_TIMEOUT_S = 5.0  # an unreachable address fails now, not after Ray's minutes of retries


def import_ray() -> Any:
    """The `ray` module, or the one-line missing-extra error."""
    try:
        import ray
    except ImportError:
        raise MissingDependencyError("ray", "ray") from None
    return ray


@contextlib.contextmanager
def ray_session(address: str | None, cpus: int | None = None) -> Iterator[Any]:
    """Yield `ray`, initialised for the length of the block (see the module docstring)."""
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    options: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.ERROR,
                               "configure_logging": True}
    try:
        if address:
            check_ray(address)
            ray.init(address=address, **options)
        else:
            ray.init(num_cpus=cpus or os.cpu_count() or 1, include_dashboard=False, **options)
    except Exception as exc:  # ConnectionError, RuntimeError, grpc errors: all one line
        if isinstance(exc, MmragError):
            raise
        raise _unreachable(address, exc) from None
    try:
        with _raylet_messages_to_stderr():
            yield ray
    finally:
        ray.shutdown()


@contextlib.contextmanager
def _raylet_messages_to_stderr() -> Iterator[None]:
    """Ray prints the raylet's messages ("A worker died ...") on the driver's stdout; send
    them to stderr, so stdout holds only mmrag's output (`ingest --json`)."""
    from ray._private import worker  # private: left alone when a Ray version lacks it

    original = getattr(worker, "print_to_stdstream", None)
    if original is None:
        yield
        return

    def to_stderr(data: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        if data.get("pid") == "raylet":
            data = {**data, "is_err": True}
        original(data, *args, **kwargs)

    worker.print_to_stdstream = to_stderr
    try:
        yield
    finally:
        worker.print_to_stdstream = original


def check_ray(address: str | None) -> None:
    """Fail now, before a job changes anything, when Ray is missing or `address` (`host:port`
    or `ray://host:port`; `auto` is left to Ray) does not accept a TCP connection."""
    import_ray()
    host, _, port = (address or "").removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT_S):
            pass
    except OSError as exc:
        raise _unreachable(address, exc) from None


def _unreachable(address: str | None, exc: BaseException) -> MmragError:
    where = f"the Ray cluster at {address}" if address else "a local Ray instance"
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return MmragError(f"--executor ray: cannot reach {where} ({detail})")


def cluster_cpus(ray: Any) -> int:
    """The CPUs of the cluster (at least 1): the default number of concurrent tasks."""
    return max(1, int(ray.cluster_resources().get("CPU", 1)))
