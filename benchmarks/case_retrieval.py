"""Case retrieval on the two shipped case pipelines: case scoring and retrieval mode, one run.

Run: .venv/bin/python benchmarks/case_retrieval.py [--work /tmp/mmrag-cases]
         [--pipelines similar-case-retrieval,loan-document-review] [--json out.json]

Each pipeline is ingested once into `--work`, then its `queries/queries.jsonl` (query cases
with `expected_cases` and, for loans, `expected_duplicates`) is run through `Runner.evaluate`
under each variant: dense-only or hybrid (BM25 + dense, with the CC-CEDICT bridge) retrieval,
and a case scored by its best part (`case_scoring: max`) or by the sum of its parts'
reciprocal ranks (`rrf`). Rows: case recall@1/@3/@5 and MRR for all
items, the dev and test halves (settings are chosen on dev only), and the items asked in the
other language than the query case's history; near-duplicate precision/recall where labelled.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import common

from pipelines.jobs.eval_score import duplicate_metrics
from pipelines.runner import Runner

ROOT = Path(__file__).resolve().parents[1]
PIPELINES = ("similar-case-retrieval", "loan-document-review")
VARIANTS: dict[str, dict[str, Any]] = {  # explicit, so the rows mean the same whatever the
    # configs' defaults are (the shipped case configs use "dense, max", chosen on dev)
    "dense, max": {"retrieval.mode": "dense", "retrieval.translate": False,
                   "retrieval.case_scoring": "max"},
    "dense, rrf": {"retrieval.mode": "dense", "retrieval.translate": False,
                   "retrieval.case_scoring": "rrf"},
    "hybrid, max": {"retrieval.mode": "hybrid", "retrieval.translate": True,
                    "retrieval.case_scoring": "max"},
    "hybrid, rrf": {"retrieval.mode": "hybrid", "retrieval.translate": True,
                    "retrieval.case_scoring": "rrf"},
}


def groups(items: list[dict[str, Any]], meta: dict[str, dict[str, Any]]
           ) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {"all": items}
    for item in items:
        label = meta.get(item["id"], {})
        out.setdefault(label.get("split", "?"), []).append(item)
        if label.get("source_lang") not in (None, label.get("lang")):
            out.setdefault("other language", []).append(item)
    return out


def summary(items: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(items) or 1
    out: dict[str, Any] = {f"R@{k}": sum(1 for i in items if i["rank"] and i["rank"] <= k) / n
                           for k in (1, 3, 5)}
    out["MRR"] = sum(1 / i["rank"] for i in items if i["rank"]) / n
    dup = duplicate_metrics(items)
    out["dup P"] = dup.get("duplicates_precision", "")
    out["dup R"] = dup.get("duplicates_recall", "")
    out["n"] = len(items)
    return out


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = []
    for pipeline in args.pipelines.split(","):
        store = {"index.store.path": str(args.work / pipeline)}
        Runner.from_config(pipeline, store).ingest()
        dataset = ROOT / "examples" / pipeline / "queries" / "queries.jsonl"
        meta = {r["id"]: r for r in map(json.loads, dataset.read_text().splitlines()) if r}
        for name, overrides in VARIANTS.items():
            report = Runner.from_config(pipeline, {**store, **overrides}).evaluate(dataset)
            for group, items in groups(report.items, meta).items():
                rows.append({"pipeline": pipeline, "group": group, "variant": name,
                             **summary(items)})
            print(f"{pipeline} {name}: done", file=sys.stderr)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/mmrag-cases"))
    parser.add_argument("--pipelines", default=",".join(PIPELINES))
    parser.add_argument("--json", type=Path, metavar="OUT")
    args = parser.parse_args()
    rows = run(args)
    columns = ["pipeline", "group", "variant", "n", "R@1", "R@3", "R@5", "MRR", "dup P", "dup R"]
    common.print_table(columns, [[r[c] if isinstance(r[c], str | int) else common.fmt(r[c])
                                  for c in columns] for r in rows])
    common.write_json(args.json, rows)


if __name__ == "__main__":
    main()
