"""Pipeline state on PostgreSQL: several working folders (machines) with no shared disk,
against one real `chroma run` and one real PostgreSQL server on free loopback ports."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from pipelines.errors import StoreError
from pipelines.runner import Runner
from tests.conftest import EXAMPLES, ROOT, write_config
from tests.pg_server import PASSWORD, PgServer, remove_server, start_server
from tests.pipelines.test_cli import assert_one_line_error, run
from tests.pipelines.test_kill import chroma_records, make_kb, run_and_kill
from tests.pipelines.test_server_mode import server  # noqa: F401  (the `chroma run` fixture)

psycopg = pytest.importorskip("psycopg")
PASSWORD_ENV = "MMRAG_TEST_PG_PASSWORD"
KB = EXAMPLES / "error-screenshot-support" / "kb"
SUBSET = ["pip-ssl-certificate-verify-failed.md", "nginx-502-bad-gateway.pdf",
          "zh-pip-read-timeout.md"]


@pytest.fixture(scope="module")
def pg() -> Iterator[PgServer]:
    os.environ[PASSWORD_ENV] = PASSWORD
    srv = start_server()
    try:
        yield srv
    finally:
        remove_server(srv)
        os.environ.pop(PASSWORD_ENV, None)


def machine(folder: Path, kb: Path, pg: PgServer, chroma: int, name: str = "shared-kb",
            namespace: str | None = None) -> Path:
    """One machine's working folder: its own config (and so its own `.mmrag` folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    extra = f", namespace: {namespace}" if namespace else ""
    return write_config(folder, (
        f"name: {name}\nsources: [{{path: {kb}}}]\n"
        f"index:\n  store: {{host: 127.0.0.1, port: {chroma}}}\n"
        f"  state: {{url: '{pg.url}', password_env: {PASSWORD_ENV}{extra}}}\n"
        "prompt: error-screenshot-support\n"), name=name)


def shot(path: Path, text: str) -> None:
    img = Image.new("RGB", (760, 130), "white")
    ImageDraw.Draw(img).text((15, 45), text, fill="black", font=ImageFont.load_default(size=34))
    img.save(path)


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ingesting machine's sources: three support articles and a screenshot."""
    folder = tmp_path_factory.mktemp("kb-host") / "kb"
    folder.mkdir()
    for name in SUBSET:
        shutil.copy(KB / name, folder / name)
    shot(folder / "printer-offline.png", "Printer offline 0x00000709")
    return folder


