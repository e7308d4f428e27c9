"""Hybrid retrieval on the labelled error-code set: exact codes and Chinese messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.evaluation import first_hit_rank
from pipelines.jsonl import read_items
from pipelines.lexical import identifiers, tokenize
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


def test_look_alike_codes_are_told_apart(store: Path) -> None:
    runner = Runner.from_config(CONFIG, {"index.store.path": str(store)})
    for code in ("0x80070057", "0x80070005", "0x80070002", "ERR_CONNECTION_RESET", "ECONNRESET"):
        top = runner.query(code).sources[0].source
        assert top.endswith(f"-{code.lower().replace('_', '-')}.md"), (code, top)


def test_lexical_rows_are_deleted_by_rowid_and_old_indexes_are_mapped(tmp_path: Path) -> None:
    import sqlite3

    from pipelines.lexical import LexicalIndex

    db = sqlite3.connect(tmp_path / "catalog.sqlite")
    index = LexicalIndex(db)
    index.add([("a", "text", "printer offline spooler"), ("b", "text", "ECONNRESET socket"),
               ("c", "image", "printer jam")])
    index.delete(["a", "missing"])
    assert [h[0] for h in index.search("printer", 5)] == ["c"]
    assert dict(db.execute("SELECT node_id, row FROM lexical_rows")) == dict(
        db.execute("SELECT node_id, rowid FROM lexical"))
    db.execute("DROP TABLE lexical_rows")  # an index written before the map existed
    index = LexicalIndex(db)
    index.delete(["c"])
    assert index.search("printer", 5) == [] and [h[0] for h in index.search("socket", 5)] == ["b"]
    index.clear()
    assert db.execute("SELECT count(*) FROM lexical_rows").fetchone() == (0,)
