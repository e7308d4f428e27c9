"""The loader protocol and the document type every loader yields."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

if TYPE_CHECKING:
    from PIL import Image
    from pydantic import BaseModel

Modality = Literal["text", "image"]


@dataclass
class Document:
    """One loaded piece of a source file, with its provenance.

    Attributes:
        text: The text (for images: the OCR text or caption).
        source: Path of the original file.
        modality: "text" or "image".
        page: 1-based page number, when the source has pages.
        image: Path of the image evidence (the image file, a rendered page, a frame).
        start: Start time in seconds (video, subtitles).
        end: End time in seconds.
        bbox: Region on the page as (x0, y0, x1, y1), when known.
        metadata: Extra loader-specific metadata (JSON-serialisable scalars).
    """

    text: str
    source: str
    modality: Modality = "text"
    page: int | None = None
    image: str | None = None
    start: float | None = None
    end: float | None = None
    bbox: tuple[float, float, float, float] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def cache_root() -> Path:
    """`$MMRAG_CACHE_DIR`, else `~/.cache/mmrag`: the root of mmrag's caches."""
    return Path(os.environ.get("MMRAG_CACHE_DIR") or Path.home() / ".cache" / "mmrag")


def default_artifacts_dir() -> Path:
    """Where loaders keep derived evidence images (frames, page renders) by default."""
    return cache_root() / "artifacts"


class Loader:
    """Base class for loaders: cheap `accepts()`, lazy `load()`.

    Subclasses set `name` (the short config name) and `suffixes`, and implement `load`.
    Constructors must stay cheap: OCR engines and parsers load on first use.

    Args:
        ocr: The pipeline's `loaders.ocr.Ocr` (for images, scans, video frames).
        artifacts_dir: Folder for derived evidence images (video frames, rendered pages);
            the pipeline passes one inside its index folder.
        **params: The source's loader `params` from the config, checked against `Params`
            (a pydantic model with `extra="forbid"`) when the class declares one; the typed
            result is `self.options`.
    """

    name: ClassVar[str] = ""
    suffixes: ClassVar[tuple[str, ...]] = ()
    version: ClassVar[int] = 1  # bump when the documents a file gives change: files re-ingest
    Params: ClassVar[type[BaseModel] | None] = None

    def __init__(self, ocr: Any = None, artifacts_dir: str | Path | None = None,
                 **params: Any) -> None:
        self.ocr = ocr
        self.artifacts_dir = Path(artifacts_dir) if artifacts_dir else default_artifacts_dir()
        self.params = params
        self.options: Any = self.Params.model_validate(params) if self.Params else None

    def accepts(self, path: Path) -> bool:
        """Whether this loader handles `path` (by suffix; no file reads)."""
        return path.suffix.lower() in self.suffixes

    def artifact_folder(self, path: Path) -> Path:
        """A folder of its own under `artifacts_dir` for the evidence images derived from `path`."""
        key = hashlib.sha1(str(Path(path).resolve()).encode()).hexdigest()[:16]
        folder = self.artifacts_dir / key
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def dependencies(self, path: Path) -> list[Path]:
        """Other files whose content goes into `path`'s documents (e.g. a video's subtitles)."""
        return []

    def load(self, path: Path) -> Iterator[Document]:
        """Yield the documents of `path`; raise `LoaderError` for a bad file."""
        raise NotImplementedError


Reading = tuple[str, float, list[tuple[str, float]]]  # text, mean confidence, (word, conf)


class OcrEngine:
    """Base class for OCR engines (`ocr.engine`): read the text of one image.

    Subclasses implement `recognize`. Constructors must stay cheap (models load on first
    use). A class may declare `Params` (pydantic, `extra="forbid"`): the `ocr:` keys other
    than engine, languages and psm are checked against it and passed as `settings`.

    Args:
        languages: Tesseract language codes from `ocr.languages`.
        psm: Tesseract page segmentation mode from `ocr.psm`.
        settings: The validated `Params` of the engine (None when it declares none).
    """

    name: ClassVar[str] = ""
    Params: ClassVar[type[BaseModel] | None] = None

    def __init__(self, languages: list[str] | None = None, psm: int = 3,
                 settings: BaseModel | None = None) -> None:
        self.languages = languages or []
        self.psm = psm
        self.settings = settings

    def recognize(self, img: Image.Image) -> Reading:
        """Text, mean word confidence (0-100, -1 unknown) and (word, confidence) pairs."""
        raise NotImplementedError
