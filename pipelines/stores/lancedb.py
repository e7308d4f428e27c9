"""LanceDB (embedded, on disk) behind the `VectorStore` interface: a table per collection.

Each table holds `id`, `vector` (float32, searched by cosine distance, exact scan), `text`,
`metadata` (LlamaIndex's flat metadata dict as JSON, with `_node_content`, so nodes come back
intact) and one typed column `m_<key>` per metadata key for the `--where` filters (see
`lancedb_sql`). Columns for keys first seen later are added to the table then.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines.config.schema import StoreConfig
from pipelines.errors import MissingDependencyError, StoreError
from pipelines.stores.base import StoreHit, VectorStore
from pipelines.stores.filters import Filter
from pipelines.stores.lancedb_sql import FALSE, Kind, column, kind, literal, to_sql

if TYPE_CHECKING:
    import pyarrow as pa
    from llama_index.core.schema import BaseNode

_FIXED = ("id", "vector", "text", "metadata")
_ARROW_KIND = {"num": "float64", "str": "string", "bool": "bool"}
_KIND_OF_ARROW = {"double": "num", "string": "str", "bool": "bool"}  # str(pyarrow type)
_CHUNK = 500  # ids per `IN (...)` list
KEEP_VERSIONS = timedelta(minutes=10)  # `optimize` removes table versions older than this


class LanceDBStore(VectorStore):
    """Opens a LanceDB database folder (`index.store.path`) lazily.

    Args:
        config: The `index.store` config section (`path`; LanceDB has no server mode here).
        name: Pipeline name, the default collection prefix.
    """

    def __init__(self, config: StoreConfig, name: str) -> None:
        super().__init__(config, name)
        if config.host:
            raise StoreError("index.store: type lancedb is embedded, on disk: set 'path', "
                             "not 'host'")
        self._db: Any = None
        self._tables: dict[str, Any] = {}
        # ids this object knows are stored, per collection, read once before its first write:
        # an upsert deletes only ids already there (a delete scans and commits; ingest's lock
        # keeps a single writer, so the set stays true)
        self._stored: dict[str, set[str]] = {}

    @property
    def location(self) -> str:
        return f"lancedb {self.config.path}"

    def exists(self) -> bool:
        return Path(str(self.config.path)).is_dir()

    def open(self) -> None:
        self.db()

    def db(self) -> Any:
        """The `lancedb` connection; every read sees the latest committed writes."""
        if self._db is None:
            try:
                import lancedb
            except ImportError as exc:
                raise MissingDependencyError(exc.name or "lancedb", "lancedb") from None
            try:
                Path(str(self.config.path)).mkdir(parents=True, exist_ok=True)
                self._db = lancedb.connect(str(self.config.path),
                                           read_consistency_interval=timedelta(0))
            except Exception as exc:  # lancedb raises several kinds; report them as one
                raise StoreError(f"cannot open {self.location}: {exc}") from None
        return self._db

    def _table(self, collection: str) -> Any:
        """The collection's table, or None when it was never written."""
        if collection not in self._tables:
            try:
                self._tables[collection] = self.db().open_table(self.collection_name(collection))
            except ValueError:  # "Table ... was not found"
                return None
        return self._tables[collection]

    def _kinds(self, table: Any) -> dict[str, Kind]:
        return {f.name: _KIND_OF_ARROW.get(str(f.type), "str") for f in table.schema
                if f.name not in _FIXED}

    def add(self, collection: str, nodes: Sequence[BaseNode]) -> None:
        if not nodes:
            return
        import pyarrow as pa

        rows = [_row(n) for n in nodes]
        table = self._table(collection)
        kinds = self._kinds(table) if table is not None else {}
        new: dict[str, Kind] = {}
        for row in rows:
            for col, value in row["columns"].items():
                if col not in kinds and col not in new and kind(value):
                    new[col] = kind(value)  # type: ignore[assignment]
        if table is None:
            schema = _schema(len(rows[0]["vector"]), new)
            table = self.db().create_table(self.collection_name(collection),
                                           _arrow(rows, schema), schema=schema)
            self._tables[collection] = table
            self._stored[collection] = {n.node_id for n in nodes}
            return
        if new:
            table.add_columns([pa.field(c, _ARROW_KIND[k]) for c, k in new.items()])
        stored = self._stored_ids(collection)
        self.delete(collection, [n.node_id for n in nodes if n.node_id in stored])
        try:
            table.add(_arrow(rows, table.schema))
        except Exception as exc:  # e.g. vectors of another length than the table's
            raise StoreError(f"{self.location}: cannot add to {table.name}: {exc}") from None
        stored.update(n.node_id for n in nodes)

    def _stored_ids(self, collection: str) -> set[str]:
        if collection not in self._stored:
            self._stored[collection] = set(self.ids(collection))
        return self._stored[collection]

    def delete(self, collection: str, ids: Sequence[str]) -> None:
        table = self._table(collection) if ids else None
        if table is not None:
            for start in range(0, len(ids), _CHUNK):
                table.delete(_id_in(ids[start:start + _CHUNK]))
            self._stored.get(collection, set()).difference_update(ids)

    def drop(self, collection: str) -> None:
        self._tables.pop(collection, None)
        self._stored.pop(collection, None)
        if self.exists():
            self.db().drop_table(self.collection_name(collection), ignore_missing=True)

    def count(self, collection: str) -> int:
        table = self._table(collection) if self.exists() else None
        return 0 if table is None else int(table.count_rows())

    def _predicate(self, table: Any, where: Filter | None) -> str | None:
        if where is None:
            return None
        return to_sql(where, self._kinds(table), lambda col: _distinct(table, col))

    def search(self, collection: str, vector: Sequence[float], top_k: int,
               where: Filter | None = None) -> list[StoreHit]:
        table = self._table(collection)
        if table is None or top_k < 1:
            return []
        query = table.search(list(vector)).distance_type("cosine").limit(top_k)
        predicate = self._predicate(table, where)
        if predicate == FALSE:
            return []
        if predicate:
            query = query.where(predicate, prefilter=True)
        got = query.select(["id", "text", "metadata", "_distance"]).to_arrow().to_pylist()
        return [StoreHit(r["id"], r["text"], json.loads(r["metadata"]),
                         score=1.0 - float(r["_distance"])) for r in got]

    def get(self, collection: str, ids: Sequence[str]) -> list[StoreHit]:
        table = self._table(collection) if ids else None
        if table is None:
            return []
        out: list[StoreHit] = []
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            got = (table.search().where(_id_in(chunk)).select(list(_FIXED)).limit(len(chunk))
                   .to_arrow().to_pylist())
            out += [StoreHit(r["id"], r["text"], json.loads(r["metadata"]),
                             embedding=[float(x) for x in r["vector"]]) for r in got]
        return out

    def ids(self, collection: str, where: Filter | None = None) -> list[str]:
        table = self._table(collection)
        if table is None:
            return []
        predicate = self._predicate(table, where)
        if predicate == FALSE:
            return []
        query = table.search().select(["id"]).limit(None)
        if predicate:
            query = query.where(predicate)
        return [str(i) for i in query.to_arrow().column("id").to_pylist()]

    def matching(self, collection: str, pattern: str, where: Filter | None = None,
                 limit: int = 200) -> list[StoreHit]:
        table = self._table(collection) if pattern else None
        predicate = self._predicate(table, where) if table is not None else FALSE
        if predicate == FALSE:
            return []
        holds = f"regexp_like(text, {literal(pattern)})"
        test = f"({predicate}) AND {holds}" if predicate else holds
        got = (table.search().where(test).select(["id", "text", "metadata"]).limit(limit)
               .to_arrow().to_pylist())
        return [StoreHit(r["id"], r["text"], json.loads(r["metadata"])) for r in got]

    def optimize(self) -> None:
        """Merge the small files each ingested file added into larger ones and remove
        versions older than `KEEP_VERSIONS` (a reader mid-query keeps its version)."""
        for collection in list(self._tables):
            self._tables[collection].optimize(cleanup_older_than=KEEP_VERSIONS)

    def close(self) -> None:
        self._tables.clear()
        self._stored.clear()
        self._db = None


