"""Image clean-up before OCR: alpha flattening, dark-theme inversion, upscaling, deskew."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageOps

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
    """Rotate so that text lines are horizontal; the new corners are filled with white."""
    angle = skew_angle(gray)
    if abs(angle) < 0.3:
        return gray
    return gray.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)


def prepare(img: Image.Image) -> Image.Image:
    """Grayscale, dark text on light, small text upscaled, deskewed, contrast stretched."""
    gray = to_gray(img)
    if mean_level(gray) < 110:
        gray = ImageOps.invert(gray)
    if max(gray.size) < 1600:
        scale = 2 if max(gray.size) >= 800 else 3
        gray = gray.resize((gray.width * scale, gray.height * scale), Image.LANCZOS)
    return ImageOps.autocontrast(deskew(gray), cutoff=1)
