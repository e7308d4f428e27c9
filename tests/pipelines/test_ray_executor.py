"""`--executor ray` for ingest and batch on a local Ray: the local executor's index, per-file
failures (bad file, timeout, lost worker) and batch resumability; real Chroma and embeddings."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.errors import MissingDependencyError
from pipelines.runner import Runner
from tests.conftest import EXAMPLES, free_port, write_config
from tests.loaders.test_pdf import _manual_pdf
from tests.pipelines.test_ingest import two_articles

ray = pytest.importorskip("ray", reason="Ray is the optional extra mmrag[ray]: "
                                        "pip install 'mmrag[ray]'")
CUSTOM = "tests.pipelines.custom_components"
VIDEOS = EXAMPLES / "lecture-video-qa" / "videos"


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return two_articles(tmp_path)


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray for the module's tests (the executors use it and leave it running)."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def tiny(tmp_path: Path, extra: str = "") -> Path:
    return write_config(tmp_path, f"name: tiny\nsources: [{{path: kb}}]\n{extra}")


def test_missing_ray_is_the_extra_error(kb: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    with pytest.raises(MissingDependencyError, match=r"^ray is not installed: "
                                                     r"pip install 'mmrag\[ray\]'$"):
        Runner.from_config(tiny(tmp_path)).ingest(executor="ray")


def test_cli_starts_and_stops_its_own_local_ray(kb: Path, tmp_path: Path) -> None:
    assert not ray.is_initialized()
    result = CliRunner().invoke(main, ["ingest", str(tiny(tmp_path)), "--executor", "ray",
                                       "--workers", "2", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)  # Ray's own messages go to stderr
    assert (summary["loaded"], summary["failed"]) == (2, 0)
    assert not ray.is_initialized()
    again = CliRunner().invoke(main, ["ingest", str(tiny(tmp_path, "ingest: {executor: ray}\n"))])
    assert "0 loaded, 2 unchanged" in again.output  # nothing to load: no Ray started


def test_unreachable_address_is_one_line_and_changes_nothing(kb: Path, tmp_path: Path) -> None:
    Runner.from_config(tiny(tmp_path)).ingest(workers=0)
    port = free_port()
    result = CliRunner().invoke(main, ["ingest", str(tiny(tmp_path)), "--rebuild", "--address",
                                       f"127.0.0.1:{port}"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith(
        f"Error: --executor ray: cannot reach the Ray cluster at 127.0.0.1:{port} (")
    assert Runner.from_config(tiny(tmp_path)).index.catalog.sources() == ["kb/disk.md",
                                                                           "kb/docker.md"]
    usage = CliRunner().invoke(main, ["ingest", str(tiny(tmp_path)), "--executor", "local",
                                      "--address", "x:1"])
    assert usage.exit_code == 2 and "--address is for --executor ray" in usage.output


def _index(runner: Runner) -> tuple[list[str], dict[str, tuple], dict[str, bytes]]:
    """Sources, each node's (text, metadata with the artifacts folder as {A}) and the bytes
    of every image a node points at (by its path under the artifacts folder)."""
    artifacts = str(runner.index.state_dir / "artifacts")
    nodes, images = {}, {}
    for collection in ("text", "image"):
        store = runner.index.store
        for hit in store.get(collection, store.ids(collection)):
            meta = {k: str(v).replace(artifacts, "{A}") for k, v in hit.metadata.items()}
            nodes[hit.id] = (hit.text, meta)
            image = hit.metadata.get("image")
            if isinstance(image, str) and image.startswith(artifacts):
                images[image[len(artifacts):]] = Path(image).read_bytes()
    return runner.index.catalog.sources(), nodes, images


def test_ray_ingest_gives_the_local_index(local_ray, kb: Path, tmp_path: Path) -> None:
    """Same sources, node ids, texts, metadata and derived images (PDF figure, video frames)."""
    _manual_pdf(kb / "manual.pdf")
    for name in ("probability.mp4", "probability.vtt"):
        shutil.copy(VIDEOS / name, kb / name)
    config = tiny(tmp_path)
    local = Runner.from_config(config, {"index.store.path": str(tmp_path / "local")})
    on_ray = Runner.from_config(config, {"index.store.path": str(tmp_path / "ray")})
    assert not local.ingest(workers=2).failed
    summary = on_ray.ingest(executor="ray", workers=2)
    assert not summary.failed and sorted(summary.loaded) == [
        "kb/disk.md", "kb/docker.md", "kb/manual.pdf", "kb/probability.mp4"]
    sources, nodes, images = _index(on_ray)
    assert (sources, nodes, images) == _index(local)
    assert any(name.endswith(".png") for name in images)  # the PDF's figure
    assert any(name.endswith(".jpg") for name in images)  # video frames
    answer = on_ray.query("Router manual: the status light blinks red")
    assert answer.sources[0].source == "kb/manual.pdf"


def test_bad_file_timeout_and_lost_workers_fail_alone(local_ray, kb: Path,
                                                      tmp_path: Path) -> None:
    (kb / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (kb / "stuck.hang").write_text("x")
    (kb / "flaky.dies-once").write_text("Printer offline: restart the spooler service.")
    (kb / "doomed.always-dies").write_text("x")
    body = f"""name: robust