def _row(node: BaseNode) -> dict[str, Any]:
    """A node as LlamaIndex stores it (as the Chroma store does) plus its filter columns."""
    from llama_index.core.schema import MetadataMode
    from llama_index.core.vector_stores.utils import node_to_metadata_dict

    meta = node_to_metadata_dict(node, remove_text=True, flat_metadata=True)
    meta = {k: "" if v is None else v for k, v in meta.items()}
    columns = {column(k): v for k, v in meta.items() if not k.startswith("_")}
    return {"id": node.node_id, "vector": node.get_embedding(),
            "text": node.get_content(metadata_mode=MetadataMode.NONE),
            "metadata": json.dumps(meta, ensure_ascii=False), "columns": columns}


def _schema(dim: int, kinds: dict[str, Kind]) -> pa.Schema:
    import pyarrow as pa

    return pa.schema([pa.field("id", pa.string()),
                      pa.field("vector", pa.list_(pa.float32(), dim)),
                      pa.field("text", pa.string()), pa.field("metadata", pa.string()),
                      *[pa.field(c, _ARROW_KIND[k]) for c, k in kinds.items()]])


def _arrow(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """Rows aligned to the table schema: a missing or other-kind value is null."""
    import pyarrow as pa

    data: dict[str, list[Any]] = {f.name: [] for f in schema}
    for row in rows:
        for field in schema:
            if field.name in _FIXED:
                data[field.name].append(row[field.name])
            else:
                value = row["columns"].get(field.name)
                fits = kind(value) == _KIND_OF_ARROW.get(str(field.type), "str")
                data[field.name].append(value if fits else None)
    return pa.table(data, schema=schema)


def _id_in(ids: Sequence[str]) -> str:
    return f"id IN ({', '.join(literal(i) for i in ids)})"


def _distinct(table: Any, col: str) -> list[str]:
    got = table.search().select([col]).where(f"{col} IS NOT NULL").limit(None).to_arrow()
    return sorted(set(got.column(col).to_pylist()))
