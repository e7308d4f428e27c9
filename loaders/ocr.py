"""OCR for loaders and query images: open, clean text, choose the engine per image, cache."""

from __future__ import annotations

import hashlib
import json
import os
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from loaders.base import OcrEngine, Reading, cache_root
from loaders.errors import LoaderError
from loaders.heif import MISSING, is_heif, pil_open, register_heif
from loaders.preprocess import looks_like_photo
from loaders.rapidocr import Box, RapidOcrEngine, as_reading, rapidocr_installed
from loaders.tesseract import CJK_LANGS, WEAK_SCORE, mean_conf, score
from loaders.text_analysis import UNSPACED_GAP, has_han

MAX_PIXELS = 80_000_000  # larger images are refused as possible decompression bombs
LOW_CJK_CONF = 80.0  # Tesseract readings of mostly CJK words less sure than this get RapidOCR too
SURE = 80.0  # RapidOCR regions read with at least this confidence count as read
MATCH = 0.25  # Tesseract reads a region when it has the region's text with this share of edits


@dataclass
class OcrResult:
    """OCR output: text, mean word confidence (0-100, -1 when unknown), (word, conf) pairs and
    the engine whose reading it is (`tesseract` or `rapidocr`)."""

    text: str
    confidence: float = -1.0
    words: list[tuple[str, float]] = field(default_factory=list)
    engine: str = ""