sources:
  - {{path: kb, loader: {CUSTOM}.HangingLoader}}
  - {{path: kb, loader: {CUSTOM}.DiesOnceLoader}}
  - {{path: kb, loader: {CUSTOM}.AlwaysDiesLoader}}
  - {{path: kb}}
ingest: {{file_timeout: 8, executor: ray}}
"""
    summary = Runner.from_config(write_config(tmp_path, body)).ingest(workers=2)
    failed = dict(summary.failed)
    assert failed["kb/stuck.hang"].endswith(
        "stuck.hang: took longer than 8 s (ingest.file_timeout); skipped")
    assert failed["kb/doomed.always-dies"].endswith(
        "doomed.always-dies: the loader's worker died (WorkerCrashedError; tried 3 times); "
        "skipped")
    assert sorted(summary.loaded) == ["kb/disk.md", "kb/docker.md", "kb/flaky.dies-once"]
    (tmp_path / "alone").mkdir()  # the local executor's line for the broken PDF
    shutil.copy(kb / "broken.pdf", tmp_path / "alone" / "broken.pdf")
    local = Runner.from_config(write_config(tmp_path, "name: alone\nsources: [{path: alone}]\n",
                                            "alone")).ingest(workers=1)
    assert failed["kb/broken.pdf"] == dict(local.failed)["alone/broken.pdf"].replace(
        "/alone/", "/kb/")


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_batch_on_ray_writes_each_id_once_and_resumes(local_ray, kb: Path,
                                                      tmp_path: Path) -> None:
    runner = Runner.from_config(tiny(tmp_path))
    runner.ingest(workers=0)
    questions = ["Cannot connect to the Docker daemon", "No space left on device",
                 "磁盘已满怎么办", "sudo systemctl start docker", "df -h", "usermod docker group"]
    inp = tmp_path / "in.jsonl"
    inp.write_text("".join(json.dumps({"id": f"q{i}", "question": q}) + "\n"
                           for i, q in enumerate(questions)) + "not json\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    first = json.dumps({"id": "q0", "answer": "from a run that was killed"})
    out.write_text(first + '\n{"id": "q1", "ans', encoding="utf-8")  # torn by a kill
    summary = runner.batch(inp, out, workers=2, executor="ray")
    rows = _rows(out)
    assert sorted(r["id"] for r in rows) == ["line7", *(f"q{i}" for i in range(6))]
    assert (summary.done, summary.failed, summary.skipped) == (5, 1, 1)
    by_id = {r["id"]: r for r in rows}
    assert by_id["q1"]["sources"][0]["source"] == "kb/disk.md"
    assert by_id["q0"]["answer"] == "from a run that was killed"
    again = runner.batch(inp, out, workers=2, executor="ray")
    assert (again.done, again.failed, again.skipped) == (0, 0, 7)
    assert _rows(out) == rows
    assert again.text().startswith("batch: 0 done, 0 failed, 7 already in output")


def test_batch_worker_lost_is_retried_then_reported(local_ray, kb: Path,
                                                    tmp_path: Path) -> None:
    """One actor: killed once (restarted, the item retried), then killed on every try of an
    item (written as an error; a new actor answers the rest)."""
    marker = tmp_path / "died-once"
    runner = Runner.from_config(tiny(tmp_path, f"llm: {{type: {CUSTOM}.DyingEngine, "
                                               f"marker: {marker}}}\n"))
    runner.ingest(workers=0)
    questions = ["die once: docker daemon", "disk full", "die always: disk", "docker group",
                 "df -h"]
    inp = tmp_path / "in.jsonl"
    inp.write_text("".join(json.dumps({"id": f"q{i}", "question": q}) + "\n"
                           for i, q in enumerate(questions)), encoding="utf-8")
    summary = runner.batch(inp, tmp_path / "out.jsonl", workers=1, executor="ray")
    rows = {r["id"]: r for r in _rows(tmp_path / "out.jsonl")}
    assert sorted(rows) == [f"q{i}" for i in range(5)] and (summary.done, summary.failed) == (4, 1)
    assert rows["q0"]["answer"] == "top: kb/docker.md" and marker.exists()
    assert rows["q2"]["error"].startswith("the batch worker died (")
    assert rows["q4"]["answer"] == "top: kb/disk.md"
