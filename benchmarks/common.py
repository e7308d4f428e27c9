"""Shared helpers for the benchmark scripts: corpus location, CER, similarity, tables, JSON."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

try:  # optional C speed-up; the pure-Python fallbacks give the same numbers
    from rapidfuzz import fuzz as _fuzz
    from rapidfuzz.distance import Levenshtein as _Levenshtein
except ImportError:
    _fuzz = _Levenshtein = None

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
EDIT_DISTANCE_BACKEND = "rapidfuzz" if _Levenshtein else "bit-parallel Python (no rapidfuzz)"
_WS = re.compile(r"\s+")


def add_corpus_args(parser: argparse.ArgumentParser) -> None:
    """Add the `--corpus` and `--json` options every benchmark takes."""
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help=f"test corpus folder (default: {DEFAULT_CORPUS})")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the rows as JSON")


def corpus_root(path: Path) -> Path:
    """The corpus folder, or exit with a clear message when it is absent."""
    if not (path / "MANIFEST.md").is_file():
        sys.exit(f"test corpus not found at {path} (expected MANIFEST.md there); "
                 "pass --corpus PATH")
    return path


def no_space(text: str) -> str:
    """`text` with all whitespace removed."""
    return _WS.sub("", text)


def normalise_space(text: str) -> str:
    """`text` with runs of whitespace collapsed to one space, stripped."""
    return _WS.sub(" ", text).strip()


def _bit_vector_distance(pattern: str, text: str, anywhere: bool) -> int:
    """Myers/Hyyroe bit-parallel Levenshtein with Python ints as bit vectors.

    `anywhere=False`: distance between `pattern` and `text`; `anywhere=True`: smallest
    distance between `pattern` and any substring of `text`.
    """
    if not pattern:
        return 0 if anywhere else len(text)
    masks: dict[str, int] = {}
    for i, char in enumerate(pattern):
        masks[char] = masks.get(char, 0) | 1 << i
    full, top = (1 << len(pattern)) - 1, 1 << (len(pattern) - 1)
    pv, mv, score = full, 0, len(pattern)
    best = score
    for char in text:
        eq = masks.get(char, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph, mh = mv | ~(xh | pv), pv & xh
        score += 1 if ph & top else -1 if mh & top else 0
        best = min(best, score)
        ph, mh = ph << 1 | (0 if anywhere else 1), mh << 1
        pv, mv = (mh | ~(xv | ph)) & full, ph & xv & full
    return best if anywhere else score


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (unit costs): rapidfuzz when installed, else bit-parallel."""
    if _Levenshtein is not None:
        return _Levenshtein.distance(a, b)
    return _bit_vector_distance(a, b, anywhere=False)


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate with whitespace ignored: distance / reference length."""
    ref, hyp = no_space(reference), no_space(hypothesis)
    return edit_distance(ref, hyp) / max(1, len(ref))


def window_distance(needle: str, haystack: str) -> int:
    """Smallest edit distance between `needle` and any substring of `haystack`."""
    return _bit_vector_distance(needle, haystack, anywhere=True)


def line_cer(line: str, text: str) -> float:
    """CER of one ground-truth line against its best-matching window of `text`."""
    ref = no_space(line)
    return window_distance(ref, no_space(text)) / max(1, len(ref))


def lcs_length(a: str, b: str) -> int:
    """Length of the longest common subsequence (Allison-Dix bit-parallel)."""
    masks: dict[str, int] = {}
    for i, char in enumerate(a):
        masks[char] = masks.get(char, 0) | 1 << i
    full = (1 << len(a)) - 1
    v = full
    for char in b:
        u = v & masks.get(char, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - v.bit_count()


def similarity(a: str, b: str) -> float:
    """Indel similarity 0-1, 2*LCS / (len a + len b): rapidfuzz `fuzz.ratio` / 100."""
    if _fuzz is not None:
        return _fuzz.ratio(a, b) / 100
    return 2 * lcs_length(a, b) / (len(a) + len(b)) if a or b else 1.0


def fmt(value: float | None, digits: int = 3) -> str:
    """A number for a table cell; `n/a` for None."""
    return "n/a" if value is None else f"{value:.{digits}f}"


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a Markdown table with padded columns."""
    cells = [[str(c) for c in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    line = " | ".join

    print("| " + line(c.ljust(w) for c, w in zip(cells[0], widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells[1:]:
        print("| " + line(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


def write_json(path: Path | None, rows: list[dict[str, Any]], **extra: Any) -> None:
    """Write `{"rows": rows, **extra}` to `path` (UTF-8, indented) when a path is given."""
    if path is None:
        return
    payload = {**extra, "rows": rows}
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}")
