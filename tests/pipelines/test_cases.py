"""Case sources (`kind: cases`): folders and manifests, case fields as metadata and filters,
per-case re-ingest and prune, `retrieval.unit: case`, `--case DIR` and near-duplicates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from pipelines.errors import ConfigError
from pipelines.ingest.cases import read_cases
from pipelines.query.cases import rank_cases
from pipelines.query.types import Hit
from pipelines.runner import Runner
from tests.conftest import write_config

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CASES = {
    "c1": ("Right lower lobe consolidation with air bronchograms. Impression: community "
           "acquired pneumonia. Follow-up: resolved after antibiotics.",
           {"diagnosis": "pneumonia", "age": 54, "outcome": "resolved"}, 11),
    "c2": ("Obstructing 7 mm calculus in the left distal ureter with hydronephrosis. "
           "Impression: renal colic from a ureteric stone.",
           {"diagnosis": "renal calculus", "age": 41, "outcome": "passed"}, 22),
    "c3": ("Dense left upper lobe consolidation, small effusion. Impression: lobar "
           "pneumonia. Follow-up: ICU admission.",
           {"diagnosis": "pneumonia", "age": 78, "outcome": "deceased"}, 33),
}


def picture(path: Path, seed: int, label: str) -> None:
    """A distinct synthetic figure: shapes placed by `seed`, and a caption."""
    img = Image.new("RGB", (480, 360), (250, 250, 245))
    draw = ImageDraw.Draw(img)
    for i in range(6):
        x, y = (seed * 37 + i * 71) % 400, (seed * 53 + i * 29) % 280
        draw.ellipse((x, y, x + 40 + i * 6, y + 30 + i * 5), fill=((seed * 40 + i * 30) % 255,
                                                                    90, 160))
    draw.text((20, 320), label, fill=(0, 0, 0), font=ImageFont.truetype(FONT, 22))
    img.save(path)


def write_case(root: Path, case_id: str, report: str, fields: dict, seed: int) -> Path:
    folder = root / case_id
    folder.mkdir(parents=True)
    (folder / "report.md").write_text(f"# Report {case_id}\n\n{report}\n", encoding="utf-8")
    (folder / "case.yaml").write_text(
        "\n".join(f"{k}: {json.dumps(v)}" for k, v in fields.items()) + "\n", encoding="utf-8")
    picture(folder / "figure.png", seed, f"SYNTHETIC figure {case_id}")
    return folder


@pytest.fixture()
def case_base(tmp_path: Path) -> tuple[Path, Path]:
    cases = tmp_path / "cases"
    for case_id, (report, fields, seed) in CASES.items():
        write_case(cases, case_id, report, fields, seed)
    config = write_config(tmp_path, f"""
sources:
  - {{path: {cases}, kind: cases}}
