"""Config loading: validation messages, overrides, env expansion, paths, round trip."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.config.settings import dump_config, load_config, pipeline_names
from pipelines.config.validation import validate_config
from pipelines.errors import ConfigError
from tests.conftest import ROOT, write_config

BASE = """
name: tiny
sources:
  - path: kb
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "a.md").write_text("# A\n\nSome text.\n")
    return tmp_path


def test_shipped_configs_validate() -> None:
    assert {"error-screenshot-support", "math-question-from-photo"} <= set(pipeline_names())
    for name in pipeline_names():
        config = validate_config(name)
        assert config.name == name
        assert config.prompt, f"{name} has no prompt"


def test_relative_paths_resolve_against_config_folder(folder: Path) -> None:
    config = load_config(write_config(folder, BASE))
    assert config.sources[0].path == str(folder / "kb")
    assert config.index.store.path == str(folder / ".mmrag" / "tiny")


def test_unknown_key_names_file_path_and_suggestion(folder: Path) -> None:
    path = write_config(folder, BASE + "retrieval: {top_kk: 3}\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert str(path) in message
    assert "retrieval.top_kk: unknown key" in message
    assert "did you mean 'top_k'?" in message
    assert "\n" not in message


def test_unknown_component_type_lists_valid_choices(folder: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write_config(folder, BASE + "llm: {type: openia}\n"))
    message = str(err.value)
    assert "llm.type" in message
    assert "unknown llm 'openia'" in message
    assert "extractive, openai, openai-like" in message
    assert "did you mean 'openai'?" in message


def test_dotted_path_type_is_accepted_without_import(folder: Path) -> None:
    config = load_config(write_config(folder, BASE + "llm: {type: mypkg.engines.MyEngine}\n"))
    assert config.llm.type == "mypkg.engines.MyEngine"


def test_overrides_are_typed(folder: Path) -> None:
    config = load_config(write_config(folder, BASE), [
        "retrieval.top_k=3", "ocr.languages=[eng]", "index.store.ssl=true",
        "retrieval.min_score=0.5", "sources.0.params.password=secret",
    ])
    assert config.retrieval.top_k == 3
    assert config.ocr.languages == ["eng"]
    assert config.index.store.ssl is True
    assert config.retrieval.min_score == 0.5
    assert config.sources[0].params == {"password": "secret"}


def test_override_with_bad_value_names_key(folder: Path) -> None:
    with pytest.raises(ConfigError, match=r"retrieval\.top_k"):
        load_config(write_config(folder, BASE), ["retrieval.top_k=many"])


def test_malformed_override(folder: Path) -> None:
    with pytest.raises(ConfigError, match="expected key.path=value"):
        load_config(write_config(folder, BASE), ["retrieval.top_k"])


def test_env_expansion(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_DIR", str(folder / "kb"))
    config = load_config(write_config(folder, "name: tiny\nsources: [{path: '${KB_DIR}'}]\n"))
    assert config.sources[0].path == str(folder / "kb")


def test_missing_env_var_is_an_error(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOPE_NOT_SET", raising=False)
    path = write_config(folder, "name: tiny\nsources: [{path: '${NOPE_NOT_SET}/kb'}]\n")
    with pytest.raises(ConfigError, match=r"sources\.0\.path: environment variable NOPE_NOT_SET"):
        load_config(path)


def test_unknown_pipeline_suggests_closest() -> None:
    with pytest.raises(ConfigError, match="did you mean 'error-screenshot-support'"):
        load_config("error-screenshot-suport")


def test_invalid_yaml_names_line(folder: Path) -> None:
    path = write_config(folder, "name: tiny\nsources: [\n")
    with pytest.raises(ConfigError, match=r"invalid YAML"):
        load_config(path)


def test_validate_reports_missing_source_folder(folder: Path) -> None:
    path = write_config(folder, "name: tiny\nsources: [{path: nowhere}]\n")
    with pytest.raises(ConfigError, match=r"sources\.0\.path: source path not found: .*nowhere"):
        validate_config(path)


def test_store_path_and_host_are_exclusive(folder: Path) -> None:
    body = BASE + "index: {store: {path: x, host: localhost, port: 8000}}\n"
    with pytest.raises(ConfigError, match="either 'path'"):
        load_config(write_config(folder, body))


GOLDEN = Path(__file__).parent / "golden" / "show-config"
ROOT_MARK = "{ROOT}"  # the checkout's folder, so the golden files hold no machine's paths


def show_config(name: str) -> str:
    """`mmrag show-config NAME` as the CLI prints it."""
    result = CliRunner().invoke(main, ["show-config", name])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("name", pipeline_names())
def test_show_config_matches_golden_file(name: str) -> None:
    """Pins every resolved default of each shipped config. After an intended change run
    `UPDATE_GOLDEN=1 .venv/bin/pytest tests/pipelines/test_config.py -k golden` and review
    the diff of tests/pipelines/golden/show-config/."""
    printed = show_config(name).replace(str(ROOT), ROOT_MARK)
    golden = GOLDEN / f"{name}.yaml"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(printed, encoding="utf-8")
    assert golden.is_file(), f"no golden file {golden}: run with UPDATE_GOLDEN=1"
    assert printed == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", pipeline_names())
def test_show_config_round_trips(name: str, tmp_path: Path) -> None:
    """The printed config loads back to the same config, and it is the golden one."""
    first = show_config(name)
    data = yaml.safe_load(first)
    assert data["retrieval"]["top_k"] == 5 and data["llm"]["type"] == "extractive"
    copy = tmp_path / f"{name}.yaml"
    copy.write_text(first, encoding="utf-8")
    again = dump_config(load_config(copy))
    assert again == first
    assert again.replace(str(ROOT), ROOT_MARK) == (GOLDEN / f"{name}.yaml").read_text(
        encoding="utf-8")


def test_loader_names_include_explicit_only_loaders(folder: Path) -> None:
    ok = load_config(write_config(folder, "name: tiny\nsources: [{path: kb, loader: langchain}]\n"))
    assert ok.sources[0].loader == "langchain"
    with pytest.raises(ConfigError, match="did you mean 'langchain'"):
        load_config(write_config(folder, "name: tiny\nsources: [{path: kb, loader: lanchain}]\n"))


def test_a_postgres_state_without_psycopg_names_the_extra(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.pipelines.test_cli import assert_one_line_error, run

    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if not installed
    config = write_config(tmp_path, "name: no-psycopg\nsources: [{path: kb}]\n"
                                    "index: {state: {url: 'postgresql://u@127.0.0.1:9/x'}}\n")
    code, out = run("stats", str(config))
    assert_one_line_error(code, out, "pip install 'mmrag[postgres]'")
