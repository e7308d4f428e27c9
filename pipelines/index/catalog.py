"""The ingest catalog (SQLite): source -> content hash -> node ids, plus an ingest lock."""

from __future__ import annotations

import fcntl
import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from pipelines.errors import StoreError
from pipelines.index.lexical import LexicalIndex

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    source TEXT PRIMARY KEY, hash TEXT NOT NULL, text_ids TEXT NOT NULL,
    image_ids TEXT NOT NULL, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# Portable upserts (SQLite and PostgreSQL), so `PostgresCatalog` runs the same statements.
UPSERT_FILE = ("INSERT INTO files VALUES (?, ?, ?, ?, ?) ON CONFLICT (source) DO UPDATE SET "
               "hash = excluded.hash, text_ids = excluded.text_ids, "
               "image_ids = excluded.image_ids, updated = excluded.updated")
UPSERT_META = ("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
               "SET value = excluded.value")


@dataclass
class Entry:
    """What the index holds for one source file."""

    source: str
    hash: str
    text_ids: list[str]
    image_ids: list[str]

    @property
    def ids(self) -> dict[str, list[str]]:
        return {"text": self.text_ids, "image": self.image_ids}


class Catalog:
    """Which files are indexed, with which content hash and node ids."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._lexical: LexicalIndex | None = None

    def exists(self) -> bool:
        return self.path.is_file()

    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False)
            self._db.executescript(_SCHEMA)
            # Set up with the connection: it may write (and commit), so never mid-transaction.
            self._lexical = LexicalIndex(self._db, self.path.with_suffix(".bm25"))
        return self._db

    def describe(self) -> str:
        return f"SQLite {self.path}"

    def get(self, source: str) -> Entry | None:
        row = self.db().execute(
            "SELECT source, hash, text_ids, image_ids FROM files WHERE source = ?", (source,)
        ).fetchone()
        return Entry(row[0], row[1], json.loads(row[2]), json.loads(row[3])) if row else None

    def empty(self) -> bool:
        """Whether no file is catalogued (cheap: reads one row at most)."""
        return self.db().execute("SELECT 1 FROM files LIMIT 1").fetchone() is None

    def sources(self) -> list[str]:
        # sorted here: PostgreSQL's ORDER BY follows the database's collation
        return sorted(r[0] for r in self.db().execute("SELECT source FROM files"))

    @property
    def lexical(self) -> LexicalIndex:
        """The BM25 index of node texts, stored in the same database."""
        self.db()
        assert self._lexical is not None
        return self._lexical

    def put(self, entry: Entry, texts: list[tuple[str, str, str]] | None = None,
            old_ids: list[str] | None = None) -> None:
        """Record `entry` and swap its lexical rows (node_id, modality, text) in one transaction."""
        with self.db() as db:
            self.lexical.delete([*(old_ids or []), *(t[0] for t in texts or [])])
            self.lexical.add(texts or [])
            db.execute(
                UPSERT_FILE,
                (entry.source, entry.hash, json.dumps(entry.text_ids),
                 json.dumps(entry.image_ids), time.time()),
            )

    def reserve(self, batch: list[Entry]) -> None:
        """Before nodes reach Chroma: add their ids to their sources' entries, blank the hashes.

        A run killed before `put` then redoes these files, and the redo deletes whatever part of
        them reached Chroma (an entry's ids are the ones a replace or remove deletes).
        """
        with self.db() as db:
            for new in batch:
                old = self.get(new.source) or Entry(new.source, "", [], [])
                db.execute(
                    UPSERT_FILE,
                    (new.source, "", json.dumps(list(dict.fromkeys(old.text_ids + new.text_ids))),
                     json.dumps(list(dict.fromkeys(old.image_ids + new.image_ids))), time.time()),
                )

    def clear(self) -> None:
        """Forget every file and lexical row, leaving meta `rebuild` set until `clear_done`."""
        with self.db() as db:
            db.execute("DELETE FROM files")
            self.lexical.clear()
            db.execute(UPSERT_META, ("rebuild", "pending"))

    def clear_done(self) -> None:
        with self.db() as db:
            db.execute("DELETE FROM meta WHERE key = 'rebuild'")

    def rebuild_pending(self) -> bool:
        """Whether a rebuild cleared the catalog but may not have dropped the collections."""
        return self.exists() and self.meta("rebuild") is not None

    def remove(self, source: str) -> None:
        """Forget `source` and its lexical rows."""
        entry = self.get(source)
        with self.db() as db:
            if entry:
                self.lexical.delete(entry.text_ids + entry.image_ids)
            db.execute("DELETE FROM files WHERE source = ?", (source,))

    def set_meta(self, key: str, value: str) -> None:
        with self.db() as db:
            db.execute(UPSERT_META, (key, value))

    def meta(self, key: str) -> str | None:
        row = self.db().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = self._lexical = None


class IngestLock:
    """An exclusive, non-blocking lock so two ingests of one pipeline never interleave."""

    def __init__(self, path: Path, pipeline: str) -> None:
        self.path = path
        self.pipeline = pipeline
        self._file = None

    def __enter__(self) -> IngestLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("w")
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._file.close()
            raise StoreError(
                f"another ingest of pipeline {self.pipeline!r} is running (lock {self.path}); "
                "wait for it to finish"
            ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
