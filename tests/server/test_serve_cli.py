"""`mmrag serve` as a user starts it: a real process, its log, an ingest while it serves,
and a graceful stop on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import openai
import pytest

from tests.conftest import free_port, write_config

KEY = "cli-key-5b7e"
ARTICLE_A = "# Printer offline\n\nError: `Printer offline`\n\n## Fix\n1. Turn the printer on.\n"
ARTICLE_B = ("# Scanner jammed\n\nError: `E-117 scanner paper jam`\n\n## Fix\n"
             "1. Open the lid and pull the sheet out.\n")


def start(args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipelines.cli", "serve", *args],
                            stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)


def wait_healthy(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"mmrag serve exited {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    pytest.fail(f"mmrag serve did not start: {log.read_text()[-2000:]}")


def test_serve_ingest_while_serving_and_sigterm(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "printer.md").write_text(ARTICLE_A)
    config = write_config(tmp_path, f"sources:\n  - path: {kb}\n", name="desk")
    env = {**os.environ, "MMRAG_API_KEYS": KEY, "PYTHONPATH": os.getcwd()}
    subprocess.run([sys.executable, "-m", "pipelines.cli", "ingest", str(config)], env=env,
                   check=True, capture_output=True)
    port, log = free_port(), tmp_path / "serve.log"
    proc = start([str(config), "--port", str(port), "--set", "limits.rate_limit="], log, env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log)
        client = openai.OpenAI(base_url=f"{url}/v1", api_key=KEY, max_retries=0)

        def ask(text: str) -> dict:
            reply = client.chat.completions.create(
                model="desk", messages=[{"role": "user", "content": text}])
            return reply.model_extra["mmrag"]

        assert ask("printer offline")["sources"][0]["source"].endswith("printer.md")
        # an ingest from the CLI while clients keep asking: no failed request
        statuses: list[int] = []
        stop = threading.Event()

        def keep_asking() -> None:
            while not stop.is_set():
                reply = httpx.post(f"{url}/v1/chat/completions", timeout=60,
                                   headers={"Authorization": f"Bearer {KEY}"},
                                   json={"model": "desk", "messages": [
                                       {"role": "user", "content": "printer offline"}]})
                statuses.append(reply.status_code)

        # several at once: the query threads re-open the store together after the ingest's
        # writes (that race was a 503 "cannot open store", a deleted hit a 500)
        askers = [threading.Thread(target=keep_asking) for _ in range(4)]
        for asker in askers:
            asker.start()
        (kb / "printer.md").write_text(ARTICLE_A + "2. Check the cable.\n")  # re-added
        (kb / "scanner.md").write_text(ARTICLE_B)
        subprocess.run([sys.executable, "-m", "pipelines.cli", "ingest", str(config)],
                       env=env, check=True, capture_output=True)
        stop.set()
        for asker in askers:
            asker.join(60)
        assert statuses and set(statuses) == {200}, statuses
        found = ask("E-117 scanner paper jam")
        assert found["sources"][0]["source"].endswith("scanner.md"), found["sources"]
        # SIGTERM while a request is in flight: it finishes, then the process exits 0
        finished: list[str] = []
        slow = threading.Thread(target=lambda: finished.append(
            ask("printer offline")["sources"][0]["source"]))
        slow.start()
        time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0
        slow.join(60)
        assert finished and finished[0].endswith("printer.md")  # answered, not cut off
    finally:
        if proc.poll() is None:
            proc.kill()
    text = log.read_text()
    assert "start-up" in text and "1 pipeline(s), API keys required" in text
    access = [json.loads(line.split("mmrag.access INFO ", 1)[1]) for line in text.splitlines()
              if "mmrag.access INFO " in line]
    assert access and {"method", "path", "pipeline", "status", "ms"} <= set(access[0])
    assert any(a["pipeline"] == "desk" and a["status"] == 200 for a in access)
    assert KEY not in text


def test_refuses_a_public_address_without_keys(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "MMRAG_API_KEYS"}
    result = subprocess.run([sys.executable, "-m", "pipelines.cli", "serve", "--host",
                             "0.0.0.0", "--port", str(free_port())], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Error: refusing to serve on 0.0.0.0 without API keys: set MMRAG_API_KEYS (or "
        "auth.keys_file), bind to 127.0.0.1, or pass --allow-unauthenticated"]


def test_serve_two_workers_share_evidence_ids_and_stop_on_sigterm(tmp_path: Path) -> None:
    """`--workers 2`: both processes answer, an evidence id issued by one is valid in the
    other (the secret comes from the parent), and SIGTERM stops them all, exit 0."""
    import re
    import shutil

    from tests.server.conftest import SHOTS

    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "printer.md").write_text(ARTICLE_A)
    shutil.copy(SHOTS / "shot03-docker-daemon.png", kb / "docker.png")  # evidence: itself
    config = write_config(tmp_path, f"sources:\n  - path: {kb}\nocr: {{languages: [eng]}}\n",
                          name="desk")
    env = {**os.environ, "MMRAG_API_KEYS": KEY, "PYTHONPATH": os.getcwd()}
    subprocess.run([sys.executable, "-m", "pipelines.cli", "ingest", str(config)], env=env,
                   check=True, capture_output=True, timeout=300)
    port, log = free_port(), tmp_path / "serve.log"
    proc = start([str(config), "--port", str(port), "--workers", "2",
                  "--set", "limits.rate_limit="], log, env)
    url, auth = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {KEY}"}

    def served_by() -> dict[str, set[int]]:
        """Access-log pids by path, for 200 replies."""
        pids: dict[str, set[int]] = {}
        for line in log.read_text().splitlines():
            if "mmrag.access INFO " in line:
                entry = json.loads(line.split("mmrag.access INFO ", 1)[1])
                if entry["status"] == 200:
                    kind = "evidence" if "/api/evidence/" in entry["path"] else entry["path"]
                    pids.setdefault(kind, set()).add(entry["pid"])
        return pids

    try:
        wait_healthy(url, proc, log)
        # both workers started (the parent only reports healthy once one of them is up)
        deadline = time.monotonic() + 120
        while len(re.findall(r"Application startup complete", log.read_text())) < 2:
            assert time.monotonic() < deadline and proc.poll() is None, log.read_text()[-2000:]
            time.sleep(0.3)
        workers = {int(p) for p in re.findall(r"Started server process \[(\d+)\]",
                                              log.read_text())}
        assert len(workers) == 2 and proc.pid not in workers, log.read_text()[-2000:]
        # fresh connections until both workers have answered chat completions and evidence
        image_url = None
        for _ in range(60):
            chat = httpx.post(f"{url}/v1/chat/completions", headers=auth, timeout=60, json={
                "model": "desk", "messages": [{"role": "user", "content":
                                               "Cannot connect to the Docker daemon"}]})
            assert chat.status_code == 200, chat.text
            sources = chat.json()["mmrag"]["sources"]
            cited = [s["image_url"] for s in sources if s["image_url"]]
            assert sources[0]["source"].endswith("docker.png") and cited, sources
            image_url = image_url or cited[0]  # issued by one worker, fetched from both
            image = httpx.get(image_url, headers=auth, timeout=30)
            assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
            assert httpx.get(f"{url}/healthz", timeout=10).json()["status"] == "ok"
            pids = served_by()
            if pids.get("/v1/chat/completions") == workers and pids.get("evidence") == workers:
                break
        assert served_by().get("/v1/chat/completions") == workers, served_by()
        assert served_by().get("evidence") == workers, served_by()  # one id, both accepted
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    text = log.read_text()
    for pid in workers:
        assert f"Finished server process [{pid}]" in text  # each worker shut down cleanly
        assert not Path(f"/proc/{pid}").exists()
    assert "Traceback" not in text and KEY not in text
