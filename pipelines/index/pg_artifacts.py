"""Evidence images (and the PDFs page crops are cut from) stored in the PostgreSQL state by
content hash, and copied to a query machine's own folder the first time it cites them."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any

from pipelines.index.pg_state import PostgresCatalog


class Artifacts:
    """Evidence images (and PDFs, for page crops) in the database, keyed by content."""

    def __init__(self, catalog: PostgresCatalog, folder: Path) -> None:
        self.catalog = catalog
        self.folder = folder  # the local copies
        self._known: set[str] = set()

    def put(self, path: str | Path) -> str | None:
        """Store a file once; its key (content hash + suffix), None if it cannot be read."""
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        key = hashlib.sha256(data).hexdigest()[:32] + path.suffix.lower()
        if key not in self._known:
            self.catalog.db().execute("INSERT INTO artifacts VALUES (?, ?) ON CONFLICT DO NOTHING",
                                      (key, data))
            self._known.add(key)
        return key

    def share(self, nodes: list[Any]) -> None:
        """Store the files a query needs (evidence images, PDFs for page crops); each node
        notes their keys (`image_artifact`, `path_artifact`, not embedded)."""
        keys: dict[str, str | None] = {}
        for node in nodes:
            for field in ("image", "path"):
                path = node.metadata.get(field)
                if not path or (field == "path" and not str(path).lower().endswith(".pdf")):
                    continue
                if path not in keys:
                    keys[path] = self.put(path)
                if keys[path]:
                    node.metadata[f"{field}_artifact"] = keys[path]
                    for excluded in (node.excluded_embed_metadata_keys,
                                     node.excluded_llm_metadata_keys):
                        if f"{field}_artifact" not in excluded:
                            excluded.append(f"{field}_artifact")

    def localize(self, node: Any) -> None:
        """Point a retrieved node's image and PDF at this machine's copies."""
        for field in ("image", "path"):
            key = node.metadata.get(f"{field}_artifact")
            local = self.local(key) if key else None
            if local is not None:
                node.metadata[field] = str(local)
                if field == "image" and hasattr(node, "image_path"):
                    node.image_path = str(local)

    def local(self, key: str) -> Path | None:
        """This machine's copy of a stored file (fetched once); None if it is not stored."""
        out = self.folder / key
        if out.is_file():
            return out
        row = self.catalog.db().execute("SELECT data FROM artifacts WHERE key = ?",
                                        (key,)).fetchone()
        if row is None:
            return None
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{key}.{os.getpid()}-{threading.get_ident()}")
        tmp.write_bytes(bytes(row[0]))
        os.replace(tmp, out)  # atomic: a reader never sees half a file
        return out
