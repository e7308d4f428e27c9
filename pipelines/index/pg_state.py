"""Pipeline state on PostgreSQL (`index.state.url`): catalog, BM25 rows, run log, ingest lock
and evidence images, shared by every machine that ingests or queries the pipeline.

The catalog and lexical index run the same SQL as on SQLite through `PgConnection`, which
gives a psycopg connection the few `sqlite3.Connection` calls they use; writes keep their
transactions, so a killed ingest leaves the same state as on SQLite. The ingest lock is a
session advisory lock (released by the server when the holder's connection dies, kill -9
included). Evidence images are stored in the database by content hash (`pg_artifacts`), and
query processes copy them to their own folder on first use: no disk is shared, and no
other service is needed (an object store would add a third server for a few GB of JPEGs).
The BM25 matrix stays a per-process snapshot keyed by the rows' version, saved in the
local folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import socket
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pipelines.config.schema import StateConfig
from pipelines.errors import MissingDependencyError, StoreError
from pipelines.index.catalog import UPSERT_META, Catalog
from pipelines.index.lexical import TABLES, LexicalIndex

_TABLES = (
    "CREATE TABLE IF NOT EXISTS files (source TEXT PRIMARY KEY, hash TEXT NOT NULL, "
    "text_ids TEXT NOT NULL, image_ids TEXT NOT NULL, updated DOUBLE PRECISION NOT NULL)",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS artifacts (key TEXT PRIMARY KEY, data BYTEA NOT NULL)",
    *TABLES,
)
_LEXICAL_VERSION = "INSERT INTO lexical_version VALUES (0, ?) ON CONFLICT DO NOTHING"


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise MissingDependencyError("psycopg (for index.state, PostgreSQL)", "postgres") from None
    return psycopg


def where(state: StateConfig) -> str:
    """The database named without user or password: host:port/db."""
    url = urlsplit(state.url)
    return f"{url.hostname or 'localhost'}:{url.port or 5432}{url.path or '/'}"


def connect(state: StateConfig, namespace: str) -> Any:
    """An autocommit psycopg connection whose search_path is the pipeline's schema."""
    psycopg = _psycopg()
    kwargs: dict[str, Any] = {"autocommit": True, "connect_timeout": 10}
    if state.password_env:
        password = os.environ.get(state.password_env)
        if password is None:
            raise StoreError(f"index.state: environment variable {state.password_env} "
                             "(the PostgreSQL password) is not set")
        kwargs["password"] = password
    try:
        conn = psycopg.connect(state.url, **kwargs)
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{namespace}"')
        conn.execute(f'SET search_path TO "{namespace}"')
    except psycopg.Error as exc:
        raise StoreError(f"PostgreSQL at {where(state)} (index.state): {_problem(exc)}") from None
    return conn


def _problem(exc: BaseException) -> str:
    """psycopg's message on one line, without the server address the line names already
    (it never holds the password)."""
    text = re.sub(r'^(connection failed: )?connection to server at "[^"]*", port \d+ failed: ',
                  "", str(exc).strip())
    return "; ".join(" ".join(line.split()) for line in text.splitlines() if line.strip()) \
        or exc.__class__.__name__


