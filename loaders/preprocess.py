"""Image clean-up before OCR (alpha flattening, dark-theme inversion, scaling, deskew) and
the photo-or-screen test that picks the first OCR engine."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter, ImageOps

MAX_SKEW = 15.0  # degrees searched either way
MAX_TEXT = 72  # px: text taller than this after the size-based upscale is scaled to TARGET_TEXT
TARGET_TEXT = 48  # px: a text height Tesseract reads well (about 12 pt at 300 dpi)
STRIP = 160  # px: width of the vertical strips in which text rows are measured
PHOTO_FLAT = 0.6  # images with fewer pixels equal to their right neighbour are photos
FLAT_ROWS = 400  # rows sampled for that share
CAMERA_TAGS = (0x010F, 0x0110)  # EXIF Make, Model
CAMERA_EXIF = (0x829A, 0x829D, 0x8827, 0x9003, 0x920A)  # exposure, f-number, ISO, taken, focal


def mean_level(gray: Image.Image, mask: Image.Image | None = None) -> float:
    """Mean grey level (0-255) of an "L" image, optionally under a mask."""
    hist = gray.histogram(mask=mask)
    total = sum(hist) or 1
    return sum(i * n for i, n in enumerate(hist)) / total


def flatten(img: Image.Image) -> Image.Image:
    """The image without transparency: alpha composited onto a background that contrasts
    with the ink (white-on-transparent text lands on black). Colour is kept (RGB or L)."""
    if not (img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)):
        return img if img.mode in ("RGB", "L") else img.convert("RGB")
    rgba = img.convert("RGBA")
    alpha = rgba.getchannel("A")
    background = 0 if mean_level(rgba.convert("L"), alpha) > 127 else 255
    mode = "L" if img.mode == "LA" else "RGB"
    flat = Image.new(mode, rgba.size, background)
    flat.paste(rgba.convert(mode), mask=alpha)
    return flat


def to_gray(img: Image.Image) -> Image.Image:
    """Grayscale with transparency flattened onto a background that contrasts with the ink."""
    return flatten(img).convert("L")


def dark_on_light(gray: Image.Image) -> Image.Image:
    """Invert light-on-dark images (dark themes, white text on black)."""
    return ImageOps.invert(gray) if mean_level(gray) < 110 else gray


def otsu(values: np.ndarray) -> int:
    """Otsu's threshold of uint8 values: the grey level that best splits ink from paper."""
    prob = np.bincount(values.ravel(), minlength=256) / max(1, values.size)
    weight, mean = np.cumsum(prob), np.cumsum(prob * np.arange(256))
    between = (mean[-1] * weight - mean) ** 2 / np.maximum(weight * (1 - weight), 1e-12)
    return int(np.argmax(between))


def text_height(gray: Image.Image) -> float | None:
    """Typical height (px) of text lines on a dark-on-light page; None when unclear.

    Projection profile: in vertical strips, runs of rows holding some (not solid) ink are
    text lines; their median height is the text height when most runs agree.
    """
    values = np.asarray(gray)
    ink = values <= otsu(values)
    if ink.mean() > 0.5:  # the threshold split off the page, not the ink
        ink = ~ink
    parts = max(1, round(ink.shape[1] / STRIP))
    heights = []
    for strip in np.array_split(ink, parts, axis=1):
        count = strip.sum(axis=1)
        width = strip.shape[1]
        rows = (count > max(1, 0.02 * width)) & (count < 0.8 * width)
        for top, bottom in _runs(rows):
            if bottom - top >= 5 and count[top:bottom].sum() > 0.04 * (bottom - top) * width:
                heights.append(bottom - top)
    if len(heights) < 3:
        return None
    q1, median, q3 = np.percentile(heights, [25, 50, 75])
    return float(median) if q3 - q1 <= 0.5 * median else None


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) of the runs of True in a 1-D boolean array."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def scale_factor(gray: Image.Image) -> float:
    """Upscale small images (2-3x by size), but never blow text up past MAX_TEXT px."""
    longest = max(gray.size)
    if longest >= 1600:
        return 1.0
    scale = 2.0 if longest >= 800 else 3.0
    height = text_height(gray)
    if height and height * scale > MAX_TEXT:
        scale = max(1.0, TARGET_TEXT / height)
    return scale


