"""Shared fixtures: user folders point at temp dirs; shipped pipelines ingested once per session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session", autouse=True)
def _user_dirs(tmp_path_factory: pytest.TempPathFactory) -> None:
    """OCR cache in a temp folder shared by the session (same image is OCR'd once)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("MMRAG_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    yield
    mp.undo()


def _ingested(name: str, tmp_path_factory: pytest.TempPathFactory):
    from pipelines.runner import Runner

    store = tmp_path_factory.mktemp(f"store-{name}")
    runner = Runner.from_config(name, {"index.store.path": str(store)})
    summary = runner.ingest()
    assert not summary.failed, summary.text()
    return runner


@pytest.fixture(scope="session")
def support_runner(tmp_path_factory: pytest.TempPathFactory):
    """The shipped error-screenshot-support pipeline, ingested into a temp store."""
    return _ingested("error-screenshot-support", tmp_path_factory)


@pytest.fixture(scope="session")
def math_runner(tmp_path_factory: pytest.TempPathFactory):
    """The shipped math-question-from-photo pipeline, ingested into a temp store."""
    return _ingested("math-question-from-photo", tmp_path_factory)


@pytest.fixture(scope="session")
def lecture_runner(tmp_path_factory: pytest.TempPathFactory):
    """The shipped lecture-video-qa pipeline (two videos, 15 OCR'd frames), in a temp store."""
    return _ingested("lecture-video-qa", tmp_path_factory)


@pytest.fixture(scope="session")
def cases_runner(tmp_path_factory: pytest.TempPathFactory):
    """The shipped similar-case-retrieval pipeline (44 synthetic cases), in a temp store."""
    return _ingested("similar-case-retrieval", tmp_path_factory)


@pytest.fixture(scope="session")
def loans_runner(tmp_path_factory: pytest.TempPathFactory):
    """The shipped loan-document-review pipeline (44 synthetic applications), in a temp store."""
    return _ingested("loan-document-review", tmp_path_factory)


RUNNERS = {"error-screenshot-support": "support_runner", "math-question-from-photo": "math_runner",
           "lecture-video-qa": "lecture_runner", "similar-case-retrieval": "cases_runner",
           "loan-document-review": "loans_runner"}
# retrieval settings of the README's evaluation tables (benchmarks/eval_sets.py)
VARIANTS = {"dense": {"retrieval.mode": "dense", "retrieval.translate": False},
            "no-translation": {"retrieval.translate": False},
            "default": {}}


@pytest.fixture(scope="session")
def eval_report(request: pytest.FixtureRequest):
    """`eval_report(pipeline, set_name, variant)`: the EvalReport of a shipped eval set in
    full (image items included) on the session's ingested index, computed once per session."""
    from pipelines.jobs.evaluation import evaluate
    from pipelines.runner import Runner

    cache: dict[tuple[str, str, str], object] = {}

    def get(pipeline: str, name: str, variant: str):
        key = (pipeline, name, variant)
        if key not in cache:
            store = request.getfixturevalue(RUNNERS[pipeline]).config.index.store.path
            runner = Runner.from_config(pipeline, {"index.store.path": store,
                                                   **VARIANTS[variant]})
            cache[key] = evaluate(runner, EXAMPLES / pipeline / "queries" / f"{name}.jsonl")
        return cache[key]

    return get


def sample_queries(pipeline: str) -> list[dict]:
    """The shipped sample queries that have an image, with absolute image paths."""
    folder = EXAMPLES / pipeline / "queries"
    items = [json.loads(line) for line in (folder / "queries.jsonl").read_text().splitlines()
             if line.strip()]
    items = [item for item in items if "image" in item]  # typed questions have none
    for item in items:
        item["image"] = str(folder / item["image"])
    return items


def free_port() -> int:
    """A free TCP port on 127.0.0.1 for a server a test starts."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_config(folder: Path, body: str, name: str = "tiny") -> Path:
    """Write a pipeline YAML into `folder` and return its path."""
    path = folder / f"{name}.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print how long each notebook took to execute (tests/test_notebooks.py)."""
    from tests.test_notebooks import TIMES

    if TIMES:
        terminalreporter.write_line("notebooks executed: " + ", ".join(
            f"{name} {seconds:.0f} s" for name, seconds in sorted(TIMES.items())))
