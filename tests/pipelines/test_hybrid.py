"""Hybrid retrieval on the labelled error-code set: exact codes and Chinese messages."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from loaders.text_analysis import identifiers, tokenize
from pipelines.jobs.eval_score import first_hit_rank
from pipelines.jobs.jsonl import read_items
from pipelines.runner import Runner
from tests.conftest import EXAMPLES

CONFIG = EXAMPLES / "error-codes" / "error-codes.yaml"
DATASET = EXAMPLES / "error-codes" / "queries.jsonl"


def test_identifiers_are_recognised_and_kept_whole() -> None:
    text = "net::ERR_CONNECTION_REFUSED, 0x80070005, EADDRINUSE and v1.2.3 but not the word Error"
    assert identifiers(text) == ["net::ERR_CONNECTION_REFUSED", "0x80070005", "EADDRINUSE",
                                 "v1.2.3"]
    assert {"err_connection_refused", "0x80070005", "eaddrinuse"} <= set(tokenize(text))
    assert {"磁盘", "空间", "不足"} <= set(tokenize("磁盘空间不足"))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("error-codes")
    summary = Runner.from_config(CONFIG, {"index.store.path": str(path)}).ingest()
    assert len(summary.loaded) == 69 and not summary.failed
    return path


def _mrr(store: Path, mode: str, kind: str) -> tuple[float, float]:
    runner = Runner.from_config(CONFIG, {"index.store.path": str(store),
                                         "retrieval.mode": mode})
    items = [i for i in read_items(DATASET) if i.extra["kind"] == kind]
    ranks = [first_hit_rank([s.source for s in runner.query(i.question).sources],
                            [i.extra["expected"]]) for i in items]
    return (sum(1 / r for r in ranks if r) / len(ranks),
            sum(1 for r in ranks if r == 1) / len(ranks))


@pytest.mark.parametrize("kind", ["identifier", "chinese"])
def test_hybrid_beats_dense(store: Path, kind: str) -> None:
    dense_mrr, _ = _mrr(store, "dense", kind)
    hybrid_mrr, hybrid_top1 = _mrr(store, "hybrid", kind)
    assert hybrid_mrr >= dense_mrr
    assert hybrid_top1 >= 0.97
    if kind == "identifier":
        assert hybrid_mrr > dense_mrr


def test_identifier_boost_puts_the_exact_code_first(store: Path) -> None:
    def top(query: str, overrides: dict) -> str:
        runner = Runner.from_config(CONFIG, {"index.store.path": str(store), **overrides})
        return runner.retrieve(query)[0].node.metadata["source"]

    # The bare code: without the boost, the article of its look-alike wins on meaning.
    query, expected = "ERR_CONNECTION_REFUSED", "net-err-connection-refused.md"
    assert top(query, {}).endswith(expected)  # the default boost
    assert not top(query, {"retrieval.identifier_boost": 0.0}).endswith(expected)  # the boost
    # Its translation keeps the code itself, so BM25 does not rank a Chinese article first by
    # the glosses alone: this one needs no boost.
    for overrides in ({}, {"retrieval.identifier_boost": 0.0}):
        assert top("ERR_NAME_NOT_RESOLVED", overrides).endswith("net-err-name-not-resolved.md")


def test_look_alike_codes_are_told_apart(store: Path) -> None:
    runner = Runner.from_config(CONFIG, {"index.store.path": str(store)})
    for code in ("0x80070057", "0x80070005", "0x80070002", "ERR_CONNECTION_RESET", "ECONNRESET"):
        top = runner.query(code).sources[0].source
        assert top.endswith(f"-{code.lower().replace('_', '-')}.md"), (code, top)


def test_bm25_snapshots_follow_every_write_and_are_shared_through_disk(tmp_path: Path) -> None:
    import sqlite3

    from pipelines.index.lexical import LexicalIndex

    snapshots = tmp_path / "catalog.bm25"
    writer = LexicalIndex(sqlite3.connect(tmp_path / "catalog.sqlite"), snapshots)
    with writer.db:
        writer.add([("a", "text", "printer offline spooler"), ("b", "text", "ECONNRESET socket"),
                    ("c", "image", "printer jam"), ("d", "text", "")])
    (snapshots / "0ld.tmp-99").mkdir(parents=True)  # left by a save that was killed
    os.utime(snapshots / "0ld.tmp-99", (1e9, 1e9))
    writer.refresh()
    assert [p.name for p in snapshots.iterdir()] == [writer.version()]
    # Another process opens the saved matrix instead of building one.
    reader = LexicalIndex(sqlite3.connect(tmp_path / "catalog.sqlite"), snapshots)
    assert [h[:2] for h in reader.search("printer jam", 5)] == [("c", "image"), ("a", "text")]
    assert isinstance(reader._snapshot.model.scores["data"], np.memmap)  # type: ignore[union-attr]
    assert [h[0] for h in reader.search("printer", 5, ids={"a", "b"})] == ["a"]
    assert reader.search("printer", 5, ids={"zzz"}) == []
    with writer.db:
        writer.delete(["a", "missing"])
        writer.add([("e", "text", "磁盘空间不足 printer")])
    # The reader's snapshot is of an older version: its next search rebuilds and saves.
    assert sorted(h[0] for h in reader.search("printer", 5)) == ["c", "e"]
    assert [p.name for p in snapshots.iterdir()] == [reader.version()]
    assert [h[0] for h in reader.search("磁盘空间", 5)] == ["e"]
    with writer.db:
        writer.clear()
    assert writer.empty() and reader.search("printer", 5) == []


def test_a_read_only_catalog_can_be_searched(tmp_path: Path) -> None:
    import sqlite3

    from pipelines.index.lexical import LexicalIndex

    writer = LexicalIndex(sqlite3.connect(tmp_path / "catalog.sqlite"))
    with writer.db:
        writer.add([("a", "text", "printer offline 0x00000709")])
    read_only = sqlite3.connect(f"file:{tmp_path / 'catalog.sqlite'}?mode=ro", uri=True)
    assert [h[0] for h in LexicalIndex(read_only).search("0x00000709", 5)] == ["a"]


@pytest.mark.parametrize("damage", ["missing", "truncated", "garbage"])
def test_a_damaged_saved_matrix_is_rebuilt_with_one_warning(
        tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture) -> None:
    import sqlite3

    from pipelines.index.lexical import LexicalIndex

    snapshots = tmp_path / "catalog.bm25"
    writer = LexicalIndex(sqlite3.connect(tmp_path / "catalog.sqlite"), snapshots)
    with writer.db:
        writer.add([("a", "text", "printer offline"), ("b", "text", "disk full ENOSPC")])
    writer.refresh()
    saved = snapshots / writer.version()
    if damage == "missing":
        (saved / "params.index.json").unlink()
    elif damage == "truncated":
        (saved / "data.csc.index.npy").write_bytes(b"\x93NUMPY")
    else:
        (saved / "nodes.json").write_text("[[\"a\"], [")
    for _ in range(2):  # a new process each time: the second one reads the repaired copy
        reader = LexicalIndex(sqlite3.connect(tmp_path / "catalog.sqlite"), snapshots)
        assert [h[0] for h in reader.search("ENOSPC", 5)] == ["b"]
    warnings = [r.getMessage() for r in caplog.records if r.name == "pipelines.index.lexical"]
    assert len(warnings) == 1 and "unreadable BM25 matrix" in warnings[0]
    assert isinstance(reader._snapshot.model.scores["data"], np.memmap)  # type: ignore[union-attr]


def test_fts5_lexical_indexes_are_migrated_in_place(tmp_path: Path) -> None:
    """A catalog written when BM25 ran in SQLite FTS5 keeps its rows, with no re-ingest."""
    import sqlite3

    from pipelines.index.lexical import LexicalIndex

    db = sqlite3.connect(tmp_path / "catalog.sqlite")
    db.execute("CREATE VIRTUAL TABLE lexical USING fts5(node_id UNINDEXED, modality UNINDEXED, "
               "body, tokenize = \"unicode61 tokenchars '_.:/-'\")")
    db.execute("CREATE TABLE lexical_rows (node_id TEXT PRIMARY KEY, row INTEGER NOT NULL)")
    db.executemany("INSERT INTO lexical (node_id, modality, body) VALUES (?, ?, ?)",
                   [("a", "text", " ".join(tokenize("ERR_CONNECTION_REFUSED in Chrome"))),
                    ("b", "image", " ".join(tokenize("打印机脱机")))])
    db.commit()
    index = LexicalIndex(db)
    assert db.execute("SELECT name FROM sqlite_master WHERE name LIKE 'lexical%' "
                      "ORDER BY name").fetchall() == [("lexical_docs",), ("lexical_version",)]
    assert [h[:2] for h in index.search("net::ERR_CONNECTION_REFUSED", 5)] == [("a", "text")]
    assert [h[:2] for h in index.search("打印机", 5)] == [("b", "image")]


WRITER = """
import pathlib, sqlite3, sys, time
from pipelines.index.lexical import LexicalIndex
index = LexicalIndex(sqlite3.connect(sys.argv[1]))
extra = [(f"x{i:05d}", "text", f"extra row {i} printer") for i in range(2000)]
print("ready", flush=True)
stop, deadline = pathlib.Path(sys.argv[2]), time.monotonic() + float(sys.argv[3])
# each commit switches between the two states atomically, until the reader has seen enough
while not stop.exists() and time.monotonic() < deadline:
    with index.db:
        index.add(extra)
    time.sleep(0.05)
    with index.db:
        index.delete([row[0] for row in extra])
    time.sleep(0.05)
"""


def test_snapshots_built_during_another_process_writes_are_consistent(tmp_path: Path) -> None:
    import sqlite3
    import subprocess
    import sys

    from pipelines.index.lexical import LexicalIndex
    from tests.conftest import ROOT

    path = tmp_path / "catalog.sqlite"
    reader = LexicalIndex(sqlite3.connect(path))
    with reader.db:
        reader.add([(f"b{i:05d}", "text", f"base row {i} disk full ENOSPC") for i in range(20000)])
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(stop), "90"],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
    sizes, builds = set(), 0
    while writer.poll() is None:  # on a busy machine builds are slower: go on until enough
        if builds >= 6 and len(sizes) == 2:
            stop.touch()
        before = reader._snapshot
        snap = reader.snapshot()
        assert snap is not None
        builds += snap is not before
        sizes.add(len(snap.node_ids))  # the whole base, with or without all the extra rows
        assert len(reader.search("printer", 3000)) in (0, 2000)
    assert writer.returncode == 0
    assert sizes == {20000, 22000} and builds >= 4, (sizes, builds)
    # The writer ended without the extra rows: the snapshot of the final version agrees.
    assert reader.search("printer", 3000) == [] and len(reader.snapshot().node_ids) == 20000