def resize(gray: Image.Image, scale: float) -> Image.Image:
    """`gray` scaled by `scale` (Lanczos), unchanged when the scale is about 1."""
    if abs(scale - 1) < 0.05:
        return gray
    size = (max(1, round(gray.width * scale)), max(1, round(gray.height * scale)))
    return gray.resize(size, Image.LANCZOS)


def skew_angle(gray: Image.Image) -> float:
    """The rotation (degrees, counter-clockwise) that makes text lines horizontal."""
    small = gray.copy()
    small.thumbnail((900, 900))
    ink = np.asarray(small) < min(200, mean_level(small) - 30)
    if ink.mean() < 0.002:
        return 0.0
    img = Image.fromarray((ink * 255).astype(np.uint8))

    def score(angle: float) -> float:
        rows = np.asarray(img.rotate(angle, resample=Image.NEAREST, expand=True)).sum(axis=1)
        return float(np.square(np.diff(rows.astype(np.float64))).sum())

    coarse = max(np.arange(-MAX_SKEW, MAX_SKEW + 0.1, 1.0), key=score)
    fine = max(np.arange(coarse - 1.0, coarse + 1.01, 0.2), key=score)
    return float(round(fine, 2))


def deskew(gray: Image.Image) -> Image.Image:
    """Rotate so that text lines are horizontal; new corners take the median (background) grey."""
    angle = skew_angle(gray)
    if abs(angle) < 0.3:
        return gray
    median = int(np.median(np.asarray(gray)))
    return gray.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=median)


def even_light(gray: Image.Image) -> Image.Image:
    """Divide out uneven lighting (shadows, vignettes) estimated from a blurred page background."""
    small = gray.resize((max(1, gray.width // 8), max(1, gray.height // 8)), Image.BILINEAR)
    background = small.filter(ImageFilter.MaxFilter(7)).filter(ImageFilter.GaussianBlur(6))
    spread = np.percentile(np.asarray(background), [5, 95])
    if spread[1] - spread[0] < 25:  # evenly lit (screenshots, scans): leave alone
        return gray
    bg = np.asarray(background.resize(gray.size, Image.BILINEAR), dtype=np.float32)
    page = np.asarray(gray, dtype=np.float32) / np.maximum(bg, 1.0) * 255.0
    return Image.fromarray(np.clip(page, 0, 255).astype(np.uint8))


def prepare(img: Image.Image, scale: float | None = None) -> Image.Image:
    """Grayscale, dark text on light, scaled (`scale_factor` unless given), evenly lit,
    deskewed, contrast stretched."""
    gray = dark_on_light(to_gray(img))
    return finish(gray, scale_factor(gray) if scale is None else scale)


def finish(gray: Image.Image, scale: float) -> Image.Image:
    """A dark-on-light grayscale image scaled, evenly lit, deskewed and contrast stretched."""
    return stretch(deskew(even_light(resize(gray, scale))))


def stretch(gray: Image.Image) -> Image.Image:
    """Stretch low-contrast images to full range; leave images that already have dark ink."""
    lo, hi = np.percentile(np.asarray(gray), [0.2, 99.8])
    if hi - lo >= 120:
        return gray  # stretching a nearly blank page would turn compression noise into ink
    return ImageOps.autocontrast(gray, cutoff=0.2)


def flat_share(gray: Image.Image) -> float:
    """Share of pixels equal to their right-hand neighbour (rows sampled, full resolution).

    Rendered screens and clean scans are mostly flat background (0.8-1.0 on the shipped
    screenshots and the corpus scans, JPEG ones included); sensor noise, uneven light and
    texture leave photos of paper or projected slides far below that (0.05-0.46).
    """
    values = np.asarray(gray)[:: max(1, gray.height // FLAT_ROWS)]
    if values.shape[1] < 2:
        return 1.0
    return float((values[:, 1:] == values[:, :-1]).mean())


def camera_exif(img: Image.Image) -> bool:
    """True when the image carries EXIF written by a camera (make, model, exposure...)."""
    try:
        exif = img.getexif()
        return any(tag in exif for tag in CAMERA_TAGS) or \
            any(tag in exif.get_ifd(0x8769) for tag in CAMERA_EXIF)
    except (AttributeError, OSError, ValueError, SyntaxError):  # damaged EXIF: no evidence
        return False


def looks_like_photo(img: Image.Image) -> bool:
    """A camera photo (by EXIF) or photo-like pixels (little flat background)."""
    return camera_exif(img) or flat_share(to_gray(img)) < PHOTO_FLAT
