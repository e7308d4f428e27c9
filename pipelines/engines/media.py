"""Images for multimodal prompts: the question's images and retrieved image evidence."""

from __future__ import annotations

import io
from pathlib import Path

from pipelines.errors import InputError
from pipelines.query.types import Hit

_PHOTOS = (".jpg", ".jpeg", ".webp", ".heic", ".heif")  # sent as JPEG, the others as PNG


def encode_image(path: str | Path, max_side: int) -> tuple[bytes, str]:
    """The image as PNG (screenshots, line art) or JPEG (photos, HEIC included: LLM APIs do
    not take HEIC), upright, longest side <= max_side."""
    from PIL import ImageOps, UnidentifiedImageError

    from loaders.heif import pil_open

    try:
        with pil_open(path) as img:
            photo_file = img.format == "HEIF" or Path(path).suffix.lower() in _PHOTOS
            img = ImageOps.exif_transpose(img)
            img.thumbnail((max_side, max_side))
            photo = img.mode in ("RGB", "CMYK", "YCbCr") and photo_file
            buf = io.BytesIO()
            if photo:
                img.convert("RGB").save(buf, "JPEG", quality=85)
                return buf.getvalue(), "image/jpeg"
            if img.mode not in ("RGB", "RGBA", "L", "LA"):
                img = img.convert("RGBA")
            img.save(buf, "PNG", optimize=True)
            return buf.getvalue(), "image/png"
    except (OSError, UnidentifiedImageError, ValueError) as exc:
        raise InputError(f"{path}: cannot read image ({exc.__class__.__name__})") from None


def evidence_images(hits: list[Hit], limit: int) -> list[str]:
    """Paths of up to `limit` retrieved images (figures, frames, screenshots), best first."""
    paths: list[str] = []
    for hit in hits:
        if len(paths) >= limit:  # checked first: `max_images: 0` attaches none
            break
        image = hit.image
        if image and image not in paths and Path(image).is_file():
            paths.append(image)
    return paths
