"""Every shipped eval set under several retrieval settings, measured in one run.

Run: .venv/bin/python benchmarks/eval_sets.py [--work /tmp/mmrag-evalsets]
         [--pipelines error-screenshot-support,...] [--variants dense,default,...]
         [--variant NAME=key=value,key=value ...] [--json out.json]

Each pipeline is ingested once into `--work` (its own store, not the project's `.mmrag`), then
each of its sets (`queries.jsonl`, and `crosslang.jsonl` where present) is run through
`Runner.evaluate` once per variant. Rows: recall@1/@3/@5, MRR, answer checks, answerable
questions declined (and those with the right source first); the cross-language sets are also
broken down into cross-language / same-language items and their dev / test splits (settings
are chosen on dev only).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import common

from pipelines.runner import Runner

ROOT = Path(__file__).resolve().parents[1]
PIPELINES = ("error-screenshot-support", "math-question-from-photo", "lecture-video-qa")
VARIANTS: dict[str, dict[str, Any]] = {
    "dense": {"retrieval.mode": "dense", "retrieval.translate": False},
    "default": {},
}


def sets(pipeline: str) -> list[Path]:
    """The pipeline's eval sets: `queries.jsonl` first, then any others beside it."""
    folder = ROOT / "examples" / pipeline / "queries"
    return sorted(folder.glob("*.jsonl"), key=lambda p: (p.name != "queries.jsonl", p.name))


def labels(dataset: Path) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in map(json.loads, dataset.read_text().splitlines()) if row}


def summary(items: list[dict[str, Any]]) -> dict[str, float]:
    ranked = [i for i in items if i["expected"]]
    n = len(ranked) or 1
    out = {f"R@{k}": sum(1 for i in ranked if i["rank"] and i["rank"] <= k) / n
           for k in (1, 3, 5)}
    out["MRR"] = sum(1 / i["rank"] for i in ranked if i["rank"]) / n
    checked = [i for i in items if i["answer_contains"]]
    out["answers"] = f"{sum(1 for i in checked if i['answer_passed'])}/{len(checked)}"
    out["withheld"] = sum(1 for i in items if i["declined"])
    out["withheld@1"] = sum(1 for i in items if i["declined"] and i["rank"] == 1)
    out["n"] = len(items)
    return out


def breakdown(report_items: list[dict[str, Any]], meta: dict[str, dict[str, Any]]
              ) -> dict[str, list[dict[str, Any]]]:
    """Groups of report rows: all, and for labelled sets cross/same x dev/test."""
    groups: dict[str, list[dict[str, Any]]] = {"all": report_items}
    for item in report_items:
        label = meta.get(item["id"], {})
        if "cross" in label:
            lang = "cross" if label["cross"] else "same"
            groups.setdefault(lang, []).append(item)
            if "split" in label:
                groups.setdefault(f"{lang} {label['split']}", []).append(item)
    return groups


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    variants = {name: VARIANTS[name] for name in args.variants.split(",") if name}
    for spec in args.variant:
        name, _, sets_ = spec.partition("=")
        variants[name] = dict(pair.split("=", 1) for pair in sets_.split(",") if pair)
    rows = []
    for pipeline in args.pipelines.split(","):
        store = {"index.store.path": str(args.work / pipeline)}
        Runner.from_config(pipeline, store).ingest()
        for dataset in sets(pipeline):
            meta = labels(dataset)
            for name, overrides in variants.items():
                report = Runner.from_config(pipeline, {**store, **overrides}).evaluate(dataset)
                for group, items in breakdown(report.items, meta).items():
                    rows.append({"pipeline": pipeline, "set": dataset.stem, "group": group,
                                 "variant": name, **summary(items)})
                print(f"{pipeline} {dataset.stem} {name}: done", file=sys.stderr)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/mmrag-evalsets"))
    parser.add_argument("--pipelines", default=",".join(PIPELINES))
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--variant", action="append", default=[], metavar="NAME=K=V,K=V",
                        help="an extra variant: config overrides, comma-separated")
    parser.add_argument("--json", type=Path, metavar="OUT")
    args = parser.parse_args()
    rows = run(args)
    columns = ["pipeline", "set", "group", "variant", "n", "R@1", "R@3", "R@5", "MRR",
               "answers", "withheld", "withheld@1"]
    common.print_table(columns, [[r[c] if isinstance(r[c], str | int) else common.fmt(r[c])
                                  for c in columns] for r in rows])
    common.write_json(args.json, rows)


if __name__ == "__main__":
    main()
