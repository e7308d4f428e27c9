"""RapidOCR engine: the PP-OCR models bundled in the rapidocr wheel, text boxes in reading order."""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

import numpy as np
from PIL import Image

from loaders.base import OcrEngine, Reading
from loaders.errors import MissingDependencyError
from loaders.preprocess import flatten
from loaders.tesseract import LINE_RATIO, mean_conf, score

MAX_HEIGHT = 160  # px: RapidOCR splits lines of taller text; such images are scaled down
TARGET_HEIGHT = 64

Box = tuple[np.ndarray, str, float]  # 4 corner points, text, confidence


class RapidOcrEngine(OcrEngine):
    """RapidOCR (PP-OCR ONNX models shipped in the rapidocr wheel), strong on Chinese photos.

    Only the models inside the installed package are used: nothing is downloaded at run time.
    """

    name = "rapidocr"

    def __init__(self, languages: list[str] | None = None, psm: int = 3,
                 settings: object = None) -> None:
        super().__init__(languages, psm, settings)
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

    def warm_up(self) -> None:
        """Load the ONNX models now instead of on the first image."""
        self._load()

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


def rapidocr_installed() -> bool:
    """True when RapidOCR and onnxruntime (default dependencies) are importable."""
    return all(importlib.util.find_spec(name) for name in ("rapidocr", "onnxruntime"))
