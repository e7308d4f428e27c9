"""OCR used by every loader and by query images: preprocessing, engines and a result cache."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from loaders.errors import LoaderError, MissingDependencyError
from loaders.preprocess import to_gray
from loaders.tesseract import TesseractEngine

MAX_PIXELS = 80_000_000  # larger images are refused as possible decompression bombs
_CJK = "\u3000-\u30ff\u3400-\u9fff\uff00-\uffef"
_CJK_GAP = re.compile(f"(?<=[{_CJK}]) +(?=[{_CJK}])")


@dataclass
class OcrResult:
    """OCR output: text, mean word confidence (0-100, -1 when unknown) and (word, conf) pairs."""

    text: str
    confidence: float = -1.0
    words: list[tuple[str, float]] = field(default_factory=list)


def open_image(path: Path) -> Image.Image:
    """Open an image with EXIF orientation applied; raise LoaderError when unreadable."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(path) as img:
            img.load()
            return ImageOps.exif_transpose(img) or img
    except FileNotFoundError:
        raise LoaderError(path, "file not found") from None
    except Image.DecompressionBombError:
        raise LoaderError(path, f"image larger than {MAX_PIXELS:,} pixels (refused)") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise LoaderError(path, f"cannot read image ({exc.__class__.__name__})") from None


def clean_text(text: str) -> str:
    """Drop empty lines and the spaces Tesseract puts between CJK characters."""
    lines = (_CJK_GAP.sub("", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


class RapidOcrEngine:
    """RapidOCR (PP-OCR ONNX models bundled in the package), strong on Chinese photos."""

    name = "rapidocr"

    def __init__(self, languages: list[str], psm: int = 3) -> None:
        self._engine = None

    @staticmethod
    def prepare(img: Image.Image) -> Image.Image:
        """RapidOCR finds and orients text itself: only flatten transparency."""
        return to_gray(img).convert("RGB")

    def recognize(self, img: Image.Image) -> tuple[str, float, list[tuple[str, float]]]:
        if self._engine is None:
            try:
                from rapidocr import RapidOCR
            except ImportError:
                raise MissingDependencyError("rapidocr", "rapidocr") from None
            self._engine = RapidOCR()
        import numpy as np

        out = self._engine(np.asarray(img))
        texts = [str(t) for t in (getattr(out, "txts", None) or ())]
        scores = [100 * float(s) for s in (getattr(out, "scores", None) or ())]
        words = list(zip(texts, scores, strict=False))
        conf = sum(scores) / len(scores) if scores else -1.0
        return "\n".join(texts), conf, words


ENGINES = {"tesseract": TesseractEngine, "rapidocr": RapidOcrEngine}


class Ocr:
    """The OCR step as pipelines see it: open, preprocess, recognize, cache by image hash."""

    def __init__(
        self,
        engine: str = "tesseract",
        languages: list[str] | None = None,
        psm: int = 3,
        cache_dir: str | Path | None = None,
    ) -> None:
        if engine not in ENGINES:
            raise ValueError(f"unknown OCR engine {engine!r}; valid: {', '.join(ENGINES)}")
        self.engine_name = engine
        self.languages = languages or ["eng", "chi_sim"]
        self.psm = psm
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self._engine = ENGINES[engine](self.languages, psm)

    def settings(self) -> str:
        """A fingerprint of what changes the OCR output (part of cache and ingest hashes)."""
        return f"{self.engine_name}:{'+'.join(self.languages)}:psm{self.psm}:v8"

    def image_file(self, path: Path) -> OcrResult:
        """OCR an image file (cached by content hash and settings)."""
        try:
            data = Path(path).read_bytes()
        except FileNotFoundError:
            raise LoaderError(path, "file not found") from None
        key = hashlib.sha256(data + self.settings().encode()).hexdigest()
        cached = self._cache_get(key)
        if cached is not None:
            return cached
        result = self.image(open_image(path))
        self._cache_put(key, result)
        return result

    def image(self, img: Image.Image) -> OcrResult:
        """OCR an in-memory image (not cached)."""
        text, conf, words = self._engine.recognize(self._engine.prepare(img))
        return OcrResult(clean_text(text), round(conf, 1), [(w, round(c, 1)) for w, c in words])

    def _cache_get(self, key: str) -> OcrResult | None:
        file = self.cache_dir / key[:2] / f"{key}.json"
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            data["words"] = [(str(w), float(c)) for w, c in data.get("words", [])]
            return OcrResult(**data)
        except (OSError, ValueError, TypeError):
            return None

    def _cache_put(self, key: str, result: OcrResult) -> None:
        file = self.cache_dir / key[:2] / f"{key}.json"
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            tmp = file.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(asdict(result), ensure_ascii=False), encoding="utf-8")
            tmp.replace(file)
        except OSError:
            pass  # a cache that cannot be written only costs time


def default_cache_dir() -> Path:
    """`$MMRAG_CACHE_DIR`, else `~/.cache/mmrag`, plus `/ocr`."""
    root = os.environ.get("MMRAG_CACHE_DIR") or Path.home() / ".cache" / "mmrag"
    return Path(root) / "ocr"