class PgConnection:
    """psycopg behind the `sqlite3.Connection` calls the catalog uses (`?` placeholders,
    `with conn:` as a transaction). A lost connection is one `StoreError` line, and the
    next call connects again."""

    def __init__(self, state: StateConfig, namespace: str) -> None:
        self.state = state
        self.namespace = namespace
        self._conn: Any = None
        self._depth = 0
        self._tx: list[Any] = []
        self._lock = threading.RLock()  # one connection: statements of threads take turns

    def _connection(self) -> Any:
        if self._conn is None or self._conn.closed:
            self._conn = connect(self.state, self.namespace)
        return self._conn

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        psycopg = _psycopg()
        try:
            yield
        except psycopg.OperationalError as exc:
            if not self._tx:  # mid-transaction, the transaction's exit drops it
                self._drop()
            raise StoreError(f"PostgreSQL at {where(self.state)} (index.state): "
                             f"{_problem(exc)}") from None

    def _drop(self) -> None:
        with contextlib.suppress(Exception):
            if self._conn is not None:
                self._conn.close()
        self._conn = None

    def execute(self, sql: str, params: Sequence[Any] = (), /) -> Any:
        with self._lock, self._errors():
            return self._connection().execute(sql.replace("?", "%s"), params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> None:
        with self._lock, self._errors(), self._connection().cursor() as cur:
            cur.executemany(sql.replace("?", "%s"), list(rows))

    @property
    def in_transaction(self) -> bool:
        return bool(self._tx)

    def __enter__(self) -> PgConnection:
        self._lock.acquire()
        try:
            with self._errors():
                tx = self._connection().transaction()
                tx.__enter__()
        except BaseException:
            self._lock.release()
            raise
        self._tx.append(tx)
        return self

    def __exit__(self, *exc: Any) -> None:
        tx = self._tx.pop()
        try:
            with self._errors():
                tx.__exit__(*exc)
        except StoreError:
            self._drop()
            if exc[0] is None:
                raise
        finally:
            self._lock.release()

    @contextlib.contextmanager
    def consistent_read(self) -> Iterator[None]:
        """Reads that see one committed state (REPEATABLE READ)."""
        if self._tx:  # inside a transaction already: it sees its own state
            yield
            return
        with self:
            self.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield

    def commit(self) -> None:  # writes commit when their `with` block ends
        pass

    def close(self) -> None:
        with self._lock:
            self._drop()


class PostgresCatalog(Catalog):
    """The catalog and BM25 rows in the pipeline's PostgreSQL schema; the BM25 matrix
    snapshots in the local folder `snapshots`."""

    def __init__(self, state: StateConfig, namespace: str, snapshots: Path) -> None:
        super().__init__(snapshots)
        self.state = state
        self.namespace = namespace
        self._setup = threading.Lock()

    def exists(self) -> bool:
        """True once the database is reachable (its tables are made then)."""
        self.db()
        return True

    def db(self) -> PgConnection:  # type: ignore[override]
        with self._setup:
            if self._db is None:
                db = PgConnection(self.state, self.namespace)
                with db:
                    for ddl in _TABLES:
                        db.execute(ddl)
                    db.execute(_LEXICAL_VERSION, (os.urandom(16).hex(),))
                self._lexical = LexicalIndex(db, self.path, setup=False)
                self._db = db  # type: ignore[assignment]
        return self._db  # type: ignore[return-value]

    def clear(self) -> None:
        """As on SQLite, and the stored evidence images go too."""
        super().clear()
        self.db().execute("DELETE FROM artifacts")

    def describe(self) -> str:
        return f"PostgreSQL {where(self.state)} schema {self.namespace}"


class PgLock:
    """The ingest lock as a PostgreSQL advisory lock: it covers every machine, and the
    server releases it when the holder's connection dies (kill -9 included)."""

    def __init__(self, catalog: PostgresCatalog, pipeline: str) -> None:
        self.catalog = catalog
        self.pipeline = pipeline
        self._conn: Any = None
        digest = hashlib.sha256(f"mmrag ingest {catalog.namespace}".encode()).digest()
        self.key = int.from_bytes(digest[:8], "big", signed=True)

    def __enter__(self) -> PgLock:
        conn = connect(self.catalog.state, self.catalog.namespace)
        got = conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()[0]
        if not got:
            holder = self.catalog.meta("ingest_holder") or "another process"
            conn.close()
            raise StoreError(
                f"another ingest of pipeline {self.pipeline!r} is running ({holder}; "
                f"advisory lock in PostgreSQL {where(self.catalog.state)}); wait for it to "
                "finish")
        self._conn = conn
        since = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        self.catalog.db().execute(
            UPSERT_META, ("ingest_holder", f"pid {os.getpid()} on {socket.gethostname()} "
                                           f"since {since}"))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):  # a dead connection released it already
                self._conn.close()
            self._conn = None
