"""The extractive answerer: quotes steps in order, cites, never invents, handles Chinese."""

from __future__ import annotations

from llama_index.core.schema import NodeWithScore, TextNode

from pipelines.config.schema import LLMConfig
from pipelines.engines.articles import parse
from pipelines.engines.extractive import ExtractiveEngine
from pipelines.query import Hit, Query

EN = """# npm EACCES permission denied

Error text: `npm ERR! code EACCES`

## Cause
npm tries to write to a folder owned by root.

## Fix
1. Create a folder for global packages: `mkdir ~/.npm-global`.
2. Point npm at it: `npm config set prefix ~/.npm-global`.
   Then add it to PATH.
3. Reinstall the package without sudo.
"""

ZH = """# 微信提示网络不可用

错误信息：`当前网络不可用，请检查你的网络设置`

## 原因
代理设置错误。

## 解决步骤
1. 关闭系统代理。
2. 重启微信。
"""


def hit(text: str, source: str, score: float = 0.9, page: int | None = None) -> Hit:
    meta = {"source": source, "modality": "text"}
    if page:
        meta["page"] = page
    return Hit.from_node(NodeWithScore(node=TextNode(text=text, metadata=meta), score=score))


def engine() -> ExtractiveEngine:
    return ExtractiveEngine(LLMConfig())


def reply_text(question: str, query_text: str, images: list[str], hits: list[Hit]) -> str:
    """The answer text; a decline is flagged on the reply as well."""
    reply = engine().answer(Query(question, query_text, tuple(images)), hits)
    assert reply.declined == (reply.text in ("No relevant information found in the knowledge "
                                             "base.", "知识库中没有找到相关内容。"))
    return reply.text


def test_parse_finds_title_sections_and_wrapped_steps() -> None:
    article = parse(EN)
    assert article.title == "npm EACCES permission denied"
    assert article.steps[1] == ("Point npm at it: `npm config set prefix ~/.npm-global`. "
                                "Then add it to PATH.")
    assert len(article.steps) == 3
    assert article.section("cause").body.startswith("npm tries")


def test_parse_pdf_style_plain_headings() -> None:
    text = "Title line\nCause\nSomething broke.\nFix\n1. Do this\n2. Do that\n"
    article = parse(text)
    assert article.title == "Title line" and article.steps == ["Do this", "Do that"]


def test_answer_quotes_steps_in_order_with_citations() -> None:
    text = reply_text("How do I fix this?", "q", [], [hit(EN, "kb/npm.md"),
                                                           hit(ZH, "kb/wx.md", 0.8)])
    assert "not generated" in text
    first, second, third = (text.index(s) for s in ("1. Create", "2. Point", "3. Reinstall"))
    assert first < second < third
    assert "`mkdir ~/.npm-global`. [1]" in text
    assert "Cause: npm tries to write to a folder owned by root. [1]" in text
    assert "See also: [2] kb/wx.md" in text
    quoted = [line.split(". ", 1)[1].removesuffix(" [1]") for line in text.splitlines()
              if line[:1].isdigit()]
    assert quoted == parse(EN).steps  # the steps, verbatim and complete, nothing added


def test_chinese_question_gets_chinese_labels() -> None:
    text = reply_text("这个错误怎么解决？", "q", [], [hit(ZH, "kb/wx.md")])
    assert text.startswith("摘录式回答")
    assert "原因: 代理设置错误。 [1]" in text and "1. 关闭系统代理。 [1]" in text


def test_no_hits_says_nothing_found() -> None:
    assert reply_text("What is love?", "q", [], []) == (
        "No relevant information found in the knowledge base.")


def test_passage_without_steps_quotes_best_sentences_with_page() -> None:
    text = "The printer uses port 9100. It must be on the same subnet. Reboot fixes nothing."
    answer = reply_text("Which port?", "printer port", [], [hit(text, "m.pdf", page=3)])
    assert "(m.pdf, p. 3)" in answer
    assert "- The printer uses port 9100. [1]" in answer


def test_sentences_come_only_from_passages_about_as_close_as_the_best() -> None:
    rows = [hit("Q: How do I reset my VPN token?\nA: Use the portal.", "faq.csv", 0.93),
            hit("Q: Outlook asks for my password\nA: Remove saved credentials.", "faq.csv", 0.80),
            hit("Q: VPN drops every hour\nA: Update the VPN client.", "faq.csv", 0.91)]
    answer = reply_text("VPN token", "VPN token", [], rows)
    assert "Use the portal. [1]" in answer and "VPN drops every hour [3]" in answer
    assert "credentials" not in answer and "[2]" not in answer  # 0.13 below the best


def test_weak_best_hit_is_not_relevant_unless_it_has_the_code() -> None:
    weak = [hit(EN, "kb/npm.md", score=0.80)]
    assert reply_text("best pizza in town?", "best pizza in town?", [], weak) == (
        "No relevant information found in the knowledge base.")
    assert reply_text("这是什么？", "今天吃什么", [], weak) == "知识库中没有找到相关内容。"
    assert "1. Create a folder" in reply_text("EACCES", "EACCES", [], weak)