index: {{store: {{path: {tmp_path / 'store'}}}}}
retrieval: {{unit: case, top_k: 3, duplicates: true}}
""")
    return config, cases


def test_fields_are_metadata_and_filters(case_base: tuple[Path, Path]) -> None:
    config, _ = case_base
    runner = Runner.from_config(config)
    summary = runner.ingest()
    assert len(summary.loaded) == 6 and not summary.failed  # report + figure per case
    answer = runner.query("lung consolidation pneumonia")
    assert [c.case_id for c in answer.cases][:2] == ["c1", "c3"] or \
        [c.case_id for c in answer.cases][:2] == ["c3", "c1"]
    first = answer.cases[0]
    assert first.fields["diagnosis"] == "pneumonia" and first.sources
    assert all(answer.sources[r - 1].source.startswith("cases/" + first.case_id)
               for r in first.sources)
    only = runner.query("lung consolidation pneumonia", where="outcome=deceased")
    assert [c.case_id for c in only.cases] == ["c3"]
    ranged = runner.query("impression", where="age=40..60")
    assert {c.case_id for c in ranged.cases} == {"c1", "c2"}
    as_json = answer.to_dict()
    assert as_json["cases"][0]["case_id"] == first.case_id and "duplicates" in as_json


def test_reingest_change_and_prune_work_per_case(case_base: tuple[Path, Path]) -> None:
    config, cases = case_base
    runner = Runner.from_config(config)
    runner.ingest()
    again = runner.ingest()
    assert again.nodes_added == 0 and not again.loaded
    report = cases / "c1" / "report.md"
    report.write_text(report.read_text(encoding="utf-8") + "\nAddendum: repeat film clear.\n",
                      encoding="utf-8")
    one_file = runner.ingest()  # one file of one case changed: that file only
    assert one_file.loaded == ["cases/c1/report.md"] and one_file.nodes_added >= 1
    (cases / "c2" / "case.yaml").write_text("diagnosis: renal calculus\nage: 41\n"
                                            "outcome: lithotripsy\n", encoding="utf-8")
    changed = runner.ingest()
    assert sorted(changed.loaded) == ["cases/c2/figure.png", "cases/c2/report.md"]
    assert [c.fields["outcome"] for c in runner.query("ureteric stone").cases][:1] == \
        ["lithotripsy"]
    for path in (cases / "c3").iterdir():
        path.unlink()
    (cases / "c3").rmdir()
    pruned = runner.ingest(prune=True)
    assert sorted(pruned.removed) == ["cases/c3#case", "cases/c3/figure.png",
                                      "cases/c3/report.md"]
    assert "c3" not in {c.case_id for c in runner.query("pneumonia").cases}


def test_query_with_a_case_folder_finds_reused_images(case_base: tuple[Path, Path],
                                                     tmp_path: Path) -> None:
    config, cases = case_base
    runner = Runner.from_config(config)
    runner.ingest()
    new = tmp_path / "new-case"
    new.mkdir()
    (new / "history.md").write_text("Flank pain radiating to the groin; a small stone "
                                    "in the ureter on CT.", encoding="utf-8")
    reused = Image.open(cases / "c2" / "figure.png").convert("RGB")
    reused.resize((400, 300)).save(new / "scan-photo.jpg", quality=70)  # re-sent, re-compressed
    answer = runner.query("", case=new)
    assert answer.cases[0].case_id == "c2"
    assert [(d.query_image, d.case_id) for d in answer.duplicates] == [("scan-photo.jpg", "c2")]
    assert "c2" in answer.answer and "scan-photo.jpg" in answer.answer
    cli = subprocess.run([sys.executable, "-m", "pipelines.cli", "query", str(config),
                          "--case", str(new), "--json"], capture_output=True, text=True,
                         check=True)
    printed = json.loads(cli.stdout)
    assert printed["cases"][0]["case_id"] == "c2" and printed["duplicates"][0]["case_id"] == "c2"


def test_passage_pipelines_keep_their_json(tmp_path: Path) -> None:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "a.md").write_text("# Alpha\n\nThe alpha article.\n", encoding="utf-8")
    config = write_config(tmp_path, f"""
sources: [{{path: {tmp_path / 'kb'}}}]
index: {{store: {{path: {tmp_path / 'store'}}}}}
""")
    runner = Runner.from_config(config)
    runner.ingest()
    out = runner.query("alpha").to_dict()
    assert "cases" not in out and "duplicates" not in out


def test_manifest_cases(tmp_path: Path) -> None:
    files = tmp_path / "files"
    for case_id in ("a1", "a2"):
        (files / case_id).mkdir(parents=True)
        (files / case_id / "note.md").write_text(f"Reviewer note for {case_id}: employer "
                                                 f"{'Acme' if case_id == 'a1' else 'Globex'}.",
                                                 encoding="utf-8")
    manifest = tmp_path / "applications.csv"
    manifest.write_text("case_id,files,amount,outcome\n"
                        "a1,files/a1/note.md,12000,approved\n"
                        "a2,files/a2/note.md,250000.5,fraud\n", encoding="utf-8")
    cases = read_cases(manifest)
    assert [c.fields for c in cases] == [{"amount": 12000, "outcome": "approved"},
                                         {"amount": 250000.5, "outcome": "fraud"}]
    jsonl = tmp_path / "applications.jsonl"
    jsonl.write_text(json.dumps({"case_id": "a1", "files": ["files/a1/note.md"],
                                 "fields": {"amount": 12000}}) + "\n", encoding="utf-8")
    assert read_cases(jsonl)[0].files == [(files / "a1" / "note.md").resolve()]
    config = write_config(tmp_path, f"""
