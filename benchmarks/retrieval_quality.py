"""Dense vs lexical vs hybrid retrieval on the labelled error-code set (identifiers + Chinese).

Run: .venv/bin/python benchmarks/retrieval_quality.py [--json retrieval_quality.json]

Ingests examples/error-codes (69 look-alike troubleshooting articles: Windows HRESULTs, Chrome
net errors, errno names, Chinese messages) into a temporary store and runs its 138 labelled
queries (a user's phrasing and the bare code/message) in each retrieval mode. Also runs the
shipped screenshot set as a check that the identifier boost does not hurt elsewhere.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

import common

from pipelines.jobs.eval_score import first_hit_rank
from pipelines.jobs.jsonl import read_items
from pipelines.runner import Runner

ROOT = Path(__file__).resolve().parents[1]
SETS = {
    "error-codes": (ROOT / "examples/error-codes/error-codes.yaml",
                    ROOT / "examples/error-codes/queries.jsonl"),
    "error-screenshot-support": ("error-screenshot-support",
                                 ROOT / "examples/error-screenshot-support/queries/queries.jsonl"),
}
MODES = {
    "dense": {"retrieval.mode": "dense", "retrieval.translate": False},
    "hybrid, no translation": {"retrieval.translate": False},
    "lexical": {"retrieval.mode": "lexical"},
    "hybrid, no identifier boost": {"retrieval.identifier_boost": 0},
    "hybrid (default)": {},
}


def scores(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    return {"n": len(ranks),
            "recall@1": sum(1 for r in ranks if r == 1) / n,
            "recall@5": sum(1 for r in ranks if r and r <= 5) / n,
            "mrr": sum(1 / r for r in ranks if r) / n}


def run_set(name: str, config: Any, dataset: Path, store: Path) -> list[dict[str, Any]]:
    items = read_items(dataset)
    Runner.from_config(config, {"index.store.path": str(store)}).ingest()
    rows = []
    for mode, overrides in MODES.items():
        runner = Runner.from_config(config, {"index.store.path": str(store), **overrides})
        by_kind: dict[str, list[int | None]] = {}
        for item in items:
            hits = runner.query(item.question, item.images).sources
            rank = first_hit_rank([s.source for s in hits], [item.extra["expected"]])
            by_kind.setdefault("all", []).append(rank)
            by_kind.setdefault(str(item.extra.get("kind", "screenshot")), []).append(rank)
        rows += [{"set": name, "mode": mode, "queries": kind, **scores(ranks)}
                 for kind, ranks in by_kind.items()]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the rows as JSON")
    parser.add_argument("--sets", nargs="+", choices=list(SETS), default=list(SETS))
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sets:
            config, dataset = SETS[name]
            rows += run_set(name, config, dataset, Path(tmp) / name)
    common.print_table(
        ["set", "mode", "queries", "n", "recall@1", "recall@5", "MRR"],
        [[r["set"], r["mode"], r["queries"], r["n"], common.fmt(r["recall@1"]),
          common.fmt(r["recall@5"]), common.fmt(r["mrr"])] for r in rows])
    common.write_json(args.json, rows)


if __name__ == "__main__":
    main()
