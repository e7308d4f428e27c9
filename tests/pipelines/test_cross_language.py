"""Cross-language dense ranking: each passage judged by the query in its own language."""

from __future__ import annotations

from pathlib import Path

import pytest
from llama_index.core.schema import NodeWithScore, TextNode

from pipelines.query import Hit
from pipelines.query.cross_language import by_language, language, lexical_by_language
from pipelines.runner import Runner
from tests.conftest import write_config


def hit(node_id: str, text: str, score: float) -> Hit:
    return Hit.from_node(NodeWithScore(node=TextNode(id_=node_id, text=text), score=score))


def test_language_of_a_text() -> None:
    assert language("如何因式分解这个方程") == "zh"
    assert language("How do I factor this equation?") == "en"
    assert language("这个报错怎么解决？ Traceback: FileNotFoundError in main.py line 3") is None
    assert language("12 + 7 = 19") is None


def test_other_language_passages_are_ranked_by_the_translation() -> None:
    # The Chinese question scores Chinese passages higher whatever they say (0.90, 0.89);
    # its translation picks the English passage that answers it out of the English ones.
    original = [hit("zh1", "鸡兔同笼问题的解法", 0.90), hit("zh2", "概率与骰子", 0.89),
                hit("en1", "Factor the quadratic equation", 0.84),
                hit("en2", "Convert units of length", 0.83)]
    translated = [hit("en1", "Factor the quadratic equation", 0.88),
                  hit("en2", "Convert units of length", 0.80),
                  hit("en3", "Find the slope of a line", 0.79),
                  hit("zh1", "鸡兔同笼问题的解法", 0.70)]
    ranked = by_language(original, translated, "zh")
    assert ranked[0].id == "en1" and ranked[0].score == 0.88  # its best cosine
    assert {h.id for h in ranked} == {"zh1", "zh2", "en1", "en2", "en3"}
    assert by_language(original, translated, None) is original  # mixed query: unchanged
    assert by_language(original, [], "zh") is original


def test_bm25_of_the_translation_is_scaled_by_the_best_it_found_anywhere() -> None:
    # "0x8007000E during install": the translation keeps the code, so its best BM25 match is
    # the English article that has it; a Chinese article matching only the gloss of
    # "install" gets a share of that, not the full score of the best Chinese match.
    nodes = {h.id: h for h in (hit("en1", "Error 0x8007000E: out of memory", 0.0),
                               hit("en2", "Error 0x80070643 during install", 0.0),
                               hit("zh1", "安装时提示应用程序无法正常启动", 0.0))}
    native = [("en1", "text", 6.0), ("en2", "text", 4.0)]
    bridged = [("en1", "text", 5.0), ("zh1", "text", 2.0)]
    ranked = lexical_by_language(native, bridged, nodes, "en")
    assert [i for i, _, _ in ranked] == ["en1", "en2", "zh1"]
    assert [round(s, 2) for _, _, s in ranked] == [1.0, 0.67, 0.4]
    # A Chinese question about an English knowledge base: the translation's best match is
    # English, so the English passages keep their full share.
    nodes["zh2"] = hit("zh2", "概率", 0.0)
    ranked = lexical_by_language([("zh2", "text", 3.0)], [("en2", "text", 4.0)], nodes, "zh")
    assert sorted((i, s) for i, _, s in ranked) == [("en2", 1.0), ("zh2", 1.0)]


def test_a_chinese_question_finds_the_english_article(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "factor.md").write_text("# Solving a quadratic equation by factoring\nWrite the "
                                  "quadratic as a product of two factors and set each to zero.\n")
    (kb / "units.md").write_text("# Converting units of length\nMultiply by the conversion "
                                 "factor: 1 kilometre is 1000 metres.\n")
    (kb / "zh-cage.md").write_text("# 鸡兔同笼\n设鸡有x只，兔有y只，根据头数和脚数列方程组求解。\n")
    (kb / "zh-dice.md").write_text("# 掷骰子的概率\n所求事件包含的结果数除以所有可能的结果数。\n")
    config = write_config(tmp_path, "sources: [{path: kb}]\n")
    store = {"index.store.path": str(tmp_path / "store"), "retrieval.mode": "dense"}
    Runner.from_config(config, store).ingest()
    question = "二次方程 因式分解 怎么解"

    def top(translate: bool) -> str:
        runner = Runner.from_config(config, {**store, "retrieval.translate": translate})
        return runner.retrieve(question)[0].node.metadata["source"]

    assert top(True).endswith("factor.md")
    assert not top(False).endswith("factor.md")  # e5 alone prefers a Chinese article


def test_an_english_question_is_not_translated_for_an_english_knowledge_base(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pipelines.query.search as retrieval

    kb = tmp_path / "kb"
    kb.mkdir()
    for n in range(25):
        (kb / f"note{n}.md").write_text(f"# Note {n}\nRestart the print spooler, step {n}.\n")
    (kb / "stray.md").write_text("# Stray\nOne word of Chinese: 打印机.\n")  # 1 of 26 passages
    config = write_config(tmp_path, "sources: [{path: kb}]\n")
    runner = Runner.from_config(config, {"index.store.path": str(tmp_path / "store")})
    runner.ingest()
    searched: list[list[str]] = []
    embed = retrieval.query_embeddings
    monkeypatch.setattr(retrieval, "query_embeddings",
                        lambda model, texts: searched.append(texts) or embed(model, texts))
    runner.retrieve("printer spooler keeps stopping")
    assert len(searched[-1]) == 1  # no Chinese to bridge to: the question alone
    for n in range(3):  # now 4 of 29 passages hold Chinese: the translation is searched too
        (kb / f"zh{n}.md").write_text(f"# 打印机 {n}\n重新启动打印后台处理程序。\n")
    runner.ingest()
    runner.retrieve("printer spooler keeps stopping")
    assert len(searched[-1]) == 2
    assert runner.index.catalog.lexical.chinese_share() == pytest.approx(4 / 29)
