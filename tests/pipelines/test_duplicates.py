"""Near-duplicate fingerprints: an edited copy matches its original, another screenshot of
the same kind does not."""

from __future__ import annotations

import io

from PIL import Image

from pipelines.index.duplicates import Fingerprint, fingerprint, is_near_duplicate
from tests.conftest import EXAMPLES

SHOTS = EXAMPLES / "error-screenshot-support" / "queries"


def recompressed(image: Image.Image, quality: int, scale: float) -> Image.Image:
    buffer = io.BytesIO()
    small = image.convert("RGB").resize((int(image.width * scale), int(image.height * scale)))
    small.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue()))


def test_a_resized_recompressed_copy_matches_only_its_original() -> None:
    shots = sorted(SHOTS.glob("shot*.png"))[:12]
    prints = [fingerprint(p) for p in shots]
    with Image.open(shots[3]) as original:
        copy = fingerprint(recompressed(original, 30, 0.5))
    assert [is_near_duplicate(copy, p) for p in prints] == [i == 3 for i in range(len(shots))]


def test_fingerprint_text_round_trip() -> None:
    print_ = fingerprint(SHOTS / "shot01-pip-ssl.png")
    assert Fingerprint.from_text(print_.as_text()) == print_
    assert len(print_.phash) == len(print_.dhash) == 16
