"""Batch jobs: JSONL out per DESIGN.md, errors per item, resumable without duplicates."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines.errors import InputError
from tests.conftest import EXAMPLES


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_batch_writes_answers_and_errors(support_runner, tmp_path: Path) -> None:
    shots = EXAMPLES / "error-screenshot-support" / "queries"
    (tmp_path / "shot.png").write_bytes((shots / "shot01-pip-ssl.png").read_bytes())
    rows = [{"id": "a", "question": "How do I fix this?", "image": "shot.png"},
            {"id": "b", "question": "Docker daemon is not running"},
            {"id": "c", "question": "How?", "image": ["missing.png"]}]
    out = tmp_path / "out.jsonl"
    summary = support_runner.batch(write_jsonl(tmp_path / "in.jsonl", rows), out, workers=2)
    assert (summary.done, summary.failed) == (2, 1)
    records = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert records["a"]["sources"][0]["source"].endswith("pip-ssl-certificate-verify-failed.md")
    assert "missing.png: image not found" in records["c"]["error"]


def test_batch_resumes_and_cuts_torn_line(support_runner, tmp_path: Path) -> None:
    rows = [{"id": f"q{i}", "question": q} for i, q in enumerate(
        ["port already in use", "git publickey denied", "no space left on device"])]
    inp = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    out.write_text(json.dumps({"id": "q0", "answer": "done before"}) + "\n{\"id\": \"q1\", \"ans")
    summary = support_runner.batch(inp, out)
    assert (summary.skipped, summary.done) == (1, 2)
    ids = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    assert sorted(ids) == ["q0", "q1", "q2"]


def test_bad_input_lines_are_recorded_as_errors_and_the_batch_goes_on(support_runner,
                                                                     tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([
        '{"id": "ok1", "question": "pip SSL certificate verify failed"}', "not json",
        '{"id": "noq"}', '{"id": "ok1", "question": "again"}', '{"id": "img", "question": "x", '
        '"image": 5}', '{"id": "empty", "question": " "}', "[1, 2]",
        '{"id": "ok2", "question": "docker daemon not running"}']) + "\n")
    out = tmp_path / "o.jsonl"
    summary = support_runner.batch(bad, out)
    records = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert sorted(records) == ["empty", "img", "line2", "line4", "line7", "noq", "ok1", "ok2"]
    assert "answer" in records["ok1"] and "answer" in records["ok2"]
    assert records["line2"]["error"] == f"{bad}:2: invalid JSON (Expecting value)"
    assert records["noq"]["error"] == f"{bad}:3: expected an object with a 'question' string"
    assert records["line4"]["error"] == f"{bad}:4: duplicate id 'ok1'"
    assert records["img"]["error"] == f"{bad}:5: 'image' must be a path or a list of paths"
    assert records["empty"]["error"] == "empty question: give a question, an image, or both"
    assert (summary.done, summary.failed) == (2, 6)
    assert f"  {bad}:2: invalid JSON (Expecting value)" in summary.text().splitlines()
    again = support_runner.batch(bad, out)  # resumed: every line, good or bad, is in the output
    assert (again.done, again.failed, again.skipped) == (0, 0, 8)
    assert len(out.read_text().splitlines()) == 8


def test_eval_sets_are_refused_whole_at_a_bad_line(support_runner, tmp_path: Path) -> None:
    bad = tmp_path / "set.jsonl"
    bad.write_text('{"id": "x", "question": "ok", "expected": "a.md"}\nnot json\n')
    with pytest.raises(InputError, match=r"set\.jsonl:2: invalid JSON"):
        support_runner.evaluate(bad)


def test_batch_killed_halfway_then_resumed_writes_each_id_once(support_runner,
                                                               tmp_path: Path) -> None:
    topics = ["pip SSL certificate verify failed", "docker daemon not running",
              "git push permission denied publickey", "port 3000 already in use",
              "CUDA out of memory", "no space left on device", "nginx 502 bad gateway",
              "磁盘空间不足怎么办", "微信提示网络不可用", "mysql access denied for user"]
    rows = [{"id": f"item{i:03d}", "question": f"{topics[i % len(topics)]} (case {i})"}
            for i in range(240)]
    inp, out = write_jsonl(tmp_path / "in.jsonl", rows), tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "pipelines.cli", "batch", str(support_runner.config.path),
               "--input", str(inp), "--output", str(out), "--workers", "2",
               "--set", f"index.store.path={support_runner.config.index.store.path}"]
    job = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 600
    while job.poll() is None and time.monotonic() < deadline:
        if out.exists() and out.read_bytes().count(b"\n") >= 100:
            job.send_signal(signal.SIGKILL)  # no clean-up runs: as if the machine died
            break
        time.sleep(0.05)
    job.wait(timeout=60)
    assert job.returncode == -signal.SIGKILL, job.stderr.read().decode()
    written = out.read_bytes().count(b"\n")
    assert 100 <= written < len(rows)

    rerun = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{written} already in output" in rerun.stdout
    ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(ids) == [r["id"] for r in rows]  # every id exactly once
