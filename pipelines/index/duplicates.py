"""Near-duplicate images: perceptual hashes (imagehash) and the match rule.

An image's fingerprint is two 64-bit hashes: pHash (DCT of the 32x32 grey image: robust to
re-compression, resizing and brightness) and dHash (gradients of a 9x8 grey image: robust to
small shifts). Two images match when both Hamming distances are small; requiring both keeps
two different photos of the same kind of document (the same ID-card template, the same
terminal theme) apart. The thresholds were chosen on the tune half of
`benchmarks/near_duplicates.py` and are reported on its held-out half.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageOps

from loaders.heif import pil_open

if TYPE_CHECKING:
    from llama_index.core.schema import BaseNode

logger = logging.getLogger(__name__)

PHASH_MAX = 12  # of 64 bits
DHASH_MAX = 16


@dataclass(frozen=True)
class Fingerprint:
    phash: str  # 16 hex digits
    dhash: str

    def as_text(self) -> str:
        """How it is kept in node metadata: "phash:dhash"."""
        return f"{self.phash}:{self.dhash}"

    @classmethod
    def from_text(cls, text: str) -> Fingerprint:
        phash, _, dhash = text.partition(":")
        return cls(phash, dhash)


def fingerprint(image: Image.Image | str | Path) -> Fingerprint:
    """The fingerprint of an image (a file is opened with its EXIF orientation applied)."""
    import imagehash

    if not isinstance(image, Image.Image):
        with pil_open(image) as opened:
            image = ImageOps.exif_transpose(opened) or opened
            image.load()
    grey = image.convert("L")
    return Fingerprint(str(imagehash.phash(grey)), str(imagehash.dhash(grey)))


def bits_apart(a: str, b: str) -> int:
    """Hamming distance of two hex hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def distances(a: Fingerprint, b: Fingerprint) -> tuple[int, int]:
    return bits_apart(a.phash, b.phash), bits_apart(a.dhash, b.dhash)


def is_near_duplicate(a: Fingerprint, b: Fingerprint, phash_max: int = PHASH_MAX,
                      dhash_max: int = DHASH_MAX) -> bool:
    p, d = distances(a, b)
    return p <= phash_max and d <= dhash_max


def add_fingerprints(nodes: list[BaseNode]) -> None:
    """Give each image node a `fingerprint` metadata entry ("phash:dhash") at ingest; an
    image that cannot be read gets none (it was already loaded, so this is rare)."""
    for node in nodes:
        image = node.metadata.get("image")
        if node.metadata.get("modality") != "image" or not image:
            continue
        try:
            node.metadata["fingerprint"] = fingerprint(image).as_text()
        except (OSError, ValueError) as exc:
            logger.warning("%s: no fingerprint (%s)", image, exc)
            continue
        for keys in (node.excluded_embed_metadata_keys, node.excluded_llm_metadata_keys):
            keys.append("fingerprint")
