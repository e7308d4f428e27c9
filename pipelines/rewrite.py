"""LLM query rewriting (`retrieval.rewrite`): the query translated by the pipeline's LLM into
the knowledge base's other language, searched beside the original instead of the CC-CEDICT
word-by-word translation. Translations are cached on disk per model, so a repeated question
costs nothing the second time."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path
from typing import Any

from pipelines.engines.base import Engine

MAX_CHARS = 2000  # of the query sent for translation (a question plus its OCR text)
_TABLE = "CREATE TABLE IF NOT EXISTS rewrites (key TEXT PRIMARY KEY, text TEXT NOT NULL)"


class Rewriter:
    """Translations of queries by `engine`, cached in the SQLite file `cache`."""

    def __init__(self, engine: Engine, cache: Path) -> None:
        self.engine = engine
        self.cache = cache
        self._lock = threading.Lock()

    def translate(self, text: str, language: str) -> tuple[str | None, dict[str, Any]]:
        """(translation, usage): usage is {} when cached; (None, {}) when the engine has no
        language model or answers with nothing."""
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
        self.cache.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.cache, timeout=30)
        db.execute(_TABLE)
        return db

    def _get(self, key: str) -> str | None:
        with self._lock:
            db = self._connect()
            try:
                row = db.execute("SELECT text FROM rewrites WHERE key = ?", (key,)).fetchone()
            finally:
                db.close()
        return row[0] if row else None

    def _put(self, key: str, text: str) -> None:
        with self._lock:
            db = self._connect()
            try:
                with db:
                    db.execute("INSERT OR REPLACE INTO rewrites VALUES (?, ?)", (key, text))
            finally:
                db.close()
