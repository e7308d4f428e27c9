"""Incremental ingest on a small knowledge base the test writes: real Chroma, real embeddings."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from pipelines.errors import ConfigError, InputError, LoaderError, StoreError
from pipelines.ingest import incremental as ingest_module
from pipelines.runner import Runner
from tests.conftest import write_config

ARTICLE = """# Docker daemon not running

Error text: `Cannot connect to the Docker daemon at unix:///var/run/docker.sock`

## Cause
The Docker service is stopped.

## Fix
1. Start the service: `sudo systemctl start docker`.
2. Add yourself to the docker group: `sudo usermod -aG docker $USER`.
3. Log out and back in.
"""

OTHER = """# 磁盘空间不足

错误信息：`No space left on device`

## 原因
磁盘已满。

## 解决步骤
1. 运行 `df -h` 查看哪个分区已满。
2. 删除不需要的大文件。
"""


def two_articles(folder: Path) -> Path:
    """`folder/kb` holding the Docker article (English) and the disk-full one (Chinese)."""
    kb = folder / "kb"
    kb.mkdir()
    (kb / "docker.md").write_text(ARTICLE, encoding="utf-8")
    (kb / "disk.md").write_text(OTHER, encoding="utf-8")
    return kb


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return two_articles(tmp_path)


def make_runner(tmp_path: Path) -> Runner:
    return Runner.from_config(write_config(tmp_path, "name: tiny\nsources: [{path: kb}]\n"))


def test_ingest_then_query_cites_the_right_file(kb: Path, tmp_path: Path) -> None:
    runner = make_runner(tmp_path)
    summary = runner.ingest()
    assert (len(summary.loaded), len(summary.failed)) == (2, 0)
    answer = runner.query("Cannot connect to the Docker daemon, what now?")
    assert answer.sources[0].source == "kb/docker.md"
    assert "sudo systemctl start docker" in answer.answer
    assert "[1]" in answer.answer
    data = answer.to_dict()
    assert set(data) == {"question", "answer", "query_text", "sources", "timings_ms", "usage",
                         "declined"}
    assert data["usage"] == {}  # the extractive answerer costs no tokens
    assert set(data["sources"][0]) == {"rank", "source", "modality", "page", "start", "end",
                                       "image", "score", "text", "printed_page"}
    assert set(data["timings_ms"]) == {"ocr", "retrieve", "answer", "total"}


def test_reingest_is_incremental(kb: Path, tmp_path: Path) -> None:
    runner = make_runner(tmp_path)
    runner.ingest()
    again = make_runner(tmp_path).ingest()
    assert (len(again.loaded), len(again.unchanged), again.nodes_added) == (0, 2, 0)

    (kb / "docker.md").write_text(ARTICLE.replace("Log out", "Sign out"), encoding="utf-8")
    changed = make_runner(tmp_path).ingest()
    assert changed.loaded == ["kb/docker.md"] and len(changed.unchanged) == 1
    runner = make_runner(tmp_path)
    assert runner.index.store.count("text") == 2  # replaced, not duplicated
    assert "Sign out" in runner.query("docker daemon").answer


def test_prune_removes_deleted_files(kb: Path, tmp_path: Path) -> None:
    make_runner(tmp_path).ingest()
    (kb / "disk.md").unlink()
    kept = make_runner(tmp_path).ingest()
    assert kept.removed == []
    pruned = make_runner(tmp_path).ingest(prune=True)
    assert pruned.removed == ["kb/disk.md"]
    runner = make_runner(tmp_path)
    assert runner.index.store.count("text") == 1
    assert runner.index.catalog.sources() == ["kb/docker.md"]


def test_bad_file_is_reported_and_others_are_indexed(kb: Path, tmp_path: Path) -> None:
    (kb / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really a png")
    (kb / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    summary = make_runner(tmp_path).ingest()
    failed = dict(summary.failed)
    assert set(failed) == {"kb/broken.png", "kb/broken.pdf"}
    assert "broken.png: cannot read image" in failed["kb/broken.png"]
    assert "broken.pdf: cannot open PDF" in failed["kb/broken.pdf"]
    assert len(summary.loaded) == 2
    assert "failed: " in summary.text()


def test_image_sources_are_searchable_by_ocr_text(kb: Path, tmp_path: Path) -> None:
    from PIL import ImageDraw, ImageFont

    img = Image.new("RGB", (900, 200), "white")
    font = ImageFont.load_default(size=36)
    ImageDraw.Draw(img).text((20, 70), "Printer offline: error 0x00000709", fill="black",
                             font=font)
    img.save(kb / "printer.png")
    runner = make_runner(tmp_path)
    runner.ingest()
    hit = runner.query("printer offline 0x00000709").sources[0]
    assert hit.source == "kb/printer.png" and hit.modality == "image"
    assert hit.image == str(kb / "printer.png")
    assert runner.index.store.count("image") == 1


def test_missing_source_folder(tmp_path: Path) -> None:
    runner = Runner.from_config(write_config(tmp_path, "name: tiny\nsources: [{path: gone}]\n"))
    with pytest.raises(ConfigError, match=r"sources\.0\.path: source path not found: .*gone"):
        runner.ingest()


def test_empty_knowledge_base(tmp_path: Path) -> None:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "notes.xyz").write_text("unsupported")
    with pytest.raises(ConfigError, match="knowledge base is empty: no loadable files"):
        make_runner(tmp_path).ingest()


def test_query_before_ingest_tells_to_ingest(kb: Path, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"run `mmrag ingest tiny` first"):
        make_runner(tmp_path).query("anything")


def test_missing_query_image(kb: Path, tmp_path: Path) -> None:
    runner = make_runner(tmp_path)
    with pytest.raises(InputError, match=r"nope\.png: image not found"):
        runner.query("How do I fix this?", images=[tmp_path / "nope.png"])


def test_second_ingest_at_once_is_refused(kb: Path, tmp_path: Path) -> None:
    runner = make_runner(tmp_path)
    with runner.index.lock(), pytest.raises(StoreError, match="another ingest"):
        make_runner(tmp_path).ingest()


def robust_runner(tmp_path: Path, extra: str = "") -> Runner:
    (tmp_path / "kb" / "stuck.hang").write_text("x")
    (tmp_path / "kb" / "boom.crash").write_text("x")
    custom = "tests.pipelines.custom_components"
    body = f"""name: tiny
