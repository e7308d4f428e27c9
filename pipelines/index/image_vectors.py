"""CLIP vectors of image nodes in their own `<name>_clip` collection, in step with the catalog.

Image nodes keep their text-model vector (OCR text / caption) in `<name>_images`, so they stay
findable by text as without CLIP; when `index.image_embedding` is set, each image node with an
image file also gets a CLIP vector under the same node id in `<name>_clip`. Replace and remove
go through the catalog's image ids, so both collections always hold the same nodes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipelines import registry
from pipelines.config.schema import PipelineConfig
from pipelines.errors import StoreError
from pipelines.index.catalog import Catalog
from pipelines.stores.base import CLIP, VectorStore

_META_KEY = "image_embedding"  # catalog meta: the image embedding the CLIP collection holds


class ImageVectors:
    """The image embedding model and the CLIP collection of one pipeline.

    Args:
        config: The validated pipeline config.
        store: The pipeline's vector store.
        catalog: The pipeline's catalog (remembers which model made the stored vectors).
    """

    def __init__(self, config: PipelineConfig, store: VectorStore, catalog: Catalog) -> None:
        self.cfg = config.index.image_embedding
        self.name = config.name
        self.folder = config.folder
        self.store = store
        self.catalog = catalog
        self._model: Any = None
        self._pending: dict[str, list[float]] = {}
        self._synced = False

    @property
    def enabled(self) -> bool:
        return self.cfg is not None

    def identity(self) -> str:
        """The settings that make the vectors (empty without an image embedding)."""
        if self.cfg is None:
            return ""
        params = ",".join(f"{k}={v}" for k, v in sorted(self.cfg.params.items()))
        return f"{self.cfg.type}:{self.cfg.model}:{params}"

    @property
    def model(self) -> Any:
        """The image embedding (a LlamaIndex `MultiModalEmbedding`), loaded on first use."""
        if self._model is None and self.cfg is not None:
            cls = registry.resolve("image_embedding", self.cfg.type)
            kwargs: dict[str, Any] = {"batch_size": self.cfg.batch_size, **self.cfg.params}
            if self.cfg.model:
                kwargs["model"] = self._model_ref(self.cfg.model)
            self._model = cls(**kwargs)
        return self._model

    def _model_ref(self, model: str) -> str:
        """A relative model folder resolves against the config's folder; else a hub name."""
        path = Path(model).expanduser()
        local = path if path.is_absolute() else self.folder / path
        return str(local) if local.exists() else model

    def embed(self, nodes: list[Any]) -> None:
        """Compute CLIP vectors of the image nodes among `nodes` (batched), kept until stored."""
        images = [n for n in nodes if self.enabled and _image_path(n)]
        if images:
            vectors = self.model.get_image_embedding_batch([_image_path(n) for n in images])
            self._pending.update({n.node_id: v for n, v in zip(images, vectors, strict=True)})

    def replace(self, old_ids: list[str], nodes: list[Any]) -> None:
        """Store the CLIP vectors of one source's image `nodes`; drop its other old ids."""
        self._sync()
        if not self.enabled:
            return
        keep = {n.node_id for n in nodes}
        self.store.delete(CLIP, [i for i in old_ids if i not in keep])
        embedded = [n.model_copy(update={"embedding": self._pending.pop(n.node_id)})
                    for n in nodes if n.node_id in self._pending]
        self.store.add(CLIP, embedded)

    def remove(self, ids: list[str]) -> None:
        """Delete the CLIP vectors of these image node ids."""
        self._sync()
        if self.enabled:
            self.store.delete(CLIP, ids)

    def _sync(self) -> None:
        """Before the first write: drop vectors made by another (or no) image embedding.

        Changing the image embedding changes every file's hash, so every file is embedded again.
        """
        if self._synced:
            return
        if (self.catalog.meta(_META_KEY) or "") != self.identity():
            self.store.drop(CLIP)
            self.catalog.set_meta(_META_KEY, self.identity())
        self._synced = True

    def query_model(self) -> Any:
        """The model for searching; a StoreError when the index was built with other settings."""
        if (self.catalog.meta(_META_KEY) or "") != self.identity():
            raise StoreError(f"index.image_embedding of pipeline {self.name!r} changed since its "
                             f"last ingest: run `mmrag ingest {self.name}` again")
        return self.model


def _image_path(node: Any) -> str | None:
    """The image file of an image node (screenshot, figure, video frame), if it has one."""
    if node.metadata.get("modality") != "image":
        return None
    return getattr(node, "image_path", None) or node.metadata.get("image")