@pytest.fixture(scope="module")
def ingested(kb: Path, pg: PgServer, server: int,  # noqa: F811
             tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("machines")
    config = machine(root / "ingester", kb, pg, server)
    summary = Runner.from_config(config).ingest(workers=1)
    assert not summary.failed and len(summary.loaded) == 4
    return root


def cli_query(config: Path, question: str) -> dict:
    """`mmrag query --json` in a process of its own."""
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "query", str(config), question,
                           "--json"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def evidence(answer: dict) -> list[tuple[str, int | None, float, bytes | None]]:
    """(source, page, score, evidence image bytes) per cited source."""
    return [(s["source"], s["page"], s["score"],
             Path(s["image"]).read_bytes() if s["image"] else None) for s in answer["sources"]]


@pytest.mark.parametrize("question", ["Printer offline 0x00000709", "nginx 502 Bad Gateway"])
def test_two_query_folders_without_shared_disk_answer_identically(
        ingested: Path, kb: Path, pg: PgServer, server: int, question: str) -> None:  # noqa: F811
    """Two query machines (a CLI process and this one), each with its own folder, give the
    same answer and evidence images; the images are copies in their own folders."""
    one = machine(ingested / "query-1", kb, pg, server)
    two = machine(ingested / "query-2", kb, pg, server)
    first = cli_query(one, question)
    second = Runner.from_config(two).query(question).to_dict()
    assert first["answer"] == second["answer"] and first["sources"]
    assert evidence(first) == evidence(second)
    top = first["sources"][0]
    assert top["image"] and Path(top["image"]).is_relative_to(one.parent / ".mmrag")
    assert Path(second["sources"][0]["image"]).is_relative_to(two.parent / ".mmrag")
    if top["modality"] == "image":  # the screenshot's evidence is the ingester's copy of it
        assert "printer-offline.png" in top["source"]


def test_a_query_copies_only_the_files_it_cites(ingested: Path, kb: Path, pg: PgServer,
                                                 server: int) -> None:  # noqa: F811
    """The screenshot is a candidate of this question (BM25 matches "printer") but not its
    one cited source, so only the cited PDF is copied to this folder."""
    runner = Runner.from_config(machine(ingested / "query-top1", kb, pg, server),
                                {"retrieval.top_k": 1})
    question = "nginx 502 Bad Gateway printer"
    state = runner.index.state_dir / "artifacts" / "shared"
    (cited,) = runner.query(question).sources
    assert cited.source.endswith("nginx-502-bad-gateway.pdf")
    assert {p.suffix for p in state.iterdir()} == {".pdf"}
    candidates = runner.retrieve(question, top_k=4)
    assert any(n.node.metadata.get("modality") == "image" for n in candidates)
    assert any(p.suffix == ".png" for p in state.iterdir())


def test_an_ingest_from_another_folder_is_seen_by_both_query_folders(
        ingested: Path, kb: Path, pg: PgServer, server: int) -> None:  # noqa: F811
    runners = [Runner.from_config(machine(ingested / f"query-{n}", kb, pg, server))
               for n in (1, 2)]
    question = "The scanner shows error SCN-4471 lamp failure"
    for runner in runners:  # each has its BM25 matrix of the current version loaded
        assert "scanner-lamp" not in runner.query(question).sources[0].source
    (kb / "scanner-lamp.md").write_text(
        "# Scanner lamp failure SCN-4471\n\nError: `SCN-4471 lamp failure`\n\n"
        "## Fix\n1. Let the scanner cool down for ten minutes.\n2. Replace the lamp unit.\n",
        encoding="utf-8")
    try:
        third = machine(ingested / "ingester-2", kb, pg, server)
        assert Runner.from_config(third).ingest(workers=0).loaded == [
            str((kb / "scanner-lamp.md").resolve())]
        for runner in runners:
            assert runner.query(question).sources[0].source.endswith("scanner-lamp.md")
    finally:
        (kb / "scanner-lamp.md").unlink()
        Runner.from_config(machine(ingested / "ingester", kb, pg, server)).ingest(prune=True)


def test_ingests_from_two_folders_are_serialised_by_the_lock(
        ingested: Path, kb: Path, pg: PgServer, server: int) -> None:  # noqa: F811
    holder = Runner.from_config(machine(ingested / "ingester", kb, pg, server))
    other = machine(ingested / "ingester-3", kb, pg, server)
    with holder.index.lock():
        code, out = run("ingest", str(other))
    assert_one_line_error(code, out, "another ingest of pipeline 'shared-kb' is running")
    assert f"pid {os.getpid()}" in out and "advisory lock in PostgreSQL" in out
    code, out = run("ingest", str(other))  # released: the next ingest runs
    assert code == 0, out


def test_the_password_is_never_shown(ingested: Path, kb: Path, pg: PgServer,
                                     server: int, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    config = machine(ingested / "query-1", kb, pg, server)
    monkeypatch.setenv(PASSWORD_ENV, "wrong-" + PASSWORD)
    code, out = run("query", str(config), "nginx 502")
    assert_one_line_error(code, out, f"PostgreSQL at 127.0.0.1:{pg.port}/mmrag (index.state)")
    assert "password authentication failed" in out and PASSWORD not in out
    monkeypatch.delenv(PASSWORD_ENV)
    code, out = run("query", str(config), "nginx 502")
    assert_one_line_error(code, out, f"environment variable {PASSWORD_ENV}")
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    leaky = write_config(ingested / "query-1", config.read_text().replace(
        f"{pg.url.split('@')[0]}@", f"{pg.url.split('@')[0]}:{PASSWORD}@"), name="leaky")
    code, out = run("validate", str(leaky))
    assert code != 0 and "holds a password" in out and PASSWORD not in out


FILES = 42  # 40 Markdown files (one of several chunks, some Chinese) and two screenshots


def small_kb(folder: Path) -> None:
    make_kb(folder)
    for path in sorted((folder / "kb").glob("*.md"))[40:]:
        path.unlink()


# Ingests (a rebuild) printing one line per stored file; a mmrag error is one stderr line.
DRIVER = """
import sys
from pipelines.errors import MmragError
from pipelines.errors import StoreError
from pipelines.runner import Runner
try:
    Runner.from_config(sys.argv[1]).ingest(
        progress=lambda name, status: print(status, name, flush=True), workers=1, rebuild=True)
except MmragError as exc:
    sys.exit(f"Error: {exc}")
"""


def pg_snapshot(config: Path) -> dict:
    """The Chroma records and the PostgreSQL catalog and lexical rows of a pipeline."""
    index = Runner.from_config(config).index
    snap = chroma_records(index)
    db = index.catalog.db()
    snap["catalog"] = sorted(db.execute("SELECT source, hash, text_ids, image_ids FROM files"))
    snap["lexical"] = sorted(db.execute("SELECT node_id, modality, tokens FROM lexical_docs"))
    snap["bm25"] = [index.catalog.lexical.search(q, 8) for q in ("printer E00042_PRINTER",
                                                                 "磁盘 出错")]
    index.close()
    return snap


def test_kill9_then_a_rerun_from_another_folder_equals_a_clean_run(
        pg: PgServer, server: int, tmp_path: Path) -> None:  # noqa: F811
    small_kb(tmp_path)
    clean = machine(tmp_path / "clean", tmp_path / "kb", pg, server, name="killclean")
    assert not Runner.from_config(clean).ingest(workers=1).failed
    killed = machine(tmp_path / "first", tmp_path / "kb", pg, server, name="killtest")
    assert run_and_kill(killed, 15) == -signal.SIGKILL
    rerun = machine(tmp_path / "second", tmp_path / "kb", pg, server, name="killtest")
    resumed = Runner.from_config(rerun).ingest(workers=1)  # the dead run's lock is gone
    assert 0 < len(resumed.loaded) < FILES
    assert pg_snapshot(rerun) == pg_snapshot(clean)


def test_postgres_down_during_query_and_ingest(pg: PgServer, server: int,  # noqa: F811
                                               tmp_path: Path) -> None:
    """A query and an ingest fail with one line while the database is down; after it is
    back, the rerun completes and holds exactly what a clean run holds."""
    small_kb(tmp_path)
    config = machine(tmp_path / "a", tmp_path / "kb", pg, server, name="downtest")
    runner = Runner.from_config(config)
    runner.ingest(workers=1)
    before = pg_snapshot(config)
    assert runner.query("printer E00042_PRINTER").sources
    pg.stop()
    try:
        code, out = run("query", str(config), "printer E00042_PRINTER")
        assert_one_line_error(code, out, f"PostgreSQL at 127.0.0.1:{pg.port}/mmrag")
        with pytest.raises(StoreError, match="PostgreSQL at"):
            runner.query("printer E00042_PRINTER")  # its open connection is gone too
        code, out = run("ingest", str(config))
        assert_one_line_error(code, out, f"PostgreSQL at 127.0.0.1:{pg.port}/mmrag")
    finally:
        pg.start()
    assert runner.query("printer E00042_PRINTER").sources  # it connects again
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, str(config)], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        stored = 0
        for line in proc.stdout:
            stored += line.startswith("loaded ")
            if stored == 12:  # down in the middle of the run
                pg.stop()
        _, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
        pg.start()
    assert proc.returncode == 1 and 12 <= stored < FILES
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: PostgreSQL at"), err
    resumed = Runner.from_config(config).ingest(workers=1)
    assert not resumed.failed and 0 < len(resumed.loaded) < FILES
    assert pg_snapshot(config) == before


def test_a_ray_ingest_into_the_shared_state_equals_a_local_one(
        ingested: Path, kb: Path, pg: PgServer, server: int) -> None:  # noqa: F811
    """Loading on Ray workers, writing through the one driver: the same catalog, lexical rows
    and vectors as the local ingest of the same sources, and its images are shared too."""
    pytest.importorskip("ray")
    local = machine(ingested / "ingester", kb, pg, server)
    on_ray = machine(ingested / "ray-driver", kb, pg, server, name="shared-kb-ray")
    summary = Runner.from_config(on_ray).ingest(workers=2, executor="ray")
    assert not summary.failed and len(summary.loaded) == 4
    assert pg_snapshot(on_ray) == pg_snapshot(local)
    reader = machine(ingested / "query-ray", kb, pg, server, name="shared-kb-ray")
    top = Runner.from_config(reader).query("Printer offline 0x00000709").sources[0]
    assert top.image and Path(top.image).is_relative_to(reader.parent / ".mmrag")
