"""Lexical BM25 index in SQLite FTS5 beside the catalog: identifiers whole, Chinese via jieba."""

from __future__ import annotations

import functools
import json
import re
import sqlite3
from collections.abc import Collection, Iterable

_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# Identifiers and error codes stay whole: ERR_CONNECTION_REFUSED, 0x80070005, deploy.sh, v1.2.3
_WORD = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.:/-]*[A-Za-z0-9_])?")
_SCHEMA = """CREATE VIRTUAL TABLE IF NOT EXISTS lexical USING fts5(
    node_id UNINDEXED, modality UNINDEXED, body, tokenize = "unicode61 tokenchars '_.:/-'")"""
# node_id -> FTS rowid: deletes by rowid instead of scanning the FTS table (node_id is
# UNINDEXED there), which made re-ingest quadratic in the number of chunks.
_ROWS = "CREATE TABLE IF NOT EXISTS lexical_rows (node_id TEXT PRIMARY KEY, row INTEGER NOT NULL)"
MAX_QUERY_TERMS = 64
LEXICAL_VERSION = 2  # bump when tokenize() changes: files are re-indexed


@functools.cache
def _jieba():  # noqa: ANN202
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def identifiers(text: str) -> list[str]:
    """Error codes and identifiers in `text`: words with a digit, an underscore, or in CAPS."""
    return [w for w in _WORD.findall(text) if len(w) >= 4 and (
        "_" in w or (any(c.isdigit() for c in w) and any(c.isalpha() for c in w))
        or (w.isupper() and w.isalpha()))]


_STOP_WORDS = (
    "the and for with this that what how why when where which who does did can could would "
    "should will are was were has have had you your my our its into from about there their "
    "then than them they not but any all get got fix error help please one two 怎么 怎么样 "
    "怎么办 什么 如何 为什么 可以 这个 那个 我们 你们 没有 一个 哪些 推荐 问题 请问 提示")
_STOP = frozenset(_STOP_WORDS.split())


def content_words(text: str) -> set[str]:
    """Distinct tokens that carry meaning: 3+ letters (2+ for Chinese), no stop words."""
    return {t for t in tokenize(text) if t not in _STOP and not t.isdigit()
            and (len(t) >= 3 or (len(t) == 2 and _CJK_RUN.fullmatch(t)))}


def tokenize(text: str) -> list[str]:
    """Lower-cased tokens: whole identifiers plus their parts, and jieba words for Chinese."""
    tokens: list[str] = []
    for word in _WORD.findall(text):
        tokens.append(word.lower())
        segments = re.split(r"[:/]+", word)  # net::ERR_X -> err_x, a/b.py -> b.py
        if len(segments) > 1:
            tokens += [s.lower() for s in segments if s]
        parts = re.split(r"[_.:/-]+", word)
        if len(parts) > 1:
            tokens += [p.lower() for p in parts if p]
    for run in _CJK_RUN.findall(text):
        tokens += [t for t in _jieba().lcut_for_search(run) if t.strip()]
    return tokens


class LexicalIndex:
    """BM25 search over node texts, kept in the catalog's SQLite database.

    Args:
        db: The catalog connection; writes join the caller's transaction.
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        new_map = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'lexical_rows'"
                             ).fetchone() is None
        with db:
            db.execute(_SCHEMA)
            db.execute(_ROWS)
            if new_map:  # an index made before the map existed: map its rows once
                db.execute("INSERT OR REPLACE INTO lexical_rows SELECT node_id, rowid FROM lexical")

    def add(self, nodes: Iterable[tuple[str, str, str]]) -> None:
        """Index (node_id, modality, text) rows."""
        for nid, modality, text in nodes:
            row = self.db.execute("INSERT INTO lexical (node_id, modality, body) VALUES (?, ?, ?)",
                                  (nid, modality, " ".join(tokenize(text)))).lastrowid
            self.db.execute("INSERT OR REPLACE INTO lexical_rows VALUES (?, ?)", (nid, row))

    def delete(self, node_ids: list[str]) -> None:
        if not node_ids:
            return
        ids = json.dumps(list(node_ids))
        self.db.execute("DELETE FROM lexical WHERE rowid IN (SELECT row FROM lexical_rows "
                        "WHERE node_id IN (SELECT value FROM json_each(?)))", (ids,))
        self.db.execute("DELETE FROM lexical_rows WHERE node_id IN "
                        "(SELECT value FROM json_each(?))", (ids,))

    def empty(self) -> bool:
        return self.db.execute("SELECT 1 FROM lexical_rows LIMIT 1").fetchone() is None

    def clear(self) -> None:
        self.db.execute("DELETE FROM lexical")
        self.db.execute("DELETE FROM lexical_rows")

    def search(self, query: str, top_k: int, ids: Collection[str] | None = None
               ) -> list[tuple[str, str, float]]:
        """(node_id, modality, bm25 score; higher is better) of the best matches.

        `ids`, when given, restricts the search to those nodes (metadata filters).
        """
        tokens = list(dict.fromkeys(tokenize(query)))
        # Stop words add almost nothing to BM25 but match most rows, which all get scored.
        terms = ([t for t in tokens if t not in _STOP] or tokens)[:MAX_QUERY_TERMS]
        if not terms or (ids is not None and not ids):
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        sql = "SELECT node_id, modality, bm25(lexical) AS rank FROM lexical WHERE lexical MATCH ?"
        params: list[object] = [match]
        if ids is not None:
            sql += " AND node_id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(list(ids)))
        rows = self.db.execute(sql + " ORDER BY rank LIMIT ?", (*params, top_k)).fetchall()
        return [(nid, modality, -rank) for nid, modality, rank in rows]
