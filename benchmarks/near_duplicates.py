"""Near-duplicate image matching: how often an edited copy of an image is matched to its
original (recall) and how often to another image (precision), per edit and hash rule.

Originals: the project's query images (screenshots, worksheet photos, lecture frames) and,
when present, ../shared/corpus's OCR images — many look alike (terminal screenshots, the
same worksheet layout), as ID cards of one template do. Each gets edited copies: JPEG
re-compression, downscaling, crops, a slight rotation, a brightness change. Originals are
split in two halves by position: thresholds are chosen on the tune half (best F1) and
reported on the held-out half. `pipelines/index/duplicates.py` uses the rule and thresholds that
won here.

    .venv/bin/python benchmarks/near_duplicates.py [--json out.json]
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageEnhance, ImageOps  # noqa: E402

from benchmarks.common import print_table, write_json  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"


def originals() -> list[Path]:
    found = sorted(p for p in (ROOT / "examples").rglob("queries/**/*")
                   if p.suffix.lower() in (".png", ".jpg", ".jpeg"))
    if CORPUS.is_dir():
        found += sorted(p for p in CORPUS.rglob("*") if p.suffix.lower() in (".png", ".jpg"))
    return found


def jpeg(img: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    img.convert("RGB").save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue()))


def crop(img: Image.Image, share: float, sides: str) -> Image.Image:
    w, h = img.size
    dx, dy = int(w * share), int(h * share)
    box = (dx, dy, w - dx, h - dy) if sides == "all" else (0, 0, w - dx, h)
    return img.crop(box)


EDITS = {
    "jpeg q40": lambda im: jpeg(im, 40),
    "jpeg q15": lambda im: jpeg(im, 15),
    "resize 50%": lambda im: im.resize((im.width // 2, im.height // 2)),
    "resize 25%": lambda im: im.resize((max(1, im.width // 4), max(1, im.height // 4))),
    "crop 5% all sides": lambda im: crop(im, 0.05, "all"),
    "crop 10% right": lambda im: crop(im, 0.10, "right"),
    "rotate 2°": lambda im: im.convert("RGB").rotate(2, expand=False, fillcolor="white"),
    "brighter + jpeg q60": lambda im: jpeg(ImageEnhance.Brightness(im.convert("RGB"))
                                           .enhance(1.25), 60),
}


def hashes(img: Image.Image) -> dict[str, object]:
    import imagehash

    grey = img.convert("L")
    return {"phash": imagehash.phash(grey), "dhash": imagehash.dhash(grey),
            "whash": imagehash.whash(grey)}


RULES = {  # name -> (distance function of two hash dicts, thresholds to try)
    "phash": (lambda a, b: a["phash"] - b["phash"], range(0, 33, 2)),
    "dhash": (lambda a, b: a["dhash"] - b["dhash"], range(0, 33, 2)),
    "whash": (lambda a, b: a["whash"] - b["whash"], range(0, 33, 2)),
    "phash and dhash": (lambda a, b: max(a["phash"] - b["phash"],
                                         (a["dhash"] - b["dhash"]) * 3 // 4), range(0, 33, 2)),
}


def score(pairs: list[tuple[int, str, list[int]]], threshold: int) -> dict[str, float]:
    """pairs: (original index, edit, distance to every original in the half)."""
    tp = fp = 0
    for index, _, row in pairs:
        tp += row[index] <= threshold
        fp += sum(1 for j, d in enumerate(row) if j != index and d <= threshold)
    recall = tp / len(pairs) if pairs else 0.0
    precision = tp / (tp + fp) if tp + fp else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    paths = originals()
    halves = {"tune": paths[0::2], "held-out": paths[1::2]}
    data: dict[str, tuple[list[dict], list[tuple[int, str, dict]]]] = {}
    for half, files in halves.items():
        base = []
        edited = []
        for i, path in enumerate(files):
            with Image.open(path) as opened:
                img = ImageOps.exif_transpose(opened) or opened
                img.load()
            base.append(hashes(img))
            edited += [(i, name, hashes(edit(img))) for name, edit in EDITS.items()]
        data[half] = (base, edited)
    print(f"{len(paths)} originals ({len(halves['tune'])} tune, {len(halves['held-out'])} "
          f"held-out), {len(EDITS)} edits each")
    rows = []
    for rule, (dist, thresholds) in RULES.items():
        tune_base, tune_edits = data["tune"]
        tune_pairs = [(i, e, [dist(h, b) for b in tune_base]) for i, e, h in tune_edits]
        best = max(thresholds, key=lambda t: (score(tune_pairs, t)["f1"], -t))
        held_base, held_edits = data["held-out"]
        held_pairs = [(i, e, [dist(h, b) for b in held_base]) for i, e, h in held_edits]
        row = {"rule": rule, "threshold": best, "tune": score(tune_pairs, best),
               "held_out": score(held_pairs, best),
               "by_edit": {e: score([p for p in held_pairs if p[1] == e], best)["recall"]
                           for e in EDITS}}
        # distinct originals of the held-out half matched to each other at this threshold
        row["distinct_pairs_matched"] = sum(
            1 for a in range(len(held_base)) for b in range(a + 1, len(held_base))
            if dist(held_base[a], held_base[b]) <= best)
        rows.append(row)
    print_table(["rule", "threshold", "tune P/R", "held-out P/R", "held-out F1",
                 "distinct pairs matched"],
                [[r["rule"], r["threshold"],
                  f"{r['tune']['precision']:.3f} / {r['tune']['recall']:.3f}",
                  f"{r['held_out']['precision']:.3f} / {r['held_out']['recall']:.3f}",
                  r["held_out"]["f1"], r["distinct_pairs_matched"]] for r in rows])
    print("\nheld-out recall by edit:")
    print_table(["rule", *EDITS], [[r["rule"], *r["by_edit"].values()] for r in rows])
    write_json(args.json, rows)


if __name__ == "__main__":
    main()
