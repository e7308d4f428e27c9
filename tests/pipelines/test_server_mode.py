"""Server mode: the same pipeline against a real `chroma run` on a free loopback port."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pipelines.errors import StoreError
from pipelines.runner import Runner
from tests.conftest import EXAMPLES, free_port, write_config
from tests.pipelines.test_cli import assert_one_line_error, run

KB = EXAMPLES / "error-screenshot-support" / "kb"
SHOTS = EXAMPLES / "error-screenshot-support" / "queries"
SUBSET = ["pip-ssl-certificate-verify-failed.md", "browser-net-err-cert-date-invalid.md",
          "docker-cannot-connect-daemon.md", "zh-pip-read-timeout.md", "nginx-502-bad-gateway.pdf"]
QUERIES = [  # (question, image, expected top source)
    ("Cannot connect to the Docker daemon at unix:///var/run/docker.sock", None,
     "docker-cannot-connect-daemon.md"),
    ("nginx 502 Bad Gateway", None, "nginx-502-bad-gateway.pdf"),
    ("pip 安装包时 ReadTimeoutError 超时怎么办", None, "zh-pip-read-timeout.md"),
    ("How do I fix this?", SHOTS / "shot01-pip-ssl.png", "pip-ssl-certificate-verify-failed.md"),
]
TOKEN_ENV = "MMRAG_TEST_CHROMA_TOKEN"
TINY = "# Printer offline\n\nError: `Printer offline`\n\n## Fix\n1. Turn the printer on.\n"


def wait_for_heartbeat(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"chroma run exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"chroma run did not answer on port {port} within 60 s: {log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A real Chroma server (`chroma run`) on a free loopback port; yields the port."""
    folder = tmp_path_factory.mktemp("chroma-server")
    port, log = free_port(), folder / "server.log"
    chroma = Path(sys.executable).parent / "chroma"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(chroma), "run", "--path", str(folder / "data"),
                                 "--host", "127.0.0.1", "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_heartbeat(port, proc, log)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def pair(server: int, tmp_path_factory: pytest.TempPathFactory) -> tuple[Runner, Runner]:
    """A subset of the shipped support KB ingested on disk and into the server."""
    folder = tmp_path_factory.mktemp("pair")
    sources = "".join(f"  - path: {KB / name}\n" for name in SUBSET)
    config = write_config(folder, f"name: support-subset\nsources:\n{sources}"
                                  "prompt: error-screenshot-support\n")
    disk = Runner.from_config(config, {"index.store.path": str(folder / "disk")})
    remote = Runner.from_config(config, {"index.store.host": "127.0.0.1",
                                         "index.store.port": server})
    for runner in (disk, remote):
        summary = runner.ingest(workers=0)
        assert (len(summary.loaded), summary.failed) == (len(SUBSET), []), summary.text()
    return disk, remote


@pytest.mark.parametrize(("question", "image", "expected"), QUERIES)
def test_server_gives_the_same_answers_as_disk(pair: tuple[Runner, Runner], question: str,
                                               image: Path | None, expected: str) -> None:
    disk, remote = (r.query(question, images=[image] if image else None) for r in pair)
    assert disk.sources[0].source.endswith(expected)
    assert [s.source for s in remote.sources] == [s.source for s in disk.sources]
    assert [s.score for s in remote.sources] == pytest.approx([s.score for s in disk.sources],
                                                              abs=1e-4)
    assert remote.answer == disk.answer


def test_server_reingest_adds_nothing(pair: tuple[Runner, Runner], server: int) -> None:
    remote = pair[1]
    again = Runner.from_config(remote.config.path, {"index.store.host": "127.0.0.1",
                                                    "index.store.port": server})
    summary = again.ingest(workers=0)
    assert (len(summary.loaded), len(summary.unchanged), summary.nodes_added) == \
        (0, len(SUBSET), 0)
    assert again.index.store.count("text") == pair[0].index.store.count("text") > 0
    # The catalog and lexical index of a server store live under the config's .mmrag/.
    assert again.index.state_dir.parent == remote.config.folder / ".mmrag"
    assert again.index.catalog.path.is_file()


class _Proxy(ThreadingHTTPServer):
    """A token-checking reverse proxy in front of the Chroma server; records request headers."""

    daemon_threads = True

    def __init__(self, upstream: int, header: str, expected: str) -> None:
        super().__init__(("127.0.0.1", 0), _Forward)
        self.upstream, self.header, self.expected = upstream, header, expected
        self.seen: list[dict[str, str]] = []


