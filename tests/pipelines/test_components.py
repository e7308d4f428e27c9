"""The component registry and Params: settings checked at config load, one line per problem."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from loaders.errors import MmragError
from loaders.registry import builtins
from pipelines import registry
from pipelines.config.settings import load_config
from pipelines.errors import ConfigError
from pipelines.runner import Runner
from tests.conftest import write_config
from tests.pipelines.test_cli import assert_one_line_error, run

CUSTOM = "tests.pipelines.custom_components"
BASE = "name: tiny\nsources: [{path: kb}]\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "a.md").write_text("# A\n\nSome text.\n")
    return tmp_path


def _both_fail(path: Path, fragment: str) -> str:
    """The error through `mmrag validate` (one line, no traceback) and Runner.from_config."""
    code, out = run("validate", str(path))
    assert_one_line_error(code, out, fragment)
    with pytest.raises(ConfigError) as err:
        Runner.from_config(path)
    assert fragment in str(err.value) and "\n" not in str(err.value)
    return str(err.value)


def test_misspelt_loader_param_names_the_right_one(folder: Path) -> None:
    path = write_config(folder, "name: tiny\nsources: [{path: kb, params: {dpii: 9}}]\n")
    message = _both_fail(path, "sources.0.params.dpii: unknown key")
    assert str(path) in message and "did you mean 'dpi'?" in message
    named = write_config(folder, "name: tiny\nsources: [{path: kb, loader: pdf, "
                                 "params: {dpii: 9}}]\n")
    message = _both_fail(named, "sources.0.params.dpii: unknown key of loader 'pdf'")
    assert "valid keys here: password, ocr_min_chars, dpi," in message


def test_loader_param_values_are_typed(folder: Path) -> None:
    path = write_config(folder, "name: tiny\nsources: [{path: kb, params: {dpi: -1}}]\n")
    _both_fail(path, "sources.0.params.dpi: Input should be greater than 0")
    video = write_config(folder, "name: tiny\nsources: [{path: kb, params: "
                                 "{chunk_seconds: 20, max_frames: 200}}]\n")
    assert load_config(video).sources[0].params == {"chunk_seconds": 20, "max_frames": 200}


def test_each_automatic_loader_gets_the_params_it_knows(folder: Path) -> None:
    from pipelines.ingest.sources import build_loaders

    config = load_config(write_config(folder, "name: tiny\nsources: [{path: kb, params: "
                                              "{chunk_seconds: 20, dpi: 150}}]\n"))
    loaders = {ld.name: ld for ld in build_loaders(config.sources[0], None, folder / "art")}
    assert loaders["pdf"].options.dpi == 150 and loaders["pdf"].params == {"dpi": 150}
    assert loaders["video"].options.chunk_seconds == 20
    assert loaders["text"].params == {}


def test_unimportable_or_wrong_ocr_engine_is_one_line(folder: Path) -> None:
    missing = write_config(folder, BASE + "ocr: {engine: nowhere.Ocr}\n")
    _both_fail(missing, "ocr.engine: cannot import OCR engine 'nowhere.Ocr'")
    wrong = write_config(folder, BASE + "ocr: {engine: pathlib.Path}\n")
    _both_fail(wrong, "ocr.engine: OCR engine 'pathlib.Path' is not a subclass of "
                      "loaders.base.OcrEngine")
    unknown = write_config(folder, BASE + "ocr: {engine: tesseract, psmm: 3}\n")
    assert "did you mean 'psm'?" in _both_fail(unknown, "ocr.psmm: unknown key")


def test_custom_ocr_engine_gets_its_typed_settings(folder: Path, tmp_path: Path) -> None:
    from PIL import Image

    path = write_config(folder, BASE + f"ocr: {{engine: {CUSTOM}.FixedOcr, text: ahoy}}\n")
    runner = Runner.from_config(path)
    assert runner.config.ocr.settings.text == "ahoy"
    Image.new("RGB", (40, 20), "white").save(tmp_path / "x.png")
    assert runner.ocr.image_file(tmp_path / "x.png").text == "ahoy"
    bad = write_config(folder, BASE + f"ocr: {{engine: {CUSTOM}.FixedOcr, txt: ahoy}}\n")
    assert "did you mean 'text'?" in _both_fail(bad, "ocr.txt: unknown key of OCR engine")


def test_bad_store_type_is_one_line(folder: Path) -> None:
    short = write_config(folder, BASE + "index: {store: {type: chromadb}}\n")
    assert "did you mean 'chroma'?" in _both_fail(short, "index.store.type: unknown store")
    dotted = write_config(folder, BASE + "index: {store: {type: nowhere.Store}}\n")
    _both_fail(dotted, "index.store.type: cannot import store 'nowhere.Store'")
    key = write_config(folder, BASE + "index: {store: {hots: localhost}}\n")
    assert "did you mean 'host'?" in _both_fail(key, "index.store.hots: unknown key")


def test_engine_keys_keep_their_yaml_names(folder: Path) -> None:
    path = write_config(folder, BASE + "llm: {type: extractive, min_relevance: 0.9}\n")
    config = load_config(path, ["llm.relevance_floor=0.5"])
    assert (config.llm.min_relevance, config.llm.relevance_floor) == (0.9, 0.5)
    assert (config.llm.settings.min_relevance, config.llm.settings.max_steps) == (0.9, 8)
    engine = Runner(config).engine
    assert type(engine.settings).__name__ == "ExtractiveParams"
    assert engine.settings.relevance_floor == 0.5
    message = _both_fail(write_config(folder, BASE + "llm: {min_relevancee: 0.9}\n"),
                         "llm.min_relevancee: unknown key of llm 'extractive'")
    assert "did you mean 'min_relevance'?" in message


def test_an_engine_refuses_another_engines_keys(folder: Path) -> None:
    path = write_config(folder, BASE + "llm: {type: openai, min_relevance: 0.9}\n")
    message = _both_fail(path, "llm.min_relevance: unknown key of llm 'openai'")
    assert "api_base" in message and "max_steps" not in message
    switched = load_config(write_config(folder, BASE + "llm: {type: extractive}\n"),
                           ["llm.type=openai-like", "llm.api_base=http://x"])
    assert switched.llm.settings.api_base == "http://x"
    assert "min_relevance" not in switched.llm.model_dump()
    ok = load_config(write_config(folder, BASE + "llm: {type: openai, temperature: 0.5}\n"))
    assert ok.llm.settings.temperature == 0.5 and ok.llm.settings.max_retries == 3


def test_custom_engine_params_by_dotted_path(folder: Path) -> None:
    path = write_config(folder, BASE + f"llm: {{type: {CUSTOM}.GreetingEngine, greeting: hi}}\n")
    runner = Runner.from_config(path)
    runner.ingest()
    assert runner.query("anything").answer == "hi"
    bad = write_config(folder, BASE + f"llm: {{type: {CUSTOM}.GreetingEngine, greting: hi}}\n")
    assert "did you mean 'greeting'?" in _both_fail(bad, "llm.greting: unknown key")


def test_validating_params_imports_no_loader_or_engine() -> None:
    script = (
        "import sys\n"
        "from pipelines.config.settings import load_config\n"
        "load_config('lecture-video-qa', ['sources.0.params.dpi=200', 'ocr.engine=rapidocr'])\n"
        "heavy = [m for m in ('av', 'pypdfium2', 'rapidocr', 'pytesseract', 'chromadb',\n"
        "         'llama_index.core', 'loaders.pdf', 'pipelines.engines.extractive')\n"
        "         if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_scoped_registrations_are_gone_after_the_block() -> None:
    from tests.pipelines.custom_components import CsvFaqLoader

    with registry.scoped():
        registry.register("loader", "faq-csv", CsvFaqLoader)
        assert registry.names("loader")[0] == "faq-csv"  # a user's loader goes first
        assert registry.resolve("loader", "faq-csv") is CsvFaqLoader
    assert "faq-csv" not in registry.names("loader")
    assert registry.names("loader")[:2] == ["pdf", "subtitles"]
    assert registry.names("loader")[-1] == "langchain"  # explicit-only loaders last


def test_unknown_kind_and_base_check() -> None:
    with pytest.raises(MmragError, match="unknown component kind 'reranker'"):
        registry.names("reranker")
    assert registry.names("retrieval_stage") == ["rewrite", "search", "fuse"]
    with pytest.raises(MmragError, match=r"'pathlib\.Path' is not a subclass of "
                                         r"loaders\.base\.Loader"):
        registry.resolve("loader", "pathlib.Path")


PLUGIN = '''
CALLS = []


def setup(reg):
    CALLS.append(reg)
    reg.register("llm", "plugged", "tests.pipelines.custom_components:GreetingEngine")
'''


def test_entry_point_plugins_load_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    registry.current()  # the registry in use has looked for plugins before this one exists
    (tmp_path / "fake_mmrag_plugin.py").write_text(PLUGIN, encoding="utf-8")
    dist = tmp_path / "fake_mmrag_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-mmrag-plugin\n"
                                   "Version: 1.0\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text(
        "[mmrag.plugins]\nfake = fake_mmrag_plugin:setup\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with registry.scoped(builtins()) as reg:
        assert "plugged" in registry.names("llm")
        assert registry.resolve("llm", "plugged").__name__ == "GreetingEngine"
        registry.names("llm")
        import fake_mmrag_plugin

        assert [reg] == fake_mmrag_plugin.CALLS  # once, with the registry in use
    assert "plugged" not in registry.names("llm")  # the block's registry is gone


def test_broken_plugin_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    registry.current()
    dist = tmp_path / "broken_mmrag_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-mmrag-plugin\n"
                                   "Version: 1.0\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text(
        "[mmrag.plugins]\nbroken = no_such_module_here:setup\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    expected = r"plugin 'broken' \(no_such_module_here:setup\): cannot load: ModuleNotFound"
    with pytest.raises(MmragError, match=expected), registry.scoped(builtins()):
        pass
    assert registry.names("llm")[0] == "extractive"  # the registry in use is unaffected


def test_loader_without_params_model_takes_params_unchecked(folder: Path) -> None:
    from pydantic import ValidationError

    from loaders.pdf import PdfLoader
    from pipelines.ingest.sources import build_loaders
    from tests.pipelines.custom_components import CsvFaqLoader

    with registry.scoped():
        registry.register("loader", "faq-csv", CsvFaqLoader)
        path = write_config(folder, "name: tiny\nsources: [{path: kb, loader: faq-csv, "
                                    "params: {delimiter: ';'}}]\n")
        [loader] = build_loaders(load_config(path).sources[0], None, folder / "art")
        assert loader.params == {"delimiter": ";"} and loader.options is None
    with pytest.raises(ValidationError, match="dpii"):
        PdfLoader(dpii=9)  # built in code, a loader checks its params too
