"""`mmrag stats`, `ingest --rebuild`, and recovery of half-written files and half-done rebuilds."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from llama_index.core.schema import TextNode

from pipelines.cli import main
from pipelines.ingest.chunking import node_id
from pipelines.runner import Runner
from tests.conftest import write_config

DOCKER = "# Docker daemon\n\nCannot connect to the Docker daemon.\n\n1. Run `dockerd`.\n"
DISK = "# 磁盘空间不足\n\n错误信息：No space left on device\n\n1. 运行 `df -h`。\n"
NOTES = "Release notes: version 2.4 fixes the login timeout ERR_LOGIN_TIMEOUT.\n"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "docker.md").write_text(DOCKER, encoding="utf-8")
    (kb / "disk.md").write_text(DISK, encoding="utf-8")
    (kb / "notes.txt").write_text(NOTES, encoding="utf-8")
    return write_config(tmp_path, "name: tiny\nsources: [{path: kb}]\n")


def state(runner: Runner) -> tuple[set[str], set[str], set[str]]:
    """Chroma text ids, catalog ids and lexical ids."""
    index = runner.index
    chroma = set(index.store.collection("text").get(include=[])["ids"])
    catalog = {i for s in index.catalog.sources() for i in index.catalog.get(s).text_ids}
    db = sqlite3.connect(index.catalog.path)
    lexical = {row[0] for row in db.execute("SELECT node_id FROM lexical_docs")}
    db.close()
    return chroma, catalog, lexical


def add_orphan(runner: Runner, source: str = "kb/docker.md") -> str:
    """A node in Chroma that no catalog entry knows (what a killed run could leave)."""
    node = TextNode(id_=node_id(source, "old-hash", 0), text="stale docker text",
                    metadata={"source": source, "modality": "text"})
    runner.index.embed([node])
    runner.index.store.add("text", [node])
    return node.node_id


def test_stats_before_ingest_creates_nothing(config: Path) -> None:
    stats = Runner.from_config(config).stats()
    assert (stats.sources, stats.nodes, stats.last_ingest) == (0, {"text": 0, "image": 0}, None)
    assert "last ingest: never (run `mmrag ingest tiny`)" in stats.text()
    assert not (config.parent / ".mmrag").exists()


def test_stats_after_ingest(config: Path) -> None:
    runner = Runner.from_config(config)
    runner.ingest()
    stats = Runner.from_config(config).stats()
    assert stats.sources == 3 and stats.by_extension == {".md": 2, ".txt": 1}
    assert stats.nodes == {"text": runner.index.store.count("text"), "image": 0}
    assert stats.nodes["text"] >= 3
    store = config.parent / ".mmrag" / "tiny"
    assert stats.store == str(store)
    assert stats.store_bytes == sum(p.stat().st_size for p in store.rglob("*") if p.is_file())
    assert datetime.fromisoformat(stats.last_ingest).tzinfo is not None
    assert stats.last_run["loaded"] == 3 and stats.last_run["rebuild"] is False
    assert "sources: 3 (.md 2, .txt 1)" in stats.text()
    assert f"nodes: {stats.nodes['text']} text, 0 image" in stats.text()


def test_rebuild_drops_everything_and_ingests_again(config: Path) -> None:
    runner = Runner.from_config(config)
    runner.ingest()
    before = state(runner)
    orphan = add_orphan(runner)
    summary = Runner.from_config(config).rebuild()
    assert summary.rebuild and len(summary.loaded) == 3 and not summary.unchanged
    after = state(Runner.from_config(config))
    assert orphan not in after[0]
    assert after == before and after[0] == after[1] == after[2]
    assert Runner.from_config(config).stats().last_run["rebuild"] is True


def test_half_written_file_is_redone_without_orphans(config: Path) -> None:
    """A run killed after Chroma writes but before the catalog: the next run cleans up."""
    runner = Runner.from_config(config)
    runner.ingest()
    clean = state(runner)
    orphan = TextNode(id_=node_id("kb/docker.md", "v2-hash", 0), text="half written",
                      metadata={"source": "kb/docker.md", "modality": "text"})
    runner.index.embed([orphan])
    runner.index.reserve([("kb/docker.md", [orphan])])  # what the killed run did first
    runner.index.store.add("text", [orphan])
    # The file is unchanged (as if its edit was reverted), yet it must be redone.
    summary = Runner.from_config(config).ingest()
    assert summary.loaded == ["kb/docker.md"]
    assert state(Runner.from_config(config)) == clean


def test_rebuild_killed_after_clearing_is_finished_by_the_next_ingest(config: Path) -> None:
    runner = Runner.from_config(config)
    runner.ingest()
    clean = state(runner)
    orphan = add_orphan(runner)
    runner.index.catalog.clear()  # a rebuild killed before it dropped the collections
    summary = Runner.from_config(config).ingest()
    assert len(summary.loaded) == 3
    after = Runner.from_config(config)
    assert orphan not in state(after)[0] and state(after) == clean
    assert not after.index.catalog.rebuild_pending()


def test_cli_stats_and_rebuild(config: Path) -> None:
    cli = CliRunner()
    result = cli.invoke(main, ["ingest", str(config), "--rebuild", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["rebuild"] is True
    result = cli.invoke(main, ["stats", str(config), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["sources"] == 3 and data["last_run"]["loaded"] == 3
    assert set(data) == {"pipeline", "store", "store_bytes", "nodes", "sources",
                         "by_extension", "last_ingest", "last_run", "cases", "state"}
    text = cli.invoke(main, ["stats", str(config)]).output
    assert text.startswith("pipeline: tiny\nstore: ") and "(rebuild): 3 loaded" in text
