"""Images sent by clients: data URLs or uploaded files, checked, kept in a temp folder that is
deleted after the request."""

from __future__ import annotations

import base64
import binascii
import re
import shutil
import tempfile
from pathlib import Path

from PIL import UnidentifiedImageError

from loaders.heif import pil_open
from pipelines.server.config import LimitsConfig
from pipelines.server.errors import ApiError

_DATA_URL = re.compile(r"^data:(image/[\w.+-]+)?(;[\w=.-]+)*;base64,(.*)$", re.S)
_SUFFIX = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp",
           "image/gif": ".gif", "image/bmp": ".bmp", "image/tiff": ".tif",
           "image/heic": ".heic", "image/heif": ".heif"}  # HEIC: what iPhones send


class Uploads:
    """A request's images on disk; use as a context manager (or call `close`)."""

    def __init__(self, limits: LimitsConfig) -> None:
        self.limits = limits
        self.paths: list[Path] = []
        self._dir: Path | None = None

    def __enter__(self) -> Uploads:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def add_bytes(self, data: bytes, name: str, mime: str | None = None) -> Path:
        """Keep one image (refused with 400/413 when too many, too large or not an image)."""
        if len(self.paths) >= self.limits.max_images:
            raise ApiError(413, f"too many images: at most {self.limits.max_images} per request")
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="mmrag-upload-"))
        suffix = _SUFFIX.get(mime or "", Path(name).suffix.lower() or ".img")
        path = self._dir / f"image{len(self.paths) + 1}{suffix}"
        path.write_bytes(data)
        self._check(path, name)
        self.paths.append(path)
        return path

    def add_url(self, url: str, index: int) -> Path:
        """An OpenAI `image_url`: a `data:` URL (remote URLs are refused here; see app.py)."""
        match = _DATA_URL.match(url.strip())
        if not match:
            raise ApiError(400, f"image {index}: only data: URLs (base64) are accepted")
        try:
            data = base64.b64decode(match.group(3), validate=False)
        except (binascii.Error, ValueError):
            raise ApiError(400, f"image {index}: invalid base64 data") from None
        return self.add_bytes(data, f"image{index}", match.group(1))

    def _check(self, path: Path, name: str) -> None:
        try:
            with pil_open(path) as img:
                width, height = img.size
        except (UnidentifiedImageError, OSError, ValueError):
            raise ApiError(400, f"{name}: not a readable image") from None
        if width * height > self.limits.max_image_pixels:
            raise ApiError(413, f"{name}: {width}x{height} pixels is more than "
                                f"{self.limits.max_image_pixels:,}")
