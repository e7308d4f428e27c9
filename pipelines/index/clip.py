"""CLIP image and text embeddings (transformers, CPU) as a LlamaIndex `MultiModalEmbedding`."""

from __future__ import annotations

import threading
from io import BytesIO
from pathlib import Path
from typing import Any

from llama_index.core.embeddings.multi_modal_base import MultiModalEmbedding
from pydantic import Field, PrivateAttr

from pipelines.errors import ConfigError, MissingDependencyError

_LOCK = threading.Lock()  # one forward pass at a time: the model is shared between threads


class ClipEmbedding(MultiModalEmbedding):
    """CLIP from a local folder or the Hugging Face cache; never downloads. Vectors are unit length.

    Args:
        model: A folder saved with `save_pretrained`, or a Hugging Face name already in the cache.
        batch_size: Images or texts per forward pass.
    """

    model_name: str = Field(description="local folder or Hugging Face name of a CLIP model")
    _parts: Any = PrivateAttr(None)

    def __init__(self, model: str | None = None, batch_size: int = 16, **kwargs: Any) -> None:
        if not model:
            raise ConfigError("index.image_embedding.model: required for type clip "
                              "(a local folder or a Hugging Face name in your cache)")
        super().__init__(model_name=str(model), embed_batch_size=batch_size, **kwargs)

    @classmethod
    def class_name(cls) -> str:
        return "ClipEmbedding"

    def _load(self) -> tuple[Any, Any, Any]:
        """(model, tokenizer, image processor), loaded once from local files only."""
        if self._parts is None:
            try:
                import torch  # noqa: F401
                import transformers
            except ImportError as exc:
                raise MissingDependencyError(exc.name or "transformers", "clip") from None
            transformers.utils.logging.disable_progress_bar()
            name = self.model_name
            try:
                model = transformers.CLIPModel.from_pretrained(name, local_files_only=True)
                tokenizer = transformers.AutoTokenizer.from_pretrained(name, local_files_only=True)
                processor = _image_processor(transformers).from_pretrained(
                    name, local_files_only=True)
            except (OSError, ValueError) as exc:
                raise ConfigError(_missing(name, exc)) from None
            self._parts = (model.eval(), tokenizer, processor)
        return self._parts

    def _features(self, kind: str, inputs: dict[str, Any]) -> list[list[float]]:
        import torch

        model = self._parts[0]
        with torch.inference_mode():
            out = getattr(model, f"get_{kind}_features")(**inputs)
            # transformers 5 returns a model output whose pooler_output is the projection
            feats = out if isinstance(out, torch.Tensor) else out.pooler_output
            return torch.nn.functional.normalize(feats.float(), dim=-1).tolist()

    def _get_image_embeddings(self, img_file_paths: list[Any]) -> list[list[float]]:
        with _LOCK:
            _, _, processor = self._load()
            images = [_rgb(item) for item in img_file_paths]
            return self._features("image", dict(processor(images=images, return_tensors="pt")))

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        with _LOCK:
            model, tokenizer, _ = self._load()
            limit = model.config.text_config.max_position_embeddings
            inputs = tokenizer(texts, padding=True, truncation=True, max_length=limit,
                               return_tensors="pt")
            return self._features("text", dict(inputs))

    def _get_image_embedding(self, img_file_path: Any) -> list[float]:
        return self._get_image_embeddings([img_file_path])[0]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._get_text_embedding(query)

    async def _aget_image_embedding(self, img_file_path: Any) -> list[float]:
        return self._get_image_embedding(img_file_path)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)


def _image_processor(transformers: Any) -> Any:
    """The PIL-backed CLIP image processor (transformers 5, no torchvision), else the default."""
    return getattr(transformers, "CLIPImageProcessorPil", None) or transformers.CLIPImageProcessor


def _rgb(item: Any) -> Any:
    """A PIL RGB image from a path, bytes buffer or PIL image (LoaderError names a bad file)."""
    from PIL import Image

    from loaders.heif import pil_open
    from loaders.ocr import open_image

    if isinstance(item, Image.Image):
        return item.convert("RGB")
    if isinstance(item, BytesIO):
        with pil_open(item) as img:
            return img.convert("RGB")
    return open_image(Path(item)).convert("RGB")


def _missing(name: str, exc: Exception) -> str:
    """One line: which model is missing and how to get it (no download is ever attempted)."""
    if Path(name).expanduser().exists():
        return f"CLIP model folder {name}: cannot load it ({str(exc).splitlines()[0]})"
    if name.startswith((".", "/", "~")):
        return (f"CLIP model folder {name} not found: set index.image_embedding.model to a "
                "folder saved with CLIPModel/CLIPProcessor.save_pretrained")
    return (f"CLIP model {name!r} is not in the local Hugging Face cache and mmrag never "
            f"downloads: run `hf download {name}` once on a machine with internet (same "
            "HF_HOME), or set index.image_embedding.model to a local folder")
