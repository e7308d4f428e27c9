"""Page-level retrieval and answer decisions on the MMLongBench-Doc dev split, beside a naive
baseline measured in the same run.

Run: .venv/bin/python benchmarks/mmlongbench.py [--work /tmp/mmlongbench] [--data DIR]
         [--systems naive,dense,default] [--set key.path=value ...]
         [--variant NAME=key=value,key=value ...] [--json out.json]

`--work` holds what this builds (never the project): the pipeline config and eval sets made
by `mmlongbench_data.prepare`, mmrag's index of the 34 PDFs (ingested the first time, then
incremental), and the naive baseline's page vectors. Every question is asked about its own
document (`where` on it). Systems:

- `naive`: each page's pypdfium2 text layer, one e5 vector per page (e5 reads the first 512
  tokens), the document's top-5 pages by cosine; it never declines.
- `dense`: the mmrag pipeline with `retrieval.mode: dense`.
- `default`: the mmrag pipeline as configured (hybrid), plus any `--set`.
- each `--variant NAME=...`: the default with those overrides too, measured in the same run.

Metrics, over answerable questions with gold pages unless said: page recall@1/@5 and MRR (a
hit is a passage of the document on a gold page); `ans@5`, the share of Str/Int/Float
questions whose gold answer string appears in the top-5 evidence texts; `declined`, the share
of unanswerable questions the answerer declined; `in answer`, the share of Str/Int/Float
questions whose gold answer string is in the (extractive) answer; `withheld`, the share of
answerable ones it declined. Broken down by split (documents used to choose settings vs held
out), evidence kind, document type and text layer; `p50 ms` is the median of a typed question
end to end (retrieve + answer) in the mmrag systems.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

import common
import numpy as np
from mmlongbench_data import DEFAULT_DATA, prepare

from pipelines.jobs.eval_score import answer_missing
from pipelines.runner import Runner

SYSTEMS = ("naive", "dense", "default")
NOT_NAIVE = ("in answer", "declined", "withheld", "p50 ms")  # the baseline has no answerer
TOP = 5


def page_texts(pdf_path: Path) -> list[str]:
    """The text layer of every page (empty for image-only pages)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(pdf_path)
    try:
        texts = []
        for page in pdf:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_bounded().strip())
            textpage.close()
            page.close()
        return texts
    finally:
        pdf.close()


def naive_rows(runner: Runner, data: Path, work: Path, items: list[dict[str, Any]]
               ) -> list[dict[str, Any]]:
    """The naive baseline: one e5 vector per page, top-5 pages of the item's document."""
    embed = runner.index.embed_model
    cache = work / "naive"
    cache.mkdir(exist_ok=True)
    pages: dict[str, tuple[list[str], np.ndarray]] = {}
    rows = []
    for item in items:
        doc = item["doc_id"]
        if doc not in pages:
            texts = page_texts(data / "documents" / doc)
            file = cache / f"{doc}.npy"
            if file.is_file():
                vectors = np.load(file)
            else:
                vectors = np.asarray(embed.get_text_embedding_batch(
                    [t or " " for t in texts]), dtype=np.float32)
                np.save(file, vectors)
            pages[doc] = (texts, vectors)
        texts, vectors = pages[doc]
        scores = vectors @ np.asarray(embed.get_query_embedding(item["question"]))
        top = [int(i) + 1 for i in np.argsort(-scores)[:TOP]]
        rows.append(_row(item, top, [texts[p - 1] for p in top], declined=False))
    return rows


def _row(item: dict[str, Any], pages: list[int | None], texts: list[str], declined: bool,
         latency_ms: float | None = None) -> dict[str, Any]:
    gold = item.get("expected_pages") or []
    rank = next((n for n, p in enumerate(pages, start=1) if p in gold), None)
    wanted = item.get("evidence_contains")
    return {"id": item["id"], "rank": rank if gold else None, "has_pages": bool(gold),
            "ans": (not answer_missing("\n".join(texts[:TOP]), [wanted])) if wanted else None,
            "in_answer": None,
            "unanswerable": bool(item.get("expect_decline")), "declined": declined,
            "latency_ms": latency_ms}


def mmrag_rows(runner: Runner, dataset: Path, items: list[dict[str, Any]]
               ) -> list[dict[str, Any]]:
    """The pipeline through `Runner.evaluate` (the code behind `mmrag eval`)."""
    report = runner.evaluate(dataset)
    by_id = {i["id"]: i for i in items}
    # the eval already scored page hits and checked the answer string in the top-5 texts
    return [{"id": got["id"], "has_pages": bool(by_id[got["id"]].get("expected_pages")),
             "rank": got["rank"] if by_id[got["id"]].get("expected_pages") else None,
             "ans": got["evidence_passed"], "in_answer": got["answer_passed"],
             "unanswerable": bool(by_id[got["id"]].get("expect_decline")),
             "declined": got["declined"], "latency_ms": got["latency_ms"], "error": got["error"]}
            for got in report.items]


