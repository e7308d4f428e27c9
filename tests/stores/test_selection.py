"""`index.store.type` picks the store: LanceDB answers a shipped pipeline as Chroma does."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pipelines.errors import MissingDependencyError
from pipelines.runner import Runner
from pipelines.stores.chroma import ChromaStore
from pipelines.stores.lancedb import LanceDBStore
from tests.conftest import write_config
from tests.pipelines.test_cli import assert_one_line_error, run
from tests.pipelines.test_server_mode import KB, QUERIES, SUBSET


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Runner, Runner]:
    """A subset of the shipped support KB ingested into Chroma and into LanceDB."""
    folder = tmp_path_factory.mktemp("stores")
    sources = "".join(f"  - path: {KB / name}\n" for name in SUBSET)
    config = write_config(folder, f"name: support-subset\nsources:\n{sources}"
                                  "prompt: error-screenshot-support\n")
    chroma = Runner.from_config(config, {"index.store.path": str(folder / "chroma")})
    lance = Runner.from_config(config, {"index.store.path": str(folder / "lance"),
                                        "index.store.type": "lancedb"})
    for runner in (chroma, lance):
        summary = runner.ingest(workers=0)
        assert (len(summary.loaded), summary.failed) == (len(SUBSET), []), summary.text()
    return chroma, lance


def test_type_selects_the_store_class(pair: tuple[Runner, Runner]) -> None:
    chroma, lance = pair
    assert type(chroma.index.store) is ChromaStore and type(lance.index.store) is LanceDBStore
    assert any(Path(str(lance.config.index.store.path)).glob("*.lance"))
    assert lance.index.store.count("text") == chroma.index.store.count("text") > 0
    assert lance.stats().nodes == chroma.stats().nodes


@pytest.mark.parametrize(("question", "image", "expected"), QUERIES)
def test_lancedb_answers_as_chroma(pair: tuple[Runner, Runner], question: str,
                                   image: Path | None, expected: str) -> None:
    chroma, lance = (r.query(question, images=[image] if image else None) for r in pair)
    assert chroma.sources[0].source.endswith(expected)
    assert [s.source for s in lance.sources] == [s.source for s in chroma.sources]
    assert [s.score for s in lance.sources] == pytest.approx([s.score for s in chroma.sources],
                                                             abs=1e-4)
    assert lance.answer == chroma.answer


def _evidence(runner: Runner, where: object) -> list[tuple[str, object, str]]:
    return [(h.node.metadata["source"], h.node.metadata.get("page"), h.node.get_content())
            for h in runner.retrieve("connection failed", where=where)]  # type: ignore[arg-type]


def test_lancedb_filters_and_reingest(pair: tuple[Runner, Runner]) -> None:
    chroma, lance = pair
    for where in ("source=*.pdf", ["source=*docker*", "page=1..1"], "modality!=text"):
        assert sorted(_evidence(chroma, where)) == sorted(_evidence(lance, where)), where
    again = Runner.from_config(lance.config.path, {"index.store.path":
                                                   lance.config.index.store.path,
                                                   "index.store.type": "lancedb"})
    summary = again.ingest(workers=0)
    assert (len(summary.unchanged), summary.nodes_added) == (len(SUBSET), 0)
    assert again.index.store.count("text") == chroma.index.store.count("text")


def test_switching_the_type_on_one_folder_stores_every_file_again(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "a.md").write_text("# Printer offline\n\nTurn the printer on.\n", encoding="utf-8")
    config = write_config(tmp_path, f"name: tiny\nsources: [{{path: {kb}}}]\n")
    store = {"index.store.path": str(tmp_path / "state")}
    for kind, loaded in (("chroma", 1), ("lancedb", 1), ("lancedb", 0), ("chroma", 1)):
        runner = Runner.from_config(config, {**store, "index.store.type": kind})
        summary = runner.ingest(workers=0)
        assert (len(summary.loaded), runner.index.store.count("text")) == (loaded, 1), kind
        assert runner.query("printer offline").sources[0].source.endswith("a.md"), kind


def test_a_bad_store_type_is_a_one_line_config_error(tmp_path: Path) -> None:
    config = write_config(tmp_path, "name: tiny\nindex: {store: {type: lancdb}}\n")
    code, out = run("stats", str(config))
    assert_one_line_error(code, out, "index.store.type")
    assert "lancedb" in out  # the closest valid name


def test_lancedb_with_a_host_is_a_one_line_config_error(tmp_path: Path) -> None:
    config = write_config(tmp_path, "name: tiny\nindex: {store: {type: lancedb, "
                                    "host: 127.0.0.1}}\n")
    code, out = run("stats", str(config))
    assert_one_line_error(code, out, "type lancedb is embedded (on disk): set 'path'")


def test_lancedb_missing_is_named_with_its_extra(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "lancedb", None)  # `import lancedb` now fails
    runner = Runner.from_config(write_config(tmp_path, "name: tiny\n"),
                                {"index.store.type": "lancedb",
                                 "index.store.path": str(tmp_path / "s")})
    with pytest.raises(MissingDependencyError, match=r"pip install 'mmrag\[lancedb\]'"):
        runner.index.store.open()
