"""Tesseract engine: parallel text bands, a CJK pass only on lines that need it, page rotation,
and second tries (plain image, text-height scaling, upside-down lines) for pages read badly."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from loaders.base import OcrEngine
from loaders.errors import MissingDependencyError
from loaders.preprocess import dark_on_light, finish, flatten, scale_factor, text_height, to_gray
from loaders.text_analysis import CJK_SCRIPT

CJK_LANGS = ("chi_sim", "chi_tra", "jpn", "kor")
LOW_CONF = 80.0  # lines below this mean confidence get the CJK pass
MIN_BAND = 120  # px: bands are not split smaller than this
MARGIN = 32  # px of blank page kept around the text (Tesseract's layout analysis needs it)
MIN_OSD_CONF = 2.0  # Tesseract's orientation confidence needed to turn a page
MIN_GAP = 12  # px: bands are cut only in blank gaps at least this tall
WEAK_SCORE = 400  # pages with fewer confident characters (x confidence) get second tries
GOOD_HEIGHT = (20, 96)  # px: text heights Tesseract reads well; others are scaled to TARGET
TARGET_HEIGHT = 48
LINE_RATIO = 2.5  # images this many times wider than tall are treated as one text line
MAX_SIDE = 4000  # px: second tries never scale an image beyond this


def mean_conf(words: list[tuple[str, float]]) -> float:
    """Mean confidence of (word, confidence) pairs; 0 when there are none."""
    return sum(c for _, c in words) / len(words) if words else 0.0


def score(words: list[tuple[str, float]]) -> float:
    """Confident characters x confidence: compares readings of one image."""
    return sum(len(w) * c for w, c in words if c > 50)


@dataclass
class Line:
    """One recognised text line: words with confidences and its box (x0, y0, x1, y1)."""

    words: list[tuple[str, float]]
    box: tuple[int, int, int, int]

    @property
    def text(self) -> str:
        return " ".join(w for w, _ in self.words)

    @property
    def conf(self) -> float:
        return mean_conf(self.words)


@dataclass
class Page:
    lines: list[Line] = field(default_factory=list)

    @property
    def words(self) -> list[tuple[str, float]]:
        return [w for line in self.lines for w in line.words]

    def mean_conf(self) -> float:
        return mean_conf(self.words)

    def score(self) -> float:
        """Confident characters recognised: picks the right page rotation."""
        return score(self.words)

    def weak(self) -> bool:
        """Little text read with confidence: worth a second try."""
        return self.score() < WEAK_SCORE or self.mean_conf() < 60

    def text_height(self) -> float | None:
        """Median height of the lines read with some confidence."""
        heights = sorted(line.box[3] - line.box[1] for line in self.lines if line.conf > 50)
        return float(heights[len(heights) // 2]) if heights else None


def _tesseract():  # noqa: ANN202
    try:
        import pytesseract
    except ImportError:  # pragma: no cover - a hard dependency
        raise MissingDependencyError("pytesseract", "core") from None
    return pytesseract


def limit_threads() -> None:
    """One OpenMP thread per tesseract process: we run processes in parallel ourselves, and
    Tesseract's own threads spin and slow down badly when the cores are busy (3-4x here).
    pytesseract passes its module-level `environ` to the subprocess. Set once, when an engine
    is made (not on each call)."""
    pytesseract = _tesseract()
    if "OMP_THREAD_LIMIT" not in pytesseract.pytesseract.environ:
        pytesseract.pytesseract.environ = {**os.environ, "OMP_THREAD_LIMIT": "1"}


def read_lines(img: Image.Image, lang: str, psm: int, dy: int = 0) -> list[Line]:
    """Tesseract `image_to_data` grouped into lines; boxes shifted down by `dy`."""
    pt = _tesseract()
    try:
        data = pt.image_to_data(img, lang=lang, config=f"--psm {psm}",
                                output_type=pt.Output.DICT)
    except pt.TesseractNotFoundError:
        raise MissingDependencyError("tesseract", "system: apt-get install tesseract-ocr") from None
    lines: dict[tuple[int, int, int], Line] = {}
    for i, word in enumerate(data["text"]):
        conf = float(data["conf"][i])
        if conf < 0 or not word.strip():
            continue
        x, y, w, h = (int(data[k][i]) for k in ("left", "top", "width", "height"))
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        line = lines.setdefault(key, Line([], (x, y + dy, x + w, y + dy + h)))
        line.words.append((word, conf))
        x0, y0, x1, y1 = line.box
        line.box = (min(x0, x), min(y0, y + dy), max(x1, x + w), max(y1, y + dy + h))
    return list(lines.values())


def text_bands(gray: Image.Image, parts: int) -> list[tuple[int, int]]:
    """Split the page in the middle of blank gaps into up to `parts` bands of similar ink."""
    ink = (np.asarray(gray) < 128).sum(axis=1)
    rows = np.nonzero(ink > 0)[0]
    if rows.size == 0:
        return [(0, gray.height)]
    top, bottom = max(0, int(rows[0]) - MARGIN), min(gray.height, int(rows[-1]) + MARGIN)
    gaps = [(a + b) // 2 for a, b in _blank_runs(ink, top + MIN_BAND, bottom - MIN_BAND)
            if b - a >= MIN_GAP]
    if parts < 2 or not gaps:
        return [(top, bottom)]
    total = ink[top:bottom].cumsum()
    target = total[-1] / parts
    cuts = sorted({min(gaps, key=lambda y: abs(total[y - top] - target * k))
                   for k in range(1, parts)})
    edges = [top, *cuts, bottom]
    return list(zip(edges, edges[1:], strict=False))


def _blank_runs(ink: np.ndarray, start: int, stop: int) -> list[tuple[int, int]]:
    """[a, b) runs of rows without ink between `start` and `stop`."""
    runs, begin = [], None
    for y in range(max(start, 0), max(stop, 0)):
        if ink[y] == 0 and begin is None:
            begin = y
        elif ink[y] != 0 and begin is not None:
            runs.append((begin, y))
            begin = None
    if begin is not None:
        runs.append((begin, stop))
    return runs


class TesseractEngine(OcrEngine):
    """Tesseract tuned for screenshots and photos.

    The page is read with the non-CJK languages first, in parallel horizontal bands; only lines
    read with low confidence are read again with the CJK languages. Pages read badly are turned
    upright when Tesseract's orientation detection (OSD) is confident.
    """

    name = "tesseract"

    def __init__(self, languages: list[str], psm: int = 3, settings: object = None,
                 workers: int | None = None) -> None:
        super().__init__(languages, psm, settings)
        limit_threads()
        self.workers = workers or min(2, os.cpu_count() or 1)
        latin = [lang for lang in languages if lang not in CJK_LANGS]
        self.first = "+".join(latin or languages)
        self.second = "+".join([*[lang for lang in languages if lang in CJK_LANGS], *latin])
        if not latin or self.second == self.first:
            self.second = ""

    def recognize(self, img: Image.Image) -> tuple[str, float, list[tuple[str, float]]]:
        """Text, mean word confidence and the words of an image (prepared here)."""
        gray = dark_on_light(to_gray(img))
        scale = scale_factor(gray)
        page = self._page(finish(gray, scale))
        if page.weak():
            page = max(self._second_tries(img, gray, page, scale), key=Page.score)
        words = page.words
        conf = mean_conf(words) if words else -1.0
        return "\n".join(line.text for line in page.lines), conf, words

    def _page(self, img: Image.Image) -> Page:
        """Latin pass, rotation when read badly, CJK pass on the lines that need it."""
        page = self._read(img)
        if page.weak():
            img, page = self._rotated(img, page)
        if self.second:
            page = self._cjk_pass(img, page)
        return page

    def _second_tries(self, img: Image.Image, gray: Image.Image, page: Page,
                      scale: float) -> list[Page]:
        """Readings of a badly read image besides `page`; the caller keeps the best.

        Upscaling and grey can hurt small images (sharp text blown up, colour contrast lost),
        so those are also read as they are, and an image shaped like one text line is read as
        a line, upright and upside down. Text far from a good height is scaled to
        TARGET_HEIGHT (the height as read, else as estimated from the image).
        """
        lang, plain, pages = self.second or self.first, flatten(img), [page]
        if plain.width >= LINE_RATIO * plain.height:
            pages += [Page(read_lines(plain.rotate(turn), lang, 7)) for turn in (0, 180)]
        elif scale > 1:
            pages.append(Page(read_lines(plain, lang, self.psm)))
        best = max(pages, key=Page.score)
        height = best.text_height()
        height = height / (scale if best is page else 1) if height else text_height(gray)
        if height and not GOOD_HEIGHT[0] <= height <= GOOD_HEIGHT[1]:
            rescale = min(TARGET_HEIGHT / height, MAX_SIDE / max(gray.size))
            if abs(rescale / scale - 1) > 0.25:
                pages.append(self._page(finish(gray, rescale)))
        return pages

    def _read(self, img: Image.Image, lang: str | None = None) -> Page:
        lang = lang or self.first
        bands = text_bands(img, self.workers)
        if len(bands) == 1:
            y0, y1 = bands[0]
            return Page(read_lines(img.crop((0, y0, img.width, y1)), lang, self.psm, y0))
        with ThreadPoolExecutor(max_workers=len(bands)) as pool:
            parts = pool.map(lambda b: read_lines(img.crop((0, b[0], img.width, b[1])),
                                                  lang, self.psm, b[0]), bands)
            return Page([line for part in parts for line in part])

    def _rotated(self, img: Image.Image, page: Page) -> tuple[Image.Image, Page]:
        """Turn the page upright when Tesseract's orientation detection is confident."""
        pt = _tesseract()
        try:
            osd = pt.image_to_osd(img, output_type=pt.Output.DICT)
        except pt.TesseractError:  # too little text to tell
            return img, page
        if not osd.get("rotate") or float(osd.get("orientation_conf", 0)) < MIN_OSD_CONF:
            return img, page
        turned = img.rotate(-int(osd["rotate"]), expand=True, fillcolor=255)
        candidate = self._read(turned)
        return (turned, candidate) if candidate.score() > page.score() else (img, page)

    def _cjk_pass(self, img: Image.Image, page: Page) -> Page:
        """Re-read low-confidence lines with the CJK languages; keep the better reading.

        When most lines are weak (a mostly Chinese page), the whole page is read again instead.
        """
        weak = [line for line in page.lines if line.conf < LOW_CONF]
        if not weak:
            return page
        if len(weak) * 2 > len(page.lines):
            again = self._read(img, self.second)
            return again if again.mean_conf() > page.mean_conf() else page
        groups = [weak[i::self.workers] for i in range(min(self.workers, len(weak)))]
        with ThreadPoolExecutor(max_workers=len(groups)) as pool:
            list(pool.map(lambda group: self._reread(img, group), groups))
        return page

    def _reread(self, img: Image.Image, lines: list[Line]) -> None:
        """Stack the lines' crops into one image, read it once, map results back by position."""
        crops = [img.crop(_padded(line.box, img.size)) for line in lines]
        tops = np.cumsum([0] + [c.height + 16 for c in crops]).tolist()
        stack = Image.new("L", (max(c.width for c in crops) + 16, tops[-1]), 255)
        for crop, top in zip(crops, tops, strict=False):
            stack.paste(crop, (8, top))
        again = read_lines(stack, self.second, 6)
        for line, top, crop in zip(lines, tops, crops, strict=False):
            found = [n for n in again if top <= (n.box[1] + n.box[3]) / 2 < top + crop.height]
            # Keep the Latin reading unless the CJK reading has CJK text and more confidence.
            if found and CJK_SCRIPT.search(" ".join(n.text for n in found)) and \
                    sum(n.conf for n in found) / len(found) > line.conf:
                line.words = [w for n in found for w in n.words]


def _padded(box: tuple[int, int, int, int], size: tuple[int, int]) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    pad = max(6, (y1 - y0) // 3)
    return (max(0, x0 - pad), max(0, y0 - pad), min(size[0], x1 + pad), min(size[1], y1 + pad))
