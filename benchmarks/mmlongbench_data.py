"""MMLongBench-Doc dev split -> an mmrag pipeline config and `mmrag eval` sets (outside the repo).

The documents and questions stay in `../shared/datasets/mmlongbench-doc-dev`; this writes into
a work folder of the user's choice:

- `mmlongbench-doc.yaml`: a pipeline over the 34 PDFs (store under the work folder);
- `dev.jsonl`: every question as an eval item: `where` restricts retrieval to its document,
  `expected` + `expected_pages` make a hit the right file *and* page, `evidence_contains`
  and `answer_contains` are the gold answer (Str/Int/Float answers), and unanswerable questions have
  `expect_decline: true`;
- `tune.jsonl` / `heldout.jsonl`: the same items split by document (alternately within each
  document type), so settings are chosen on one half and reported on both.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "mmlongbench-doc-dev"
UNANSWERABLE = "Not answerable"
STRING_FORMATS = ("Str", "Int", "Float")
EVIDENCE_KINDS = {"Pure-text (Plain-text)": "text", "Table": "table", "Chart": "chart",
                  "Figure": "figure", "Generalized-text (Layout)": "layout"}

CONFIG = """\
name: mmlongbench-doc
description: MMLongBench-Doc dev split (34 real PDFs), page-level retrieval benchmark.
sources:
  - path: {documents}
index:
  store: {{type: chroma, path: {store}}}
retrieval: {{top_k: 5}}
llm: {{type: extractive}}
"""


def read_samples(data: Path) -> list[dict[str, Any]]:
    """The benchmark's questions; exits with a clear message when the data is absent."""
    path = data / "samples.jsonl"
    if not path.is_file():
        raise SystemExit(f"MMLongBench-Doc dev split not found at {data} (expected "
                         "samples.jsonl there); pass --data PATH")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def is_image_only(doc_id: str) -> bool:
    """The five slide decks exported without a text layer (file names end in `_95.pdf`)."""
    return doc_id.endswith("_95.pdf")


def doc_split(samples: list[dict[str, Any]]) -> dict[str, str]:
    """doc_id -> "tune" | "heldout", by document, each type spread over both halves.

    Within each document type (largest first), documents with the most questions go first,
    each to the half that has fewer questions so far: the halves come out about even.
    """
    counts: dict[str, int] = {}
    types: dict[str, str] = {}
    for s in samples:
        counts[s["doc_id"]] = counts.get(s["doc_id"], 0) + 1
        types[s["doc_id"]] = s["doc_type"]
    size = {"tune": 0, "heldout": 0}
    split: dict[str, str] = {}
    for doc_type in sorted(set(types.values()), key=lambda t: (-list(types.values()).count(t), t)):
        docs = sorted((d for d in types if types[d] == doc_type), key=lambda d: (-counts[d], d))
        for n, doc in enumerate(docs):
            half = min(size, key=lambda h: (size[h], h != ("tune", "heldout")[n % 2]))
            split[doc] = half
            size[half] += counts[doc]
    return split


def eval_item(sample: dict[str, Any], split: str) -> dict[str, Any]:
    """One sample as an `mmrag eval` item, with its labels kept for the breakdowns."""
    answerable = sample["answer"] != UNANSWERABLE
    item: dict[str, Any] = {
        "id": sample["id"], "question": sample["question"],
        "where": f"source=*/{sample['doc_id']}",
        "doc_id": sample["doc_id"], "doc_type": sample["doc_type"], "split": split,
        "image_only": is_image_only(sample["doc_id"]),
        "evidence_kinds": sorted({EVIDENCE_KINDS.get(k, k) for k in sample["evidence_sources"]}),
        "answer_format": sample["answer_format"], "gold_answer": sample["answer"],
    }
    if not answerable:
        item["expect_decline"] = True
        return item
    pages = sorted({p for p in sample["evidence_pages"] if p >= 1})  # one upstream item has 0
    if pages:
        item["expected"] = f"documents/{sample['doc_id']}"
        item["expected_pages"] = pages
    if sample["answer_format"] in STRING_FORMATS and str(sample["answer"]).strip():
        item["evidence_contains"] = item["answer_contains"] = str(sample["answer"]).strip()
    return item


def prepare(data: Path, work: Path) -> dict[str, Path]:
    """Write the config and the eval sets into `work`; returns their paths."""
    samples = read_samples(data)
    work.mkdir(parents=True, exist_ok=True)
    config = work / "mmlongbench-doc.yaml"
    config.write_text(CONFIG.format(documents=(data / "documents").resolve(),
                                    store=(work / "store").resolve()), encoding="utf-8")
    splits = doc_split(samples)
    items = [eval_item(s, splits[s["doc_id"]]) for s in samples]
    paths = {"config": config}
    for name, keep in (("dev", None), ("tune", "tune"), ("heldout", "heldout")):
        path = work / f"{name}.jsonl"
        chosen = [i for i in items if keep is None or i["split"] == keep]
        path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in chosen),
                        encoding="utf-8")
        paths[name] = path
    return paths
