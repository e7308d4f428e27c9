"""The built wheel works without the checkout: it is installed into a fresh venv (no index,
no dependencies: they come from this venv's site-packages through a .pth line, whose own
.pth files, the editable mmrag among them, are not run), then `mmrag list`, `show-config`
and an ingest + query of a small user config run from a folder outside the checkout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.wheel
SOURCES = ["pyproject.toml", "README.md", "pipelines", "loaders", "configs", "prompts"]


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None,
        timeout: float = 600) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with only the wheel built from a copy of the sources installed."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    for name in SOURCES:  # a copy, so the build leaves nothing in the checkout
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, src / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    run(*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", work / "dist",
        src, cwd=work)
    (wheel,) = (work / "dist").glob("mmrag-*.whl")
    env = work / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", env, cwd=work)
    run(*pip, "--python", env / "bin" / "python", "install", "--no-deps", "--no-index",
        wheel, cwd=work)
    site = Path(run(env / "bin" / "python", "-c", "import sysconfig; "
                    "print(sysconfig.get_paths()['purelib'])", cwd=work).stdout.strip())
    (site / "zz-shared-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A working folder outside the checkout and an environment without PYTHONPATH."""
    folder = tmp_path_factory.mktemp("user")
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "MMRAG_CONFIGS_DIR", "MMRAG_PROMPTS_DIR")}
    env["MMRAG_CACHE_DIR"] = str(folder / "cache")
    return folder, env


def test_the_installed_package_is_the_wheel(venv: Path, outside) -> None:
    folder, env = outside
    code = ("import pipelines, loaders, pipelines.engines.llm, pipelines.interop.langchain;"
            "from pipelines.config.settings import configs_dir, prompts_dir;"
            "print(pipelines.__file__, loaders.__file__, configs_dir(), prompts_dir())")
    paths = run(venv / "bin" / "python", "-c", code, cwd=folder, env=env).stdout.split()
    assert all(Path(p).is_relative_to(venv) for p in paths), paths
    assert not any(Path(p).is_relative_to(ROOT) for p in paths), paths


def test_list_and_show_config_from_the_wheel(venv: Path, outside) -> None:
    folder, env = outside
    listed = run(venv / "bin" / "mmrag", "list", cwd=folder, env=env).stdout
    for name in ("error-screenshot-support", "math-question-from-photo", "lecture-video-qa"):
        assert name in listed
    shown = run(venv / "bin" / "mmrag", "show-config", "math-question-from-photo",
                cwd=folder, env=env).stdout
    assert "prompt: math-question-from-photo" in shown and str(ROOT) not in shown
    for command in ("validate", "ingest"):  # its example files stay in the repository
        result = subprocess.run([venv / "bin" / "mmrag", command, "lecture-video-qa"], cwd=folder,
                                env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        (line,) = result.stderr.splitlines()
        assert "source path not found" in line and "docs/packaging.md" in line


def test_ingest_and_query_a_user_config_from_the_wheel(venv: Path, outside) -> None:
    folder, env = outside
    (folder / "kb").mkdir()
    (folder / "kb" / "vpn.md").write_text(
        "# VPN token reset\n\nError: `VPN_TOKEN_EXPIRED`\n\n## Fix\n"
        "1. Open the self-service portal.\n2. Choose Reset token.\n", encoding="utf-8")
    (folder / "kb" / "printer.md").write_text(
        "# Printer offline\n\n## Fix\n1. Turn the printer off and on again.\n", encoding="utf-8")
    (folder / "tiny.yaml").write_text(  # a shipped prompt by name, from the package data
        "sources: [{path: kb}]\nprompt: error-screenshot-support\ningest: {workers: 0}\n",
        encoding="utf-8")
    mmrag = venv / "bin" / "mmrag"
    summary = json.loads(run(mmrag, "ingest", "tiny.yaml", "--json", cwd=folder, env=env).stdout)
    assert (summary["loaded"], summary["failed"]) == (2, 0)
    answer = json.loads(run(mmrag, "query", "tiny.yaml", "VPN_TOKEN_EXPIRED what now?", "--json",
                            cwd=folder, env=env).stdout)
    assert answer["sources"][0]["source"] == "kb/vpn.md"
    assert "Reset token" in answer["answer"]
    assert (folder / ".mmrag" / "tiny").is_dir()  # the index sits beside the user's config
