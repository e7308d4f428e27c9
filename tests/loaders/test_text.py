"""Text/Markdown loader: encodings, titles, empty files."""

from __future__ import annotations

from pathlib import Path

from loaders.text import TextLoader


def test_markdown_title_and_text(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("# Fix the printer\n\nSentinel-42 step.\n", encoding="utf-8")
    (doc,) = TextLoader().load(path)
    assert doc.metadata["title"] == "Fix the printer" and "Sentinel-42" in doc.text
    assert doc.source == str(path) and doc.modality == "text"


def test_gbk_and_bom_files_decode(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("磁盘空间不足，请清理临时文件。系统找不到指定的文件。".encode("gbk"))
    bom = tmp_path / "bom.txt"
    bom.write_bytes("\ufeffhello world".encode())
    assert "磁盘空间不足" in next(TextLoader().load(gbk)).text
    assert next(TextLoader().load(bom)).text == "hello world"


def test_empty_file_yields_nothing(tmp_path: Path) -> None:
    path = tmp_path / "e.txt"
    path.write_text("   \n")
    assert list(TextLoader().load(path)) == []
