"""The CC-CEDICT bridge: Chinese query words as English terms and back, and its BM25 ranking."""

from __future__ import annotations

from pathlib import Path

from loaders.text_analysis import has_han
from pipelines.query.bridge import bridge_terms, dictionary, translation
from pipelines.runner import Runner
from tests.conftest import write_config


def test_chinese_words_get_their_english_glosses_and_back() -> None:
    assert {"certificate", "browser", "website"} <= set(bridge_terms("证书过期 浏览器打不开网站"))
    assert {"eigenvalue", "eigenvector"} <= set(bridge_terms("特征值和特征向量是什么"))
    assert "端口" in bridge_terms("which port is it using")
    assert "证书" in bridge_terms("the certificate expired")
    assert bridge_terms("") == [] and bridge_terms("the and of") == []


def test_a_translation_holds_only_the_other_language_and_keeps_untranslatable_words() -> None:
    """A Chinese question keeps its Latin words (what an English article also says) and loses
    the Chinese glosses of them; an English one keeps its product names and identifiers."""
    zh = translation("git pull 完代码里冒出好多 <<<<<<< HEAD 这种行，项目跑不起来", "zh").split()
    assert {"git", "pull", "HEAD", "code", "project"} <= set(zh)
    assert not any(has_han(t) for t in zh)
    en = translation("WeChat for Windows won't log me in, Chrome loads fine", "en").split()
    assert {"WeChat", "Chrome", "日志"} <= set(en)
    assert not {"won", "t", "for", "in"} & set(en)
    assert {"A", "n"} <= set(translation("n×n 的矩阵 A 有几个特征值", "zh").split())
    assert translation("", "zh") == "" and translation("the and of", "en") == ""


def test_tables_are_cached_for_the_next_process(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MMRAG_CACHE_DIR", str(tmp_path))
    dictionary.cache_clear()
    try:
        first = dictionary()
        (cached,) = (tmp_path / "cedict").glob("*.pickle")
        dictionary.cache_clear()
        assert dictionary() == first and cached.stat().st_size > 1_000_000
    finally:
        dictionary.cache_clear()


def test_bm25_finds_the_article_in_the_other_language_through_the_translation(
        tmp_path: Path) -> None:
    """BM25 alone cannot match a Chinese question to English text; its translation can."""
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "cert.md").write_text("# Expired certificate\nThe browser refuses the website "
                                "because its certificate expired. Renew the certificate.\n")
    (kb / "disk.md").write_text("# Disk full\nDelete old logs to free space on the disk.\n")
    (kb / "zh.md").write_text("# 打印机无法连接\n检查打印机的网络和驱动程序。\n")
    config = write_config(tmp_path, "sources: [{path: kb}]\n")
    store = {"index.store.path": str(tmp_path / "store")}
    Runner.from_config(config, store).ingest()
    question = "证书过期了 浏览器打不开网站"

    def top(**overrides: object) -> list[str]:
        runner = Runner.from_config(config, {**store, "retrieval.mode": "lexical", **overrides})
        return [h.node.metadata["source"] for h in runner.retrieve(question)]

    assert not any(s.endswith("cert.md") for s in top(**{"retrieval.translate": False}))
    assert top(**{"retrieval.translate": True})[0].endswith("cert.md")
