"""Image clean-up before OCR: alpha flattening, dark-theme inversion, upscaling, deskew."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter, ImageOps

MAX_SKEW = 15.0  # degrees searched either way


def mean_level(gray: Image.Image, mask: Image.Image | None = None) -> float:
    """Mean grey level (0-255) of an "L" image, optionally under a mask."""
    hist = gray.histogram(mask=mask)
    total = sum(hist) or 1
    return sum(i * n for i, n in enumerate(hist)) / total


def to_gray(img: Image.Image) -> Image.Image:
    """Grayscale with transparency flattened onto a background that contrasts with the ink."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        alpha = rgba.getchannel("A")
        gray = rgba.convert("L")
        background = 0 if mean_level(gray, alpha) > 127 else 255
        flat = Image.new("L", rgba.size, background)
        flat.paste(gray, mask=alpha)
        return flat
    return img.convert("L")


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


def prepare(img: Image.Image) -> Image.Image:
    """Grayscale, dark text on light, upscaled, evenly lit, deskewed, contrast stretched."""
    gray = to_gray(img)
    if mean_level(gray) < 110:
        gray = ImageOps.invert(gray)
    if max(gray.size) < 1600:
        scale = 2 if max(gray.size) >= 800 else 3
        gray = gray.resize((gray.width * scale, gray.height * scale), Image.LANCZOS)
    return stretch(deskew(even_light(gray)))


def stretch(gray: Image.Image) -> Image.Image:
    """Stretch low-contrast images to full range; leave images that already have dark ink."""
    lo, hi = np.percentile(np.asarray(gray), [0.2, 99.8])
    if hi - lo >= 120:
        return gray  # stretching a nearly blank page would turn compression noise into ink
    return ImageOps.autocontrast(gray, cutoff=0.2)
