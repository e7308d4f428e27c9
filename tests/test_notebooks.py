"""The notebooks in notebooks/ run top to bottom, offline, in a fresh kernel (nbclient).

Each cell has a time limit; the executed time of each notebook is printed in the test
summary (see `pytest_terminal_summary` in conftest.py).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CELL_TIME_LIMIT = 300  # seconds; the slowest cell (two 48-item evals) takes about a minute
# What each notebook must show: text in its outputs, and how many PNG images at least.
EXPECTED = {
    "01-quick-start": (["nginx-502-bad-gateway.pdf p. 1", "MSVCP140.dll", "36 unchanged"], 4),
    "02-evaluation": (["| recall@1 |", "| mrr |", "eval error-screenshot-support: 48 items"], 3),
    "03-custom-loader": (["kb/faq.csv row 2", "broken.csv: expected columns question,answer",
                          "如何申请共享盘权限"], 0),
    "04-similar-cases": (["Most similar past cases:", "outcome=surgery ->", '"case_id"',
                          "cases: 44"], 1),
}
TIMES: dict[str, float] = {}


def _outputs(notebook) -> tuple[str, int]:
    """All text the executed notebook shows, and the number of PNG outputs."""
    texts, images = [], 0
    for cell in notebook.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                pytest.fail(f"{out['ename']}: {out['evalue']}")
            if out.get("name") == "stderr" and "Warning" in out.get("text", ""):
                pytest.fail(f"a cell printed a warning: {out['text'].strip()}")
            texts.append(out.get("text", ""))
            data = out.get("data", {})
            texts += [data.get("text/plain", ""), data.get("text/markdown", "")]
            images += "image/png" in data
    return "\n".join(texts), images


def test_every_notebook_has_expectations() -> None:
    assert {p.stem for p in NOTEBOOKS} == set(EXPECTED)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:  # run from scratch, not from the saved outputs
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    client = NotebookClient(notebook, timeout=CELL_TIME_LIMIT, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    client.execute()  # a failing cell raises CellExecutionError naming it
    TIMES[path.stem] = time.perf_counter() - started
    text, images = _outputs(notebook)
    wanted, min_images = EXPECTED[path.stem]
    missing = [w for w in wanted if w not in text]
    assert not missing, f"{path.name} output lacks {missing}"
    assert images >= min_images, f"{path.name} shows {images} images, expected {min_images}+"