class _Forward(BaseHTTPRequestHandler):
    server: _Proxy
    _SKIP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}

    def _forward(self) -> None:
        self.server.seen.append(dict(self.headers))
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get(self.server.header) != self.server.expected:
            status, headers = 401, [("Content-Type", "application/json")]
            payload = json.dumps({"error": "AuthorizationError", "message": "bad token"}).encode()
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.server.upstream, timeout=30)
            conn.request(self.command, self.path, body=body or None,
                         headers={k: v for k, v in self.headers.items()
                                  if k.lower() not in self._SKIP})
            response = conn.getresponse()
            status, headers, payload = response.status, response.getheaders(), response.read()
            conn.close()
        self.send_response(status)
        for key, value in headers:
            if key.lower() not in self._SKIP:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def proxy(server: int, request: pytest.FixtureRequest) -> Iterator[_Proxy]:
    header, expected = request.param
    proxy = _Proxy(server, header, expected)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    yield proxy
    proxy.shutdown()
    proxy.server_close()


def tiny_config(folder: Path, port: int, header: str) -> Path:
    (folder / "kb").mkdir(exist_ok=True)
    (folder / "kb" / "printer.md").write_text(TINY, encoding="utf-8")
    return write_config(folder, "name: tiny-auth\nsources: [{path: kb}]\nindex:\n  store: "
                                f"{{host: 127.0.0.1, port: {port}, auth_header: {header}, "
                                f"auth_token_env: {TOKEN_ENV}}}\n")


@pytest.mark.parametrize("proxy", [("X-Chroma-Token", "s3cret-token"),
                                   ("Authorization", "Bearer s3cret-token")], indirect=True)
def test_auth_header_is_sent_from_the_environment(
        proxy: _Proxy, pair: tuple[Runner, Runner], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    config = tiny_config(tmp_path, proxy.server_port, proxy.header)
    monkeypatch.setenv(TOKEN_ENV, "s3cret-token")
    code, out = run("show-config", str(config))
    assert code == 0 and TOKEN_ENV in out and "s3cret-token" not in out
    runner = Runner.from_config(config)
    assert runner.ingest(workers=0).nodes_added == 1
    assert runner.query("printer offline").sources[0].source == "kb/printer.md"
    assert proxy.seen and all(h.get(proxy.header) == proxy.expected for h in proxy.seen)
    # A second pipeline on the same server has its own collections; the first is untouched.
    names = {c.name for c in runner.index.store.client().list_collections()}
    assert {"tiny-auth_text", "support-subset_text"} <= names
    assert pair[1].index.store.count("text") == pair[0].index.store.count("text")

    monkeypatch.setenv(TOKEN_ENV, "wrong-token")
    with pytest.raises(StoreError, match="refused the token sent in") as caught:
        Runner.from_config(config).query("printer offline")
    assert "wrong-token" not in str(caught.value)

    monkeypatch.delenv(TOKEN_ENV)
    code, out = run("query", str(config), "printer offline")
    assert_one_line_error(code, out, f"auth_token_env names {TOKEN_ENV}, but that environment")

    monkeypatch.setenv(TOKEN_ENV, "s3cret-token")
    connected = Runner.from_config(config)
    vector = connected.index.embed_model.get_query_embedding("printer offline")
    node_id = connected.retrieve("printer offline")[0].node.node_id
    proxy.shutdown()
    proxy.server_close()
    # The server going away under a connected runner: one-line errors from every read path.
    for call in (lambda: connected.query("printer offline"),
                 lambda: connected.index.fetch("text", [node_id], vector),
                 lambda: connected.index.matching_ids({"source": "kb/printer.md"})):
        with pytest.raises(StoreError, match="cannot reach chroma server") as caught:
            call()
        assert "\n" not in str(caught.value) and "s3cret-token" not in str(caught.value)
    code, out = run("query", str(config), "printer offline")
    assert_one_line_error(code, out, f"cannot reach chroma server at 127.0.0.1:"
                                     f"{proxy.server_port}: ")


def test_unreachable_server_is_one_line_from_ingest(tmp_path: Path) -> None:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "printer.md").write_text(TINY, encoding="utf-8")
    config = write_config(tmp_path, "name: tiny\nsources: [{path: kb}]\n")
    port = free_port()  # nothing listens there once the probe socket is closed
    code, out = run("ingest", str(config), "--json", "--set", "index.store.host=127.0.0.1",
                    "--set", f"index.store.port={port}")
    assert_one_line_error(code, out, f"cannot reach chroma server at 127.0.0.1:{port}: ")


def test_auth_token_env_needs_a_server(tmp_path: Path) -> None:
    body = f"name: tiny\nindex: {{store: {{auth_token_env: {TOKEN_ENV}}}}}\n"
    config = write_config(tmp_path, body)
    code, out = run("validate", str(config))
    assert_one_line_error(code, out, "index.store: 'auth_token_env' is for a Chroma server")
