"""The docs site builds with `mkdocs build --strict`: a broken link, a link to a missing page
or anchor, or a page left out of the site fails the suite."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytest.importorskip("mkdocs")


def build(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                           "-f", str(config), "-d", str(site)],
                          capture_output=True, text=True, timeout=300)


def test_strict_build_of_the_docs_site(tmp_path: Path) -> None:
    result = build(ROOT / "mkdocs.yml", tmp_path / "site")
    assert result.returncode == 0, result.stdout + result.stderr
    pages = {p.stem for p in (ROOT / "docs").glob("*.md")}
    built = {p.parent.name if p.parent != tmp_path / "site" else "index"
             for p in (tmp_path / "site").rglob("index.html")}
    assert pages <= built, pages - built  # every docs/*.md page is in the site


def test_a_broken_link_fails_the_build(tmp_path: Path) -> None:
    """The same site with one link pointing at a missing anchor, then at a missing page."""
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    page = tmp_path / "docs" / "index.md"
    original = page.read_text(encoding="utf-8")
    for broken in ("(cli.md#no-such-heading)", "(no-such-page.md)"):
        page.write_text(original.replace("(cli.md)", broken, 1), encoding="utf-8")
        result = build(tmp_path / "mkdocs.yml", tmp_path / "site")
        assert result.returncode != 0, broken
        assert re.search(r"no-such-(heading|page)", result.stdout + result.stderr), broken


def test_readme_links_into_the_docs_resolve() -> None:
    """README.md is outside the site: its relative links to docs/ pages are checked here."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\((docs/[^)#\s]+)(?:#[^)]*)?\)", readme)
    assert len(links) >= 10
    missing = [link for link in links if not (ROOT / link).is_file()]
    assert not missing, missing
