"""OCR used by every loader and by query images: preprocessing, engines, the per-image choice
of engine and a result cache."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import threading
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from loaders.base import cache_root
from loaders.errors import LoaderError, MissingDependencyError
from loaders.preprocess import flatten, looks_like_photo
from loaders.tesseract import (
    CJK_LANGS,
    LINE_RATIO,
    WEAK_SCORE,
    TesseractEngine,
    mean_conf,
    score,
)

MAX_PIXELS = 80_000_000  # larger images are refused as possible decompression bombs
_CJK = "\u3000-\u30ff\u3400-\u9fff\uff00-\uffef"
_CJK_GAP = re.compile(f"(?<=[{_CJK}]) +(?=[{_CJK}])")
MAX_HEIGHT = 160  # px: RapidOCR splits lines of taller text; such images are scaled down
TARGET_HEIGHT = 64
LOW_CJK_CONF = 80.0  # Tesseract readings of mostly CJK words less sure than this get RapidOCR too
_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")
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
    """RapidOCR (PP-OCR ONNX models shipped in the rapidocr wheel), strong on Chinese photos.

    Only the models inside the installed package are used: nothing is downloaded at run time.
    """

    name = "rapidocr"

    def __init__(self, languages: list[str] | None = None, psm: int = 3) -> None:
        self._engine = None
        self._lock = threading.Lock()  # RapidOCR keeps per-call options on the instance

    def __getstate__(self) -> dict:
        """Picklable for loader worker processes: the model and lock are made again there."""
        return {**self.__dict__, "_engine": None, "_lock": None}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def recognize(self, img: Image.Image) -> Reading:
        """Text, mean confidence (0-100) and (text box, confidence) pairs of an image."""
        return as_reading(self.lines(img))

    def lines(self, img: Image.Image) -> list[list[Box]]:
        """Text boxes grouped into lines, in reading order.

        Huge text is read again scaled down; a line-shaped image in which no text is found is
        read as one line (recognition only, upright or upside down).
        """
        img = flatten(img).convert("RGB")  # colour helps the models; alpha would turn black
        lines = self._read(img)
        heights = [np.ptp(corners[:, 1]) for line in lines for corners, _, _ in line]
        if heights and np.median(heights) > MAX_HEIGHT:
            scale = TARGET_HEIGHT / np.median(heights)
            small = self._read(img.resize((round(img.width * scale), round(img.height * scale)),
                                          Image.LANCZOS))
            lines = max(lines, small, key=_lines_score)
        if not lines and img.width >= LINE_RATIO * img.height:
            lines = self._read(img, detect=False)
        return lines

    def _read(self, img: Image.Image, detect: bool = True) -> list[list[Box]]:
        """Text boxes grouped into lines, in reading order."""
        engine = self._load()
        with self._lock:
            out = engine(img, use_det=detect, use_cls=True, use_rec=True)
        texts, scores = getattr(out, "txts", None) or (), getattr(out, "scores", None) or ()
        boxes = getattr(out, "boxes", None) if detect else None
        if boxes is None:
            boxes = [[(0, 0), (img.width, 0), (img.width, img.height), (0, img.height)]]
        return _reading_order([(np.asarray(box, dtype=float), str(t), 100 * float(c))
                               for box, t, c in zip(boxes, texts, scores, strict=False)
                               if str(t).strip()])

    def _load(self):  # noqa: ANN202
        if self._engine is None:
            try:
                from rapidocr import RapidOCR
            except ImportError:
                raise MissingDependencyError("rapidocr", "rapidocr") from None
            try:
                self._engine = RapidOCR(params={"Global.log_level": "error", **_bundled_models()})
            except ImportError:
                raise MissingDependencyError("onnxruntime", "rapidocr") from None
        return self._engine


def _bundled_models() -> dict[str, str]:
    """RapidOCR's default det/cls/rec model paths inside the installed package; they are
    passed explicitly so that RapidOCR never checks or fetches models over the network."""
    import rapidocr

    root = Path(rapidocr.__file__).parent
    try:
        from rapidocr.inference_engine.base import FileInfo, InferSession
        from rapidocr.utils.parse_parameters import ParseParams

        cfg = ParseParams.load(root / "config.yaml")
        urls = {task: InferSession.get_model_url(FileInfo(
            cfg[task].engine_type, cfg[task].ocr_version, cfg[task].task_type,
            cfg[task].lang_type, cfg[task].model_type))["model_dir"]
            for task in ("Det", "Cls", "Rec")}
    except (ImportError, AttributeError, KeyError, TypeError, ValueError):
        raise MissingDependencyError("a rapidocr 3.x with bundled models", "rapidocr") from None
    paths = {f"{task}.model_path": root / "models" / Path(url).name for task, url in urls.items()}
    for path in paths.values():
        if not path.is_file():  # mmrag never downloads models
            raise MissingDependencyError(f"RapidOCR model {path}", "rapidocr")
    return {key: str(path) for key, path in paths.items()}


Box = tuple[np.ndarray, str, float]  # 4 corner points, text, confidence
Reading = tuple[str, float, list[tuple[str, float]]]  # text, mean confidence, (word, conf)


def _reading_order(found: list[Box]) -> list[list[Box]]:
    """Boxes grouped into lines (vertical centres within half a text height), top to bottom,
    each line left to right: RapidOCR may split one line into several boxes."""
    lines: list[list[Box]] = []
    for item in sorted(found, key=lambda b: b[0][:, 1].mean()):
        corners = item[0]
        centre, height = corners[:, 1].mean(), np.linalg.norm(corners[3] - corners[0])
        if lines and abs(lines[-1][0][0][:, 1].mean() - centre) < height / 2:
            lines[-1].append(item)
        else:
            lines.append([item])
    return [sorted(line, key=lambda b: b[0][:, 0].min()) for line in lines]


def _lines_score(lines: list[list[Box]]) -> float:
    return score([(text, conf) for line in lines for _, text, conf in line])


def as_reading(lines: list[list[Box]]) -> Reading:
    """RapidOCR lines as (text, mean confidence, (text box, confidence) pairs)."""
    words = [(text, conf) for line in lines for _, text, conf in line]
    conf = mean_conf(words) if words else -1.0
    return "\n".join(" ".join(t for _, t, _ in line) for line in lines), conf, words


def weak(words: list[tuple[str, float]]) -> bool:
    """A reading with little confident text, or mostly CJK words read with little confidence
    (a few stray CJK words in English text do not count)."""
    cjk = [(w, c) for w, c in words if _CJK_CHAR.search(w)]
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


def rapidocr_installed() -> bool:
    """True when RapidOCR and onnxruntime (default dependencies) are importable."""
    return all(importlib.util.find_spec(name) for name in ("rapidocr", "onnxruntime"))


ENGINES = {"tesseract": TesseractEngine, "rapidocr": RapidOcrEngine}
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
    ) -> None:
        if engine not in ENGINES:
            raise ValueError(f"unknown OCR engine {engine!r}; valid: {', '.join(ENGINES)}")
        self.engine_name = engine
        self.languages = languages or ["eng", "chi_sim"]
        self.psm = psm
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self._engine = ENGINES[engine](self.languages, psm)
        if fallback is None:
            fallback = rapidocr_installed() and (
                any(lang in CJK_LANGS for lang in self.languages)
                or all(lang in RAPID_LANGS for lang in self.languages))
        self._rapid = RapidOcrEngine() if fallback and engine == "tesseract" else None

    def settings(self) -> str:
        """A fingerprint of what changes the OCR output (part of cache and ingest hashes)."""
        engine = self.engine_name + ("+rapidocr" if self._rapid else "")
        return f"{engine}:{'+'.join(self.languages)}:psm{self.psm}:v11"

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
