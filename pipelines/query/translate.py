"""LLM query rewriting (`retrieval.rewrite`): the query translated by the pipeline's LLM into
the knowledge base's other language, searched beside the original instead of the CC-CEDICT
word-by-word translation. Translations are cached on disk per model, so a repeated question
costs nothing the second time."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipelines.engines.base import Engine

MAX_CHARS = 2000  # of the query sent for translation (a question plus its OCR text)
_TABLE = "CREATE TABLE IF NOT EXISTS rewrites (key TEXT PRIMARY KEY, text TEXT NOT NULL)"


class Rewriter:
    """Translations of queries by `engine`, cached in the SQLite file `cache`.

    Built once per runner; the cache is opened on first use and kept open (one connection
    shared by threads under a lock) until `close()`.
    """

    def __init__(self, engine: Engine, cache: Path) -> None:
        self.engine = engine
        self.cache = cache
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def translate(self, text: str, language: str) -> tuple[str | None, dict[str, Any]]:
        """(translation, usage): usage is {} when cached; (None, {}) when the engine has no
        language model or answers with nothing. An LLM failure raises its `LLMError`."""
        text = text[:MAX_CHARS]
        model = getattr(self.engine.config, "model", None) or self.engine.config.type
        key = hashlib.sha256(f"{model}\0{language}\0{text}".encode()).hexdigest()
        cached = self._get(key)
        if cached is not None:
            return cached, {}
        reply = self.engine.translate(text, language)
        if reply is None or not reply.text:
            return None, reply.usage if reply else {}
        self._put(key, reply.text)
        return reply.text, reply.usage

    def _connect(self) -> sqlite3.Connection:
        """The open cache (called under the lock)."""
        if self._db is None:
            self.cache.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.cache, timeout=30, check_same_thread=False)
            self._db.execute(_TABLE)
        return self._db

    def _get(self, key: str) -> str | None:
        with self._lock:
            row = self._connect().execute("SELECT text FROM rewrites WHERE key = ?",
                                          (key,)).fetchone()
        return row[0] if row else None

    def _put(self, key: str, text: str) -> None:
        with self._lock:
            db = self._connect()
            with db:
                db.execute("INSERT OR REPLACE INTO rewrites VALUES (?, ?)", (key, text))

    def close(self) -> None:
        """Close the cache's connection (reopened on next use)."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