sources:
  - {{path: kb, loader: {custom}.HangingLoader}}
  - {{path: kb, loader: {custom}.CrashingLoader}}
  - {{path: kb}}
ingest: {{file_timeout: 3{extra}}}
"""
    return Runner.from_config(write_config(tmp_path, body))


def test_hung_and_crashing_loaders_fail_alone(kb: Path, tmp_path: Path) -> None:
    summary = robust_runner(tmp_path).ingest(workers=2)
    failed = dict(summary.failed)
    assert "took longer than 3 s (ingest.file_timeout); skipped" in failed["kb/stuck.hang"]
    assert "the loader crashed (exit code 3)" in failed["kb/boom.crash"]
    assert sorted(summary.loaded) == ["kb/disk.md", "kb/docker.md"]


def test_on_error_fail_stops_with_one_line(kb: Path, tmp_path: Path) -> None:
    (tmp_path / "kb" / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    config = write_config(tmp_path, "name: tiny\nsources: [{path: kb}]\n"
                                    "ingest: {on_error: fail, workers: 1}\n")
    with pytest.raises(LoaderError, match=r"ingest stopped \(ingest.on_error=fail\): .*broken.pdf"):
        Runner.from_config(config).ingest()


def test_on_error_fail_keeps_what_was_loaded_before(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The run stops at the bad file; the files loaded before it stay indexed."""
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "a-first.md").write_text(ARTICLE, encoding="utf-8")
    (kb / "b-broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (kb / "c-last.md").write_text(OTHER, encoding="utf-8")
    config = write_config(tmp_path, "name: tiny\nsources: [{path: kb}]\n"
                                    "ingest: {on_error: fail, workers: 0}\n")
    seen: list[tuple[str, str]] = []
    pools: list[int] = []  # `workers: 0` in the YAML: loaded in this process, in file order
    load = ingest_module.load_files
    monkeypatch.setattr(ingest_module, "load_files",
                        lambda jobs, workers, timeout: pools.append(workers) or load(
                            jobs, workers, timeout))
    with pytest.raises(LoaderError, match=r"b-broken\.pdf"):
        Runner.from_config(config).ingest(progress=lambda *call: seen.append(call))
    assert pools == [0]
    before = [source for source, status in seen if status == "loaded"]
    assert before and ("kb/b-broken.pdf", "failed") not in seen  # it stopped at the bad file
    runner = Runner.from_config(config)
    assert runner.index.catalog.sources() == sorted(before)
    for source in before:
        text = (tmp_path / source).read_text(encoding="utf-8").splitlines()[0].strip("# ")
        assert runner.query(text).sources[0].source == source


def test_a_rebuild_holds_the_ingest_lock(kb: Path, tmp_path: Path) -> None:
    make_runner(tmp_path).ingest()
    refused: list[str] = []

    def progress(source: str, status: str) -> None:  # runs while the rebuild is going on
        with pytest.raises(StoreError, match="another ingest") as err:
            make_runner(tmp_path).ingest()
        refused.append(str(err.value))

    summary = make_runner(tmp_path).rebuild(progress=progress)
    assert len(summary.loaded) == 2 and len(refused) == 2
    assert len(make_runner(tmp_path).ingest().unchanged) == 2  # the lock is released after
