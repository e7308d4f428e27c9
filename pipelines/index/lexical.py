"""Lexical BM25 index beside the catalog: identifiers kept whole, Chinese via jieba.

Token lists live in the catalog's SQLite database, so they change in the same transaction as
the catalog entries. Searches score them with bm25s (a sparse matrix of precomputed BM25
weights, scored with numpy: about a millisecond at 100k chunks, where SQLite FTS5 took 34 ms
because it scores every row sharing a common word). The matrix is a snapshot of one version
of the table, rebuilt when the table changes and saved beside the catalog for the next process.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import shutil
import sqlite3
import threading
import uuid
import warnings
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from loaders.text_analysis import HAN_RUN, STOP, content_words, identifiers, tokenize

__all__ = ["LEXICAL_VERSION", "LexicalIndex", "content_words", "identifiers", "tokenize"]

_DOCS = """CREATE TABLE IF NOT EXISTS lexical_docs (
    node_id TEXT PRIMARY KEY, modality TEXT NOT NULL, tokens TEXT NOT NULL)"""
# A random token, replaced by every write: names the snapshot built from the table's rows.
UPSERT_DOC = ("INSERT INTO lexical_docs VALUES (?, ?, ?) ON CONFLICT (node_id) DO UPDATE "
              "SET modality = excluded.modality, tokens = excluded.tokens")
_VERSION = "CREATE TABLE IF NOT EXISTS lexical_version (one INTEGER PRIMARY KEY CHECK (one = 0), " \
    "value TEXT NOT NULL)"
TABLES = (_DOCS, _VERSION)  # portable DDL (PostgreSQL's state makes them too)
logger = logging.getLogger(__name__)
K1, B = 1.2, 0.75  # the usual BM25 constants (SQLite FTS5 and Lucene use the same)
MAX_QUERY_TERMS = 64
LEXICAL_VERSION = 2  # bump when tokenize() changes: files are re-indexed


@functools.cache
def _bm25s():  # noqa: ANN202
    with warnings.catch_warnings():  # its `tqdm.auto` import warns in Jupyter without ipywidgets
        warnings.filterwarnings("ignore", message="IProgress not found")
        import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets DEBUG on import
    return bm25s


class StateDb(Protocol):
    """What the catalog and lexical index use of a connection: `sqlite3.Connection`, or
    `pg_state.PgConnection` (the same calls over psycopg)."""

    in_transaction: bool

    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Any: ...
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> Any: ...
    def commit(self) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> Any: ...
    def __exit__(self, *exc: object) -> Any: ...


@contextlib.contextmanager
def consistent_read(db: StateDb) -> Iterator[None]:
    """Several reads that see one version of the tables (a read transaction)."""
    snapshot = getattr(db, "consistent_read", None)
    if snapshot is not None:  # PostgreSQL: a REPEATABLE READ transaction
        with snapshot():
            yield
        return
    own = not db.in_transaction
    if own:
        db.execute("BEGIN")
    try:
        yield
    finally:
        if own:
            db.commit()


@dataclass
class _Snapshot:
    """A BM25 model of the table at one version; row i of the matrix is node_ids[i]."""

    version: str
    model: Any
    node_ids: list[str]
    modalities: list[str]
    _rows: dict[str, int] = field(default_factory=dict)

    def rows(self, ids: Collection[str]) -> list[int]:
        if not self._rows:
            self._rows = {nid: i for i, nid in enumerate(self.node_ids)}
        return [self._rows[i] for i in ids if i in self._rows]


class LexicalIndex:
    """BM25 search over node texts, kept in the catalog's SQLite database.

    Args:
        db: The catalog connection; writes join the caller's transaction.
        snapshots: Folder for saved BM25 matrices (one per table version); None keeps them
            in memory only.
    """

    def __init__(self, db: StateDb, snapshots: Path | None = None, setup: bool = True) -> None:
        self.db = db
        self.snapshots = snapshots
        self._snapshot: _Snapshot | None = None
        self._chinese: tuple[str, float] | None = None  # (version, share) of chinese_share
        self._lock = threading.Lock()
        if setup:  # SQLite; PostgreSQL's tables are made by `pg_state`
            self._setup_sqlite(db)

    def _setup_sqlite(self, db: sqlite3.Connection) -> None:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        fts = "lexical" in tables
        if not fts and {"lexical_docs", "lexical_version"} <= tables:
            return  # set up already: no write, so a read-only catalog can be searched
        with db:
            db.execute(_DOCS)
            db.execute(_VERSION)
            db.execute("INSERT INTO lexical_version VALUES (0, ?) ON CONFLICT DO NOTHING",
                       (uuid.uuid4().hex,))
            if fts:  # an index written by the FTS5 version: its bodies are the token lists
                db.execute("INSERT OR REPLACE INTO lexical_docs SELECT node_id, modality, body "
                           "FROM lexical")
                db.execute("DROP TABLE lexical")
                db.execute("DROP TABLE IF EXISTS lexical_rows")
                self._changed()
        if fts:
            db.execute("VACUUM")  # give back the FTS5 index's pages (a third of the file)

    def _changed(self) -> None:
        self.db.execute("UPDATE lexical_version SET value = ?", (uuid.uuid4().hex,))

    def version(self) -> str:
        return self.db.execute("SELECT value FROM lexical_version").fetchone()[0]

    def add(self, nodes: Iterable[tuple[str, str, str]]) -> None:
        """Index (node_id, modality, text) rows."""
        rows = [(nid, modality, " ".join(tokenize(text))) for nid, modality, text in nodes]
        if rows:
            self.db.executemany(UPSERT_DOC, rows)
            self._changed()

    def delete(self, node_ids: list[str]) -> None:
        if node_ids:
            self.db.executemany("DELETE FROM lexical_docs WHERE node_id = ?",
                                [(i,) for i in node_ids])
            self._changed()

    def empty(self) -> bool:
        return self.db.execute("SELECT 1 FROM lexical_docs LIMIT 1").fetchone() is None

    def chinese_share(self) -> float:
        """Share of the indexed passages holding Chinese words (1.0 when none are indexed:
        nothing is known), computed once per table version."""
        version = self.version()
        with self._lock:
            if self._chinese is None or self._chinese[0] != version:
                rows = self.db.execute("SELECT tokens FROM lexical_docs").fetchall()
                share = (sum(1 for (tokens,) in rows if HAN_RUN.search(tokens)) / len(rows)
                         if rows else 1.0)
                self._chinese = (version, share)
            return self._chinese[1]

    def clear(self) -> None:
        self.db.execute("DELETE FROM lexical_docs")
        self._changed()

    def search(self, query: str, top_k: int, ids: Collection[str] | None = None
               ) -> list[tuple[str, str, float]]:
        """(node_id, modality, bm25 score; higher is better) of the best matches.

        `ids`, when given, restricts the search to those nodes (metadata filters).
        """
        tokens = list(dict.fromkeys(tokenize(query)))
        # Stop words add almost nothing to BM25 and match most rows.
        terms = ([t for t in tokens if t not in STOP] or tokens)[:MAX_QUERY_TERMS]
        if not terms or (ids is not None and not ids):
            return []
        snap = self.snapshot()
        term_ids = snap.model.get_tokens_ids(terms) if snap else []
        if not term_ids:
            return []
        mask = None
        if ids is not None:
            mask = np.zeros(len(snap.node_ids), dtype=np.float32)
            mask[snap.rows(ids)] = 1.0
        scores = snap.model.get_scores_from_ids(term_ids, weight_mask=mask)
        k = min(top_k, len(scores))
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.lexsort((best, -scores[best]))]  # by score, ties by row
        return [(snap.node_ids[i], snap.modalities[i], float(scores[i]))
                for i in best if scores[i] > 0]

    def snapshot(self) -> _Snapshot | None:
        """The BM25 model of the current rows: in memory, saved, or built now (None if empty)."""
        version = self.version()
        with self._lock:
            if self._snapshot is None or self._snapshot.version != version:
                self._snapshot = self._load(version) or self._build()
            return self._snapshot if self._snapshot.node_ids else None

    def refresh(self) -> None:
        """Build and save the snapshot of the current rows unless it is saved already."""
        if self.snapshots is None or not (self.snapshots / self.version()).is_dir():
            self.snapshot()

    def _build(self) -> _Snapshot:
        # One read transaction: the rows and their version agree even while another process
        # ingests (its commit waits the fraction of a second this read takes).
        with consistent_read(self.db):
            version = self.version()
            rows = self.db.execute("SELECT node_id, modality, tokens FROM lexical_docs "
                                   "ORDER BY node_id").fetchall()
        model = _bm25s().BM25(k1=K1, b=B)
        if rows:
            model.index([r[2].split() for r in rows], show_progress=False)
        snap = _Snapshot(version, model, [r[0] for r in rows], [r[1] for r in rows])
        if rows and self.snapshots is not None:
            self._save(snap)
        return snap

    def _save(self, snap: _Snapshot) -> None:
        """Write `snap` to snapshots/<version>/ (atomically) and drop older versions."""
        assert self.snapshots is not None
        final = self.snapshots / snap.version
        tmp = self.snapshots / f"{snap.version}.tmp-{os.getpid()}-{threading.get_ident()}"
        try:
            snap.model.save(tmp, show_progress=False)
            (tmp / "nodes.json").write_text(json.dumps([snap.node_ids, snap.modalities]))
            os.rename(tmp, final)
        except OSError:  # a read-only store, or another process saved it first
            shutil.rmtree(tmp, ignore_errors=True)
            return
        saved = final.stat().st_mtime
        for old in self.snapshots.iterdir():  # older versions, and leftovers of killed saves
            with contextlib.suppress(OSError):  # (a newer one saved meanwhile stays)
                if old.name != snap.version and old.stat().st_mtime <= saved:
                    shutil.rmtree(old)

    def _load(self, version: str) -> _Snapshot | None:
        folder = self.snapshots / version if self.snapshots is not None else None
        if folder is None or not folder.is_dir():
            return None
        try:
            model = _bm25s().BM25.load(folder, mmap=True, show_progress=False)
            node_ids, modalities = json.loads((folder / "nodes.json").read_text())
            if model.scores["num_docs"] != len(node_ids):
                raise ValueError("matrix and node list differ")
        except Exception as exc:  # any error of the npy/json readers
            if folder.is_dir():  # damaged, not removed meanwhile by a newer version's save
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
                logger.warning("%s: unreadable BM25 matrix (%s); rebuilding it", folder, reason)
                shutil.rmtree(folder, ignore_errors=True)
            return None
        return _Snapshot(version, model, node_ids, modalities)
