"""kill -9 safety: ingests killed at several points, then finished, equal a clean ingest exactly."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from pipelines.runner import Runner
from tests.conftest import ROOT, write_config

N_TEXT = 150
TOPICS = ["network", "database", "printer", "login", "disk", "docker", "python", "git"]

# Ingests a config in a child process, printing one line per file as it is reported.
DRIVER = """
import sys
from pipelines.runner import Runner
runner = Runner.from_config(sys.argv[1])
report = lambda name, status: print(status, name, flush=True)
runner.ingest(progress=report, workers=1, rebuild=sys.argv[2] == "rebuild")
print("done", flush=True)
"""


def make_kb(folder: Path) -> None:
    """150 small, distinct Markdown files (some Chinese, a few of several chunks), two images."""
    kb = folder / "kb"
    kb.mkdir()
    for i in range(N_TEXT):
        topic = TOPICS[i % len(TOPICS)]
        body = f"# {topic} {i}\n\nError E{i:05d}_{topic.upper()}: check {topic} setting {i}.\n"
        if i % 5 == 0:
            body += f"第{i}号：{topic} 出错时请重启服务。\n"
        if i % 50 == 0:  # a few longer files with several chunks
            body += "\n".join(f"Detail {i}.{n}: {topic} notes " * 12 for n in range(4))
        (kb / f"{topic}-{i:03d}.md").write_text(body, encoding="utf-8")
    font = ImageFont.load_default(size=32)
    for i, text in enumerate(["Printer offline 0x00000709", "Disk full ENOSPC"]):
        img = Image.new("RGB", (700, 120), "white")
        ImageDraw.Draw(img).text((15, 40), text, fill="black", font=font)
        img.save(kb / f"shot-{i}.png")


def make_cases(folder: Path) -> None:
    """The same files as `make_kb`, grouped into 30 case folders of five, each with fields."""
    make_kb(folder)
    kb, cases = folder / "kb", folder / "cases"
    for number, path in enumerate(sorted(kb.iterdir())):
        case = cases / f"case-{number // 5:02d}"
        case.mkdir(parents=True, exist_ok=True)
        path.rename(case / path.name)
        (case / "case.yaml").write_text(f"outcome: {TOPICS[number // 5 % len(TOPICS)]}\n"
                                        f"amount: {number // 5 * 1000}\n", encoding="utf-8")
    kb.rmdir()


def config(folder: Path, store: str, cases: bool = False) -> Path:
    source = "{path: cases, kind: cases}" if cases else "{path: kb}"
    return write_config(folder, f"name: killtest\nsources: [{source}]\n"
                                f"index: {{store: {{path: {store}}}}}\n", name=store)


def run_and_kill(config_path: Path, after_loaded: int | None, mode: str = "ingest") -> int:
    """Run the driver; SIGKILL its process group after `after_loaded` files were stored."""
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, str(config_path), mode], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True, start_new_session=True)
    watchdog = threading.Timer(900, os.killpg, (proc.pid, signal.SIGKILL))
    watchdog.start()
    loaded = 0
    try:
        for line in proc.stdout:
            loaded += line.startswith("loaded ")
            if after_loaded is not None and loaded >= after_loaded:
                os.killpg(proc.pid, signal.SIGKILL)
                break
    finally:
        proc.stdout.close()
        proc.wait()
        watchdog.cancel()
    return proc.returncode


def chroma_records(index) -> dict:  # noqa: ANN001
    """{"text": {id: text}, "image": {...}}: each id stored exactly once."""
    snap: dict = {}
    for modality in ("text", "image"):
        got = index.store.collection(modality).get(include=["documents"])
        assert len(got["ids"]) == len(set(got["ids"])) == index.store.count(modality)
        snap[modality] = dict(zip(got["ids"], got["documents"], strict=True))
    return snap


def snapshot(config_path: Path) -> dict:
    """Chroma ids and texts of both collections, catalog entries and lexical rows."""
    index = Runner.from_config(config_path).index
    snap = chroma_records(index)
    db = sqlite3.connect(index.catalog.path)
    snap["catalog"] = sorted(db.execute("SELECT source, hash, text_ids, image_ids FROM files"))
    snap["lexical"] = db.execute("SELECT node_id, modality, tokens FROM lexical_docs "
                                 "ORDER BY node_id").fetchall()
    db.close()
    # BM25 answers come from the saved matrix (kept by the last ingest): it matches the rows.
    snap["bm25"] = [index.catalog.lexical.search(q, 8) for q in ("printer E00042_PRINTER",
                                                                 "磁盘 出错", "ENOSPC disk full")]
    assert snap["bm25"][0][0][0] in snap["text"] and all(snap["bm25"])
    _assert_vectors_searchable(index)
    return snap


def _assert_vectors_searchable(index) -> None:  # noqa: ANN001
    """Each sampled node's own vector finds it first: the HNSW index matches the records."""
    got = index.store.collection("text").get(limit=400, include=["embeddings"])
    for node_id, vector in list(zip(got["ids"], got["embeddings"], strict=True))[::40]:
        hit = index.store.collection("text").query(query_embeddings=[vector], n_results=1)
        assert hit["ids"][0][0] == node_id


def test_killed_ingests_and_rebuild_then_a_full_run_equal_a_clean_run(tmp_path: Path) -> None:
    make_kb(tmp_path)
    clean_config = config(tmp_path, "clean")
    summary = Runner.from_config(clean_config).ingest(workers=1)
    assert not summary.failed and len(summary.loaded) == N_TEXT + 2
    clean = snapshot(clean_config)
    assert len(clean["text"]) > N_TEXT and len(clean["image"]) == 2

    path = config(tmp_path, "killed")
    for after in (20, 45):  # killed at different depths of the run, amid a batch's writes
        assert run_and_kill(path, after) == -signal.SIGKILL
    resumed = Runner.from_config(path).ingest(workers=1)
    assert 0 < len(resumed.loaded) < N_TEXT  # the killed runs had stored some files
    assert snapshot(path) == clean

    assert run_and_kill(path, 30, mode="rebuild") == -signal.SIGKILL
    redone = Runner.from_config(path).ingest(workers=1)
    assert len(redone.loaded) > N_TEXT // 2  # the rebuild had cleared the catalog
    assert snapshot(path) == clean


def test_killed_case_ingests_then_a_full_run_equal_a_clean_run(tmp_path: Path) -> None:
    """The same guarantee for `kind: cases`: files carry their case's fields, and the case
    records (stored after the files) are there exactly once after the resumed run."""
    make_cases(tmp_path)
    clean_config = config(tmp_path, "clean", cases=True)
    summary = Runner.from_config(clean_config).ingest(workers=1)
    assert not summary.failed and len(summary.loaded) == N_TEXT + 2
    clean = snapshot(clean_config)
    records = [s for s, *_ in clean["catalog"] if s.endswith("#case")]
    assert len(records) == 31 and len(clean["text"]) > N_TEXT + 31

    path = config(tmp_path, "killed", cases=True)
    for after in (40,):  # (the file-level kill points are covered above)
        assert run_and_kill(path, after) == -signal.SIGKILL
    resumed = Runner.from_config(path).ingest(workers=1)
    assert 0 < len(resumed.loaded) < N_TEXT
    assert snapshot(path) == clean
