"""The eval stage: every shipped eval set in full, checked against the figures docs/evaluation.md
prints (the tables between `<!-- eval-figures: NAME -->` and `<!-- /eval-figures -->`).

Tolerance: each recall@1/@3/@5 figure may differ from the measured one by at most one item
of its group (1/n, plus 0.0005 for the page's rounding to three decimals); the item
counts must match exactly. Run alone with `make test-eval` (`pytest -m eval`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.eval

FIGURES = ROOT / "docs" / "evaluation.md"  # the page that prints the measured figures
PIPELINES = {"support": "error-screenshot-support", "math": "math-question-from-photo",
             "lecture": "lecture-video-qa"}
COLUMNS = {"dense-only": "dense", "hybrid, no translation": "no-translation",
           "default": "default"}
# their case-level figures are on docs/cases.md (tests/pipelines/test_case_eval.py)
CASE_PIPELINES = ("similar-case-retrieval", "loan-document-review")
GROUPS = {"": "all", "cross-language": "cross", "cross-language, test half": "cross test",
          "same language": "same"}


def readme_table(name: str) -> list[dict[str, str]]:
    """The rows of the table marked `name`, as {header: cell}."""
    text = FIGURES.read_text(encoding="utf-8")
    found = re.search(rf"<!-- eval-figures: {name}\b[^>]*-->\n(.*?)<!-- /eval-figures -->",
                      text, re.S)
    assert found, f"{FIGURES.name} has no table marked <!-- eval-figures: {name} -->"
    lines = [line.strip().strip("|").split("|") for line in found.group(1).splitlines()]
    header = [cell.strip() for cell in lines[0]]
    return [dict(zip(header, (cell.strip() for cell in row), strict=True))
            for row in lines[2:]]


def row_key(label: str) -> tuple[str, str]:
    """(pipeline, group) of a row label: `` `lecture-video-qa` `` or 'math, same language'."""
    label = label.strip("`")
    if label in PIPELINES.values():
        return label, "all"
    short, _, group = label.partition(", ")
    return PIPELINES[short], GROUPS[group]


def variant(header: str) -> str | None:
    return next((v for prefix, v in COLUMNS.items() if header.startswith(prefix)), None)


def groups(items: list[dict[str, Any]], dataset: str) -> dict[str, list[dict[str, Any]]]:
    """Report rows by the tables' groups: all; cross / same language; their test halves."""
    lines = Path(dataset).read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    labels = {row["id"]: row for row in rows}
    out: dict[str, list[dict[str, Any]]] = {"all": items}
    for item in items:
        label = labels[item["id"]]
        if "cross" in label:
            lang = "cross" if label["cross"] else "same"
            out.setdefault(lang, []).append(item)
            out.setdefault(f"{lang} {label.get('split')}", []).append(item)
    return out


def recalls(items: list[dict[str, Any]]) -> list[float]:
    ranked = [i for i in items if i["expected"]]
    return [sum(1 for i in ranked if i["rank"] and i["rank"] <= k) / len(ranked)
            for k in (1, 3, 5)]


def cases() -> list[tuple[str, str, str, str]]:
    """(set, pipeline, group, variant) for every figure cell of the two tables."""
    out = []
    for name in ("queries", "crosslang"):
        for row in readme_table(name):
            pipeline, group = row_key(row["set"])
            out += [(name, pipeline, group, v) for header in row if (v := variant(header))]
    return out


def readme_figures(name: str, pipeline: str, group: str, wanted: str) -> tuple[int, list[float]]:
    """The item count and R@1/@3/@5 docs/evaluation.md prints for one cell."""
    for row in readme_table(name):
        if row_key(row["set"]) == (pipeline, group):
            cell = next(v for h, v in row.items() if variant(h) == wanted)
            return int(row["items"].split()[0]), [float(x) for x in cell.split("/")]
    raise AssertionError(f"no docs/evaluation.md row for {pipeline} {group}")


def test_the_readme_tables_cover_every_shipped_set() -> None:
    covered = {(name, pipeline) for name, pipeline, _, _ in cases()}
    shipped = {(path.stem, path.parent.parent.name)
               for path in EXAMPLES.glob("*/queries/*.jsonl")
               if path.parent.parent.name not in CASE_PIPELINES}
    assert shipped <= covered, shipped - covered
    assert len(cases()) >= 3 * (3 + 9)


@pytest.mark.parametrize(("name", "pipeline", "group", "wanted"), cases())
def test_readme_figures_match_a_full_run(name: str, pipeline: str, group: str, wanted: str,
                                         eval_report) -> None:
    report = eval_report(pipeline, name, wanted)
    assert report.metrics["errors"] == 0, report.text()
    items = groups(report.items, str(EXAMPLES / pipeline / "queries" / f"{name}.jsonl"))[group]
    count, printed = readme_figures(name, pipeline, group, wanted)
    measured = recalls(items)
    assert len(items) == count
    tolerance = 1 / len([i for i in items if i["expected"]]) + 0.0005
    assert all(abs(p - m) <= tolerance for p, m in zip(printed, measured, strict=True)), (
        f"docs/evaluation.md {pipeline} {name} {group} {wanted}: R@1/3/5 {printed}, measured "
        + " / ".join(f"{m:.3f}" for m in measured))


def test_readme_eval_output_example_matches_a_full_run(eval_report) -> None:
    """The `mmrag eval` output docs/evaluation.md shows (marked `eval-output: PIPELINE`): its
    recall@k, MRR and answer checks, same tolerance (one item)."""
    text = FIGURES.read_text(encoding="utf-8")
    found = re.search(r"<!-- eval-output: (\S+) -->\n```\n(.*?)```", text, re.S)
    assert found, f"{FIGURES.name} has no example marked <!-- eval-output: PIPELINE -->"
    pipeline, shown = found.groups()
    metrics = eval_report(pipeline, "queries", "default").metrics
    n = metrics["items"]
    assert f"eval {pipeline}: {n:.0f} items, {metrics['errors']:.0f} errors" in shown
    for key in ("recall@1", "recall@3", "recall@5", "mrr"):
        printed = float(re.search(rf"{key} ([\d.]+)", shown).group(1))
        assert abs(printed - metrics[key]) <= 1 / n + 0.0005, (key, printed, metrics[key])
    passed = int(re.search(r"answer checks [\d.]+ \((\d+)/", shown).group(1))
    assert abs(passed - metrics["answer_passed"]) <= 1, (passed, metrics["answer_passed"])
