"""HEIC/HEIF (the iPhone's photo format) through pillow-heif, and the one place images are
opened with PIL: `pil_open` registers pillow-heif's opener on first use (not at import).

pillow-heif's wheel bundles libheif with its HEVC decoder and encoder. libheif applies a
file's `irot`/`imir` transforms while decoding and pillow-heif then resets the EXIF
Orientation tag to 1, so a HEIC photo comes out upright and `ImageOps.exif_transpose` (which
every JPEG goes through) leaves it as it is instead of turning it a second time.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import IO

from PIL import Image

HEIF_SUFFIXES = (".heic", ".heif")
MISSING = "HEIC/HEIF images need pillow-heif (pip install pillow-heif)"

_lock = threading.Lock()
_registered: bool | None = None  # None: not tried yet


def register_heif() -> bool:
    """Register pillow-heif's Pillow opener once per process (idempotent, thread-safe).

    Returns False when pillow-heif is not installed (HEIC files are then unreadable)."""
    global _registered
    if _registered is None:
        with _lock:
            if _registered is None:
                try:
                    from pillow_heif import register_heif_opener
                except ImportError:
                    _registered = False
                else:
                    register_heif_opener()
                    _registered = True
    return _registered


def is_heif(path: str | Path) -> bool:
    """Whether the name says HEIC/HEIF (any case: iPhones send `IMG_0001.HEIC`)."""
    return Path(path).suffix.lower() in HEIF_SUFFIXES


def pil_open(fp: str | Path | IO[bytes]) -> Image.Image:
    """`PIL.Image.open` with HEIC/HEIF readable: the loaders and pipelines open every image
    file through here (use it as a context manager, like `Image.open`)."""
    register_heif()
    return Image.open(fp)
