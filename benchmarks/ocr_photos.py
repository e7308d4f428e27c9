"""OCR of the shipped query photos and screenshots: engine policies side by side in one run.

Sets and their known text (never typed here):
- `math`: examples/math-question-from-photo/queries/*.jpg, the heading and problem lines of
  `make_samples.SAMPLES` (each photo is generated from them);
- `support`: examples/error-screenshot-support/queries/*.png, the `ocr_key` of queries.jsonl;
- `lecture`: examples/lecture-video-qa/queries, slide photos (.jpg) and crops (.png), the
  slide text of `script.yaml`, cut to the crop box as `make_samples.render_slide` lays it out.

Policies: `before` = the v10 rule (Tesseract; RapidOCR only when Tesseract's reading is weak,
the reading with more confident characters wins), `after` = the pipeline's `Ocr` (engine
chosen per image, `Ocr.choose`), `tesseract` and `rapidocr` = one engine alone.

Numbers: CER = edit distance / length of the known text, whitespace ignored, NFKC-folded
(support: CER of the key text against its best-matching window). The key line is the problem
line with the most digits and operators (its item number not counted); it is read when its
best-window CER is at most 0.2 (support: the `ocr_key` read exactly, as in ocr_latency.py).
"lines" counts every problem / slide line read that way. Seconds are per image, no cache,
models loaded before timing, the policies run one after the other on each image.

Run: MMRAG_CACHE_DIR=/tmp/ocr-cache .venv/bin/python benchmarks/ocr_photos.py
     [--sets math support lecture] [--policies before after tesseract rapidocr] [--json OUT]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import statistics
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import common  # noqa: E402
from loaders.ocr import CJK_LANGS, Ocr, OcrResult, clean_text, open_image, weak  # noqa: E402
from loaders.preprocess import looks_like_photo  # noqa: E402
from loaders.tesseract import score  # noqa: E402

EXAMPLES = ROOT / "examples"
LANGS = ["eng", "chi_sim"]
POLICIES = ["before", "after", "tesseract", "rapidocr"]
RECOVERED = 0.2
_OPERATORS = set("=+-−<>^/×÷≤≥≠⇔→|Σ²")
_ITEM = re.compile(r"^\s*\d+\.\s")
# Slide layout of examples/lecture-video-qa/make_samples.py (render_slide): baseline y, size.
SLIDE_HEIGHT, TITLE, FIRST_LINE, LINE_STEP, FOOTER = 540, (64, 38), (170, 32), 72, (518, 20)


class BeforeOcr(Ocr):
    """The v10 engine rule, kept for before/after numbers: Tesseract reads every image and
    RapidOCR only those read weakly; the reading with more confident characters wins."""

    def settings(self) -> str:
        return super().settings() + ":before"

    def image(self, img: Image.Image) -> OcrResult:
        text, conf, words = self._engine.recognize(img)
        engine = self.engine_name
        if self._rapid is not None and weak(words):
            other = self._rapid.recognize(img)
            if score(other[2]) > score(words):
                (text, conf, words), engine = other, "rapidocr"
        return OcrResult(clean_text(text), round(conf, 1), [(w, round(c, 1)) for w, c in words],
                         engine)


def make_ocr(policy: str, langs: list[str], cache: Path | None = None) -> Ocr:
    """One warmed-up `Ocr` for a policy (model loading is not timed per image).

    `run` calls `Ocr.image`, which never caches; `cache` only matters for `image_file`.
    """
    if policy == "before":
        ocr: Ocr = BeforeOcr("tesseract", langs, cache_dir=cache,
                             fallback=any(lang in CJK_LANGS for lang in langs))
    elif policy == "after":
        ocr = Ocr("tesseract", langs, cache_dir=cache)
    else:
        ocr = Ocr(policy, langs, cache_dir=cache, fallback=False)
    blank = Image.new("L", (200, 60), 255)
    ocr.image(blank)
    if ocr._rapid is not None:
        ocr._rapid.lines(blank)
    return ocr


@dataclass
class Item:
    """One image with its known text."""

    set: str
    path: Path
    truth: str  # whole known text ("" for screenshots: only the key is known)
    key: str
    lines: list[str] = field(default_factory=list)  # problem / slide lines
    exact_key: bool = False


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def key_line(lines: list[str]) -> str:
    """The line with the most digits and operators, its item number ("8.") not counted."""
    def weight(line: str) -> int:
        body = _ITEM.sub("", line)
        return sum(c.isdigit() or c in _OPERATORS for c in body)
    return max(lines, key=weight)


def _module(path: Path):  # noqa: ANN202
    spec = importlib.util.spec_from_file_location(f"samples_{path.parent.name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def math_items() -> list[Item]:
    folder = EXAMPLES / "math-question-from-photo"
    items = []
    for sample in _module(folder / "make_samples.py").SAMPLES:
        lines = [line.strip() for line in sample.lines]
        items.append(Item("math", folder / "queries" / sample.image,
                          "\n".join([sample.heading, *lines]), key_line(lines), lines))
    return items


def support_items() -> list[Item]:
    folder = EXAMPLES / "error-screenshot-support/queries"
    rows = [json.loads(line) for line in (folder / "queries.jsonl").read_text().splitlines()
            if line.strip()]
    return [Item("support", folder / row["image"], "", row["ocr_key"], exact_key=True)
            for row in rows if row.get("image") and row.get("ocr_key")]


def _visible(baseline: int, size: int, top: float, bottom: float) -> bool:
    return baseline - 0.75 * size >= top - 1 and baseline - 0.25 * size <= bottom


def lecture_items() -> list[Item]:
    folder = EXAMPLES / "lecture-video-qa"
    script = yaml.safe_load((folder / "script.yaml").read_text(encoding="utf-8"))
    items = []
    for query in script["queries"]:
        shot = query.get("shot")
        if not shot:
            continue
        lecture = script["lectures"][query["at"][0] - 1]
        number, slides = query["at"][1], lecture["slides"]
        slide = slides[number - 1]
        box = shot.get("box", [0, 0, 1, 1]) if shot["style"] == "crop" else [0, 0, 1, 1]
        top, bottom = box[1] * SLIDE_HEIGHT, box[3] * SLIDE_HEIGHT
        lines = [line for i, line in enumerate(slide["lines"])
                 if _visible(FIRST_LINE[0] + i * LINE_STEP, FIRST_LINE[1], top, bottom)]
        text = ([slide["title"]] if _visible(*TITLE, top, bottom) else []) + lines
        if _visible(*FOOTER, top, bottom):
            text += [lecture["footer"], f"{number} / {len(slides)}"]
        suffix = ".jpg" if shot["style"] == "photo" else ".png"
        items.append(Item("lecture", folder / "queries" / f"{query['id']}{suffix}",
                          "\n".join(text), key_line(lines), lines))
    return items


SETS = {"math": math_items, "support": support_items, "lecture": lecture_items}


def line_read(line: str, text: str) -> bool:
    return common.line_cer(fold(line), fold(text)) <= RECOVERED


def evaluate(item: Item, text: str) -> dict:
    """CER, key read and lines read of one reading."""
    if item.exact_key:
        key_ok = common.no_space(item.key).lower() in common.no_space(text).lower()
        cer = common.line_cer(fold(item.key), fold(text))
    else:
        key_ok, cer = line_read(item.key, text), common.cer(fold(item.truth), fold(text))
    return {"cer": cer, "key": key_ok, "lines": sum(line_read(line, text) for line in item.lines)}


def run(items: list[Item], policies: dict[str, Ocr]) -> list[dict]:
    rows = []
    for item in items:
        img = open_image(item.path)
        row = {"set": item.set, "image": item.path.name, "photo": looks_like_photo(img),
               "key": item.key, "n_lines": len(item.lines), "results": {}}
        for name, ocr in policies.items():
            started = time.perf_counter()
            result = ocr.image(img)
            seconds = time.perf_counter() - started
            row["results"][name] = {**evaluate(item, result.text), "seconds": seconds,
                                    "engine": result.engine, "text": result.text}
        rows.append(row)
        print(f"  done {item.path.name}", file=sys.stderr, flush=True)
    return rows


def summary(rows: list[dict], names: list[str]) -> list[list[str]]:
    """One table row per set and policy."""
    table = []
    for name in SETS:
        picked = [r for r in rows if r["set"] == name]
        for policy in names if picked else []:
            res = [r["results"][policy] for r in picked]
            times = sorted(r["seconds"] for r in res)
            n_lines = sum(r["n_lines"] for r in picked)
            table.append([name, policy, len(picked), common.fmt(statistics.mean(
                r["cer"] for r in res)), f"{sum(r['key'] for r in res)}/{len(res)}",
                f"{sum(r['lines'] for r in res)}/{n_lines}" if n_lines else "-",
                common.fmt(statistics.median(times), 2),
                common.fmt(times[min(len(times) - 1, int(0.95 * len(times)))], 2),
                " ".join(f"{e}:{n}" for e, n in sorted(_engines(res).items()))])
    return table


def _engines(results: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in results:
        counts[r["engine"]] = counts.get(r["engine"], 0) + 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", nargs="+", choices=list(SETS), default=list(SETS))
    parser.add_argument("--policies", nargs="+", choices=POLICIES, default=POLICIES)
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the rows as JSON")
    args = parser.parse_args()
    items = [item for name in args.sets for item in SETS[name]()]
    policies = {name: make_ocr(name, LANGS) for name in args.policies}
    rows = run(items, policies)
    per_image = [[r["set"], r["image"], "photo" if r["photo"] else "screen", *[
        f"{common.fmt(r['results'][p]['cer'])} {'y' if r['results'][p]['key'] else 'n'} "
        f"{r['results'][p]['seconds']:.2f}s {r['results'][p]['engine'][:4]}"
        for p in args.policies]] for r in rows]
    common.print_table(["set", "image", "kind", *[f"{p}: CER key s engine"
                                                  for p in args.policies]], per_image)
    print()
    common.print_table(["set", "policy", "images", "mean CER", "key line read", "lines read",
                        "p50 s", "p95 s", "engines"], summary(rows, args.policies))
    common.write_json(args.json, rows, policies=args.policies, langs=LANGS)


if __name__ == "__main__":
    main()
