"""Time-overlap hit rate of the lecture eval set by kind of question (cross-checks mmrag eval).

A hit is a cited source that is the expected video and whose [start, end] overlaps the item's
`expected_time`; "video only" ignores the time. Kinds: questions answered by a subtitle cue,
by a slide only (found through the frame's OCR), asked with a slide image, and asked in the
other language than the lecture's.

Run (from the repository root, after `mmrag ingest lecture-video-qa`):
    .venv/bin/python examples/lecture-video-qa/time_hits.py [--set index.store.path=DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from pipelines.jobs.eval_score import source_matches  # noqa: E402
from pipelines.jobs.jsonl import read_items  # noqa: E402
from pipelines.runner import Runner  # noqa: E402


def kind(item_id: str, span: list[float], images: list[str]) -> str:
    if images:
        return "slide image"
    if item_id.startswith("x"):
        return "cross-lingual"
    return "slide only" if span[1] - span[0] == 20 and span[0] % 20 == 0 else "subtitle cue"


def ranks(sources: list, expected: str, span: list[float]) -> tuple[int | None, int | None]:
    """1-based rank of the first source in the right video at the right time, and in the video."""
    video = None
    for rank, src in enumerate(sources, start=1):
        if not source_matches(src.source, expected):
            continue
        video = video or rank
        if src.start is not None and src.start < span[1] and (src.end or src.start) > span[0]:
            return rank, video
    return None, video


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    overrides = dict(pair.split("=", 1) for pair in args.set)
    runner = Runner.from_config("lecture-video-qa", overrides)
    rows = []
    for item in read_items(HERE / "queries" / "queries.jsonl"):
        span = item.extra["expected_time"]
        answer = runner.query(item.question, item.images)
        timed, video = ranks(answer.sources, item.extra["expected"], span)
        rows.append((kind(item.id, span, item.images), timed, video))
        if timed != 1:
            print(f"  {item.id}: time rank {timed}, video rank {video}, top "
                  f"{answer.sources[0].label() if answer.sources else '-'}")
    print(f"{'kind':<14} {'n':>3} {'hit@1':>6} {'hit@3':>6} {'hit@5':>6} {'mrr':>6} {'video@1':>8}")
    for name in ("all", "subtitle cue", "slide only", "slide image", "cross-lingual"):
        part = [r for r in rows if name in ("all", r[0])]
        n = len(part) or 1
        at = [sum(1 for _, t, _ in part if t and t <= k) / n for k in (1, 3, 5)]
        mrr = sum(1 / t for _, t, _ in part if t) / n
        video = sum(1 for *_, v in part if v == 1) / n
        print(f"{name:<14} {len(part):>3} {at[0]:>6.3f} {at[1]:>6.3f} {at[2]:>6.3f} "
              f"{mrr:>6.3f} {video:>8.3f}")


if __name__ == "__main__":
    main()
