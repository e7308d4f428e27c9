"""Evaluation report files: report.json, report.md and PNG plots (matplotlib, Agg)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipelines.jobs.eval_score import KS, EvalReport, failure_line
from pipelines.query.location import short_path

RECALL_PNG = "recall_at_k.png"
LATENCY_PNG = "latency_hist.png"


def write_report(report: EvalReport, folder: Path) -> list[Path]:
    """Write report.json, report.md, recall_at_k.png and latency_hist.png into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "report.json", folder / "report.md", folder / RECALL_PNG,
             folder / LATENCY_PNG]
    paths[0].write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    paths[1].write_text(markdown(report), encoding="utf-8")
    plot_recall(report, paths[2])
    plot_latency(report, paths[3])
    return paths


def markdown(report: EvalReport) -> str:
    """A readable summary: metrics table, plots, per-item table, failures."""
    m = report.metrics
    rows = [("items", f"{m['items']:.0f} ({m['errors']:.0f} errors)")]
    rows += [(name, f"{m[name]:.3f}") for name in (*[f"recall@{k}" for k in KS], "mrr",
                                                   "ndcg@5") if name in m]
    if "answer_pass_rate" in m:
        rows.append(("answer checks", f"{m['answer_pass_rate']:.3f} "
                                      f"({m['answer_passed']:.0f}/{m['answer_checked']:.0f})"))
    rows += [("latency p50", f"{m['latency_p50_ms']:.0f} ms"),
             ("latency p95", f"{m['latency_p95_ms']:.0f} ms")]
    lines = [f"# Evaluation: {report.pipeline}", "", f"Dataset: `{short_path(report.dataset)}`, "
             f"top_k {report.top_k}.", "", "| metric | value |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    lines += ["", f"![recall@k]({RECALL_PNG})", f"![latency]({LATENCY_PNG})", "",
              "## Items", "", "| id | question | expected | rank | nDCG@5 | answer | ms | status |",
              "|---|---|---|---|---|---|---|---|"]
    lines += [_item_row(item) for item in report.items]
    failures = report.failures()
    lines += ["", f"## Failures ({len(failures)})", ""]
    lines += [f"- {_cell(failure_line(item), 300)}" for item in failures] or ["None."]
    return "\n".join(lines) + "\n"


def _item_row(item: dict[str, Any]) -> str:
    expected = ", ".join(Path(e).name for e in item["expected"])
    if item["expected_time"]:
        expected += " @ {:g}–{:g} s".format(*item["expected_time"])
    question = item["question"] + "".join(f" [{Path(i).name}]" for i in item["images"])
    check = {None: "", True: "pass", False: "fail"}[item["answer_passed"]]
    cells = [item["id"], _cell(question, 70), expected, item["rank"] or "–",
             "" if item["ndcg"] is None else f"{item['ndcg']:.2f}", check,
             "" if item["latency_ms"] is None else f"{item['latency_ms']:.0f}", item["status"]]
    return "| " + " | ".join(_cell(str(c)) for c in cells) + " |"


def _cell(text: str, limit: int = 120) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _figure() -> Any:
    """A matplotlib Figure drawn by the Agg canvas (no pyplot, no display, imported lazily)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def plot_recall(report: EvalReport, path: Path) -> None:
    """recall@k for k = 1..top_k, with the values written on the points."""
    curve = report.recall_curve()
    ks = list(range(1, len(curve) + 1))
    fig = _figure()
    ax = fig.add_subplot()
    ax.plot(ks, curve, marker="o", color="tab:blue")
    for k, value in zip(ks, curve, strict=True):
        ax.annotate(f"{value:.2f}", (k, value), textcoords="offset points", xytext=(0, -15),
                    ha="center", fontsize=9)
    ax.set(xlabel="k (sources retrieved)", ylabel="recall@k", ylim=(0, 1.05), xticks=ks,
           title=f"{report.pipeline}: recall@k ({len(report.items)} items)")
    ax.grid(alpha=0.3)
    fig.savefig(path)


def plot_latency(report: EvalReport, path: Path) -> None:
    """Histogram of per-item query latency (image and text-only queries stacked), p50/p95 marked."""
    from matplotlib.ticker import MaxNLocator

    timed = [i for i in report.items if i["latency_ms"] is not None]
    groups = {"with image": [i["latency_ms"] for i in timed if i["images"]],
              "text only": [i["latency_ms"] for i in timed if not i["images"]]}
    groups = {name: values for name, values in groups.items() if values}
    fig = _figure()
    ax = fig.add_subplot()
    if groups:
        ax.hist(list(groups.values()), bins=min(20, max(5, len(timed) // 2)), stacked=True,
                label=list(groups), color=["tab:orange", "tab:gray"][:len(groups)],
                edgecolor="white")
    for name, color in (("p50", "tab:blue"), ("p95", "tab:red")):
        value = report.metrics[f"latency_{name}_ms"]
        ax.axvline(value, color=color, linestyle="--", label=f"{name} {value:.0f} ms")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(xlabel="query latency (ms: OCR + retrieval + answer)", ylabel="items",
           title=f"{report.pipeline}: latency ({len(timed)} items)")
    ax.legend()
    fig.savefig(path)