def metrics(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    """The table's columns for one group of rows."""
    ranked = [r for r in rows if r["has_pages"]]
    checked = [r for r in rows if r["ans"] is not None]
    answered = [r for r in rows if r["in_answer"] is not None]
    unanswerable = [r for r in rows if r["unanswerable"]]
    answerable = [r for r in rows if not r["unanswerable"]]
    latencies = [r["latency_ms"] for r in rows if r["latency_ms"] is not None]

    def share(group: list[dict[str, Any]], test: Any) -> float | None:
        return sum(1 for r in group if test(r)) / len(group) if group else None

    return {
        "n": len(ranked), "R@1": share(ranked, lambda r: r["rank"] == 1),
        "R@5": share(ranked, lambda r: r["rank"] is not None and r["rank"] <= TOP),
        "MRR": sum(1 / r["rank"] for r in ranked if r["rank"]) / len(ranked) if ranked else None,
        "ans@5": share(checked, lambda r: r["ans"]),
        "in answer": share(answered, lambda r: r["in_answer"]),
        "declined": share(unanswerable, lambda r: r["declined"]),
        "withheld": share(answerable, lambda r: r["declined"]),
        "p50 ms": statistics.median(latencies) if latencies else None,
    }


def groups(items: list[dict[str, Any]]) -> list[tuple[str, set[str]]]:
    """(label, item ids) for every breakdown row."""
    out: list[tuple[str, set[str]]] = [("all", {i["id"] for i in items})]

    def add(prefix: str, key: Any) -> None:
        values: dict[str, set[str]] = {}
        for item in items:
            for value in key(item):
                values.setdefault(value, set()).add(item["id"])
        out.extend((f"{prefix}{v}", ids) for v, ids in sorted(values.items()))

    add("split: ", lambda i: [i["split"]])
    add("pdf: ", lambda i: ["image-only decks" if i["image_only"] else "text layer"])
    add("evidence: ", lambda i: i["evidence_kinds"] if not i.get("expect_decline") else [])
    add("type: ", lambda i: [i["doc_type"]])
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    paths = prepare(args.data, args.work)
    items = [json.loads(line) for line in paths["dev"].read_text().splitlines()]
    systems = [s for s in args.systems.split(",") if s]
    overrides = {"default": list(args.set), "dense": [*args.set, "retrieval.mode=dense",
                                                          "retrieval.translate=false"]}
    for spec in args.variant:
        name, _, sets_ = spec.partition("=")
        overrides[name] = [*args.set, *(pair for pair in sets_.split(",") if pair)]
        systems.append(name)
    runner = Runner.from_config(paths["config"], overrides["default"])
    if not args.no_ingest:
        summary = runner.ingest(workers=args.workers)
        print(f"ingest: {summary}", file=sys.stderr)
    results: dict[str, list[dict[str, Any]]] = {}
    for name in systems:
        if name == "naive":
            results[name] = naive_rows(runner, args.data, args.work, items)
        else:
            system = Runner.from_config(paths["config"], overrides[name])
            results[name] = mmrag_rows(system, paths["dev"], items)
    table = []
    for label, ids in groups(items):
        row: dict[str, Any] = {"group": label}
        for name, rows in results.items():
            row[name] = metrics([r for r in rows if r["id"] in ids])
        table.append(row)
    return {"systems": systems, "overrides": list(args.set), "table": table,
            "rows": results}


def print_report(result: dict[str, Any]) -> None:
    columns = ("R@1", "R@5", "MRR", "ans@5", "in answer", "declined", "withheld", "p50 ms")
    headers = ["group", "n"] + [f"{s} {c}" for s in result["systems"] for c in columns
                                if not (s == "naive" and c in NOT_NAIVE)]
    rows = []
    for row in result["table"]:
        first = row[result["systems"][0]]
        cells: list[Any] = [row["group"], first["n"]]
        for s in result["systems"]:
            cells += [common.fmt(row[s][c], 0 if c == "p50 ms" else 3) for c in columns
                      if not (s == "naive" and c in NOT_NAIVE)]
        rows.append(cells)
    common.print_table(headers, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--work", type=Path, default=Path("/tmp/mmlongbench"))
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="config override for the mmrag systems (repeatable)")
    parser.add_argument("--variant", action="append", default=[], metavar="NAME=K=V,K=V",
                        help="another mmrag system: the default plus these overrides")
    parser.add_argument("--workers", type=int, default=None, help="ingest worker processes")
    parser.add_argument("--no-ingest", action="store_true", help="use the index as it is")
    parser.add_argument("--json", type=Path, metavar="OUT")
    args = parser.parse_args()
    args.data, args.work = args.data.resolve(), args.work.resolve()
    result = run(args)
    print_report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