def open_image(path: Path) -> Image.Image:
    """Open an image with EXIF orientation applied; raise LoaderError when unreadable.

    HEIC/HEIF photos are read through pillow-heif (upright from their `irot`/EXIF
    orientation, like a JPEG). Images over MAX_PIXELS are refused from their header, before
    decoding (PIL's global limit is left alone)."""
    if is_heif(path) and not register_heif():
        raise LoaderError(path, MISSING)
    try:
        with pil_open(path) as img:
            if img.width * img.height > MAX_PIXELS:
                raise Image.DecompressionBombError
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
    lines = (UNSPACED_GAP.sub("", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def weak(words: list[tuple[str, float]]) -> bool:
    """A reading with little confident text, or mostly CJK words read with little confidence
    (a few stray CJK words in English text do not count)."""
    cjk = [(w, c) for w, c in words if has_han(w)]
    unsure_cjk = len(cjk) * 3 >= len(words) and mean_conf(cjk) < LOW_CJK_CONF
    return score(words) < WEAK_SCORE or mean_conf(words) < 60 or unsure_cjk


def coverage(regions: list[Box], text: str | None = None) -> float:
    """Share of the image's text area that a reading covers (0 when no text was found).

    RapidOCR's detector outlines the text regions, so the area of its boxes stands for the
    image's text area. RapidOCR's own reading (`text` None) covers the regions it read with
    confidence SURE or more; another reading covers a region when it contains that region's
    text with at most MATCH of its characters edited (whitespace, case, full-width forms
    ignored), so a line read as Latin gibberish or dropped covers nothing.
    """
    areas = [_area(corners) for corners, _, _ in regions]
    if text is None:
        got = [conf >= SURE for _, _, conf in regions]
    else:
        folded = _fold(text)
        got = [_contains(folded, _fold(found)) for _, found, _ in regions]
    total = sum(areas)
    return sum(a for a, ok in zip(areas, got, strict=True) if ok) / total if total else 0.0


def _area(corners: np.ndarray) -> float:
    x, y = corners[:, 0], corners[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _contains(text: str, part: str) -> bool:
    """`part` occurs in `text` with at most MATCH of its characters edited.

    Myers' bit-parallel edit distance of `part` against the best substring of `text`.
    """
    if not part:
        return True
    masks: dict[str, int] = {}
    for i, char in enumerate(part):
        masks[char] = masks.get(char, 0) | 1 << i
    full, top = (1 << len(part)) - 1, 1 << (len(part) - 1)
    pv, mv, dist = full, 0, len(part)
    best = dist
    for char in text:
        eq = masks.get(char, 0)
        xv, xh = eq | mv, (((eq & pv) + pv) ^ pv) | eq
        ph, mh = mv | ~(xh | pv), pv & xh
        dist += 1 if ph & top else -1 if mh & top else 0
        best = min(best, dist)
        ph, mh = ph << 1, mh << 1
        pv, mv = (mh | ~(xv | ph)) & full, ph & xv & full
    return best <= MATCH * len(part)


RAPID_LANGS = ("eng", "chi_sim", "chi_tra")  # what RapidOCR's bundled models read


class Ocr:
    """The OCR step as pipelines see it: open, preprocess, recognize, cache by image hash.

    The `tesseract` engine is helped by RapidOCR (`fallback`, on by default when RapidOCR is
    installed and the languages are English/Chinese or include a CJK one): each image goes to
    the engine that suits it first (`choose`), and the result names the engine it came from.
    """

    def __init__(
        self,
        engine: str = "tesseract",
        languages: list[str] | None = None,
        psm: int = 3,
        cache_dir: str | Path | None = None,
        fallback: bool | None = None,
        settings: dict[str, Any] | None = None,
    ) -> None:
        from loaders.registry import current

        cls: type[OcrEngine] = current().resolve("ocr", engine)
        model = current().params_model("ocr", engine)
        self.engine_name = engine
        self.languages = languages or ["eng", "chi_sim"]
        self.psm = psm
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        options = model.model_validate(settings or {}) if model else None
        self._engine = cls(self.languages, psm, options)
        own = options.model_dump(mode="json") if options else {}  # a custom engine's settings
        self._own = f":{json.dumps(own, sort_keys=True)}" if own else ""
        if fallback is None:
            fallback = rapidocr_installed() and (
                any(lang in CJK_LANGS for lang in self.languages)
                or all(lang in RAPID_LANGS for lang in self.languages))
        self._rapid = RapidOcrEngine() if fallback and engine == "tesseract" else None

    def settings(self) -> str:
        """A fingerprint of what changes the OCR output (part of cache and ingest hashes)."""
        engine = self.engine_name + ("+rapidocr" if self._rapid else "")
        return f"{engine}:{'+'.join(self.languages)}:psm{self.psm}:v11{self._own}"

    def warm_up(self) -> None:
        """Load the OCR models now (RapidOCR's; Tesseract is a program run per image)."""
        for engine in (self._engine, self._rapid):
            if isinstance(engine, RapidOcrEngine):
                engine.warm_up()

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
        if self._rapid is None:
            (text, conf, words), engine = self._engine.recognize(img), self.engine_name
        else:
            (text, conf, words), engine = self.choose(img)
        return OcrResult(clean_text(text), round(conf, 1), [(w, round(c, 1)) for w, c in words],
                         engine)

    def choose(self, img: Image.Image) -> tuple[Reading, str]:
        """The reading of the engine that suits the image, and that engine's name.

        Photos (`looks_like_photo`: camera EXIF, or little flat background because of noise,
        uneven light and paper texture) are read by RapidOCR first, whose detector keeps the
        lines Tesseract drops there (an equation, a Chinese line read as Latin gibberish);
        Tesseract reads them too only when RapidOCR is unsure of a text region it found or
        found none. Screenshots and scans keep Tesseract first; RapidOCR reads them too only
        when Tesseract's reading is `weak`. When both have read, Tesseract's reading is kept
        only if it covers more of the text area RapidOCR's detector found (`coverage`), or
        when no text region was found.
        """
        photo = looks_like_photo(img)
        tess = None if photo else self._engine.recognize(img)
        if tess is not None and not weak(tess[2]):
            return tess, "tesseract"
        lines = self._rapid.lines(img)
        regions = [box for line in lines for box in line]
        ours = coverage(regions)
        if photo and ours == 1.0:
            return as_reading(lines), "rapidocr"
        tess = tess if tess is not None else self._engine.recognize(img)
        if regions and ours >= coverage(regions, tess[0]):
            return as_reading(lines), "rapidocr"
        return tess, "tesseract"

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
    return cache_root() / "ocr"