sources: [{{path: {manifest}, kind: cases}}]
index: {{store: {{path: {tmp_path / 'store'}}}}}
retrieval: {{unit: case}}
""")
    runner = Runner.from_config(config)
    runner.ingest()
    assert [c.case_id for c in runner.query("Globex", where="outcome=fraud").cases] == ["a2"]
    assert [c.case_id for c in runner.query("employer", where="amount=10000..20000").cases] \
        == ["a1"]


@pytest.mark.parametrize(("content", "problem"), [
    ("- a\n- b\n", "case fields must be a mapping"),
    ("source: x\n", "is a name mmrag uses itself"),
    ("tags: {a: 1}\n", "must be a single value"),
])
def test_bad_case_fields_are_one_line_errors(tmp_path: Path, content: str, problem: str) -> None:
    (tmp_path / "cases" / "c1").mkdir(parents=True)
    (tmp_path / "cases" / "c1" / "case.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_cases(tmp_path / "cases")
    message = str(caught.value)
    assert problem in message and "case.yaml" in message and "\n" not in message


def test_manifest_errors_name_the_row(tmp_path: Path) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text("case_id,files\na1,missing.pdf\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"m.csv: row 1: case 'a1' file not found"):
        read_cases(manifest)
    manifest.write_text("id,paths\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="needs the columns case_id and files"):
        read_cases(manifest)


def hit(node: str, case: str | None) -> Hit:
    return Hit(id=node, text=node, score=0.5, case=case)


def test_case_scores_rrf_rewards_several_parts_max_the_best() -> None:
    hits = [hit("x1", "x"), hit("y1", "y"), hit("y2", "y"), hit("y3", "y"), hit("n", None)]
    assert [c for c, _, _ in rank_cases(hits, 5, "rrf")] == ["y", "x"]
    assert [c for c, _, _ in rank_cases(hits, 5, "max")] == ["x", "y"]
    assert [len(parts) for _, _, parts in rank_cases(hits, 5, "rrf")] == [3, 1]


def test_eval_scores_cases_and_duplicates(case_base: tuple[Path, Path], tmp_path: Path) -> None:
    config, cases = case_base
    runner = Runner.from_config(config)
    runner.ingest()
    queries = tmp_path / "queries"
    (queries / "q1").mkdir(parents=True)
    (queries / "q1" / "history.md").write_text("Cough and fever; the chest film shows a "
                                               "lobar consolidation.", encoding="utf-8")
    (queries / "q2").mkdir()
    (queries / "q2" / "history.md").write_text("Ureteric stone on CT.", encoding="utf-8")
    Image.open(cases / "c2" / "figure.png").convert("RGB").save(queries / "q2" / "film.jpg",
                                                                 quality=60)
    dataset = queries / "queries.jsonl"
    dataset.write_text("\n".join(json.dumps(item) for item in [
        {"id": "q1", "question": "", "case": "q1", "expected_cases": ["c1", "c3"],
         "expected_duplicates": []},
        {"id": "q2", "question": "similar cases?", "case": "q2", "expected_cases": ["c2"],
         "expected_duplicates": [{"query_image": "film.jpg", "case": "c2"}]},
    ]) + "\n", encoding="utf-8")
    report = runner.evaluate(dataset)
    m = report.metrics
    assert m["recall@1"] == 1.0 and m["mrr"] == 1.0
    assert (m["duplicates_precision"], m["duplicates_recall"]) == (1.0, 1.0)
    assert "near-duplicates precision 1.000 recall 1.000" in report.text()
    assert report.items[1]["cases"][0] == "c2"


def test_an_llm_summarises_the_cases_it_is_given(case_base: tuple[Path, Path],
                                                 tmp_path: Path) -> None:
    """With an LLM engine, the prompt's context is the case blocks (fields and cited parts),
    plain and streamed, through the real OpenAI SDK against the fake server."""
    from tests.fake_openai import FakeOpenAI

    config, _ = case_base
    Runner.from_config(config).ingest()
    with FakeOpenAI(reply="Cases [1] and [3] share a lobar consolidation.") as server:
        runner = Runner.from_config(config, overrides=[
            "llm.type=openai-like", f"llm.api_base={server.url}", "llm.model=m",
            "llm.max_retries=0", "prompt=default"])
        answer = runner.query("Which past cases look like a lobar pneumonia?")
        streamed = list(runner.stream("Which past cases look like a lobar pneumonia?"))
    assert answer.answer == "Cases [1] and [3] share a lobar consolidation."
    assert streamed[-1].cases and "".join(p for p in streamed if isinstance(p, str))
    user = server.requests[0]["body"]["messages"][1]["content"]
    text = user if isinstance(user, str) else next(p["text"] for p in user
                                                   if p["type"] == "text")
    assert "Case 1: " in text and "diagnosis: pneumonia" in text and "outcome:" in text
