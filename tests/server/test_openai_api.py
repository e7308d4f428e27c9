"""The OpenAI-compatible API, used through the real `openai` SDK and LangChain's ChatOpenAI."""

from __future__ import annotations

import openai
import pytest

from tests.server.conftest import KEY, SHOTS, data_url

PIPELINE = "error-screenshot-support"
ARTICLE = "pip-ssl-certificate-verify-failed.md"


@pytest.fixture(scope="module")
def client(support_server: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{support_server}/v1", api_key=KEY, max_retries=0)


def screenshot_message(question: str = "How do I fix this?") -> list[dict]:
    image = {"url": data_url(SHOTS / "shot01-pip-ssl.png")}
    return [{"role": "system", "content": "You are a support assistant."},
            {"role": "user", "content": [{"type": "text", "text": question},
                                         {"type": "image_url", "image_url": image}]}]


def test_models_lists_the_pipelines(client: openai.OpenAI) -> None:
    models = client.models.list()
    assert [m.id for m in models.data] == [PIPELINE]


def test_chat_with_a_screenshot_cites_the_article(client: openai.OpenAI,
                                                  support_runner: object) -> None:
    reply = client.chat.completions.create(model=PIPELINE, messages=screenshot_message())
    content = reply.choices[0].message.content
    assert reply.choices[0].finish_reason == "stop"
    assert "[1]" in content
    assert "Sources:\n[1] examples/error-screenshot-support/kb/" + ARTICLE in content
    assert "/work/" not in content and str(support_runner.config.folder) not in content
    extension = reply.model_extra["mmrag"]
    assert extension["sources"][0]["source"].endswith(ARTICLE)
    assert extension["declined"] is False
    assert "CERTIFICATE" in extension["query_text"]  # the screenshot was OCR'd
    assert reply.usage is not None and reply.usage.total_tokens == 0  # offline: no LLM tokens


def test_streamed_reply_equals_the_plain_one(client: openai.OpenAI) -> None:
    plain = client.chat.completions.create(model=PIPELINE, messages=screenshot_message())
    stream = client.chat.completions.create(model=PIPELINE, messages=screenshot_message(),
                                            stream=True, stream_options={"include_usage": True})
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == plain.choices[0].message.content
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) >= 2
    finals = [c for c in chunks if c.choices and c.choices[0].finish_reason == "stop"]
    assert len(finals) == 1
    assert finals[0].model_extra["mmrag"]["sources"][0]["source"].endswith(ARTICLE)
    assert chunks[-1].usage is not None and not chunks[-1].choices


def test_where_filter_through_extra_body(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(
        model=PIPELINE, messages=[{"role": "user", "content": "pip SSL certificate error"}],
        extra_body={"mmrag": {"where": ["source=*docker*"]}})
    sources = reply.model_extra["mmrag"]["sources"]
    assert sources and all("docker" in s["source"] for s in sources)


def test_remote_image_urls_are_refused(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="remote image URLs are not fetched"):
        client.chat.completions.create(model=PIPELINE, messages=[{"role": "user", "content": [
            {"type": "text", "text": "what is this"},
            {"type": "image_url", "image_url": {"url": "http://127.0.0.1:9/x.png"}}]}])


def test_unknown_model_is_a_404(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError, match="unknown pipeline 'nope'"):
        client.chat.completions.create(model="nope", messages=[{"role": "user", "content": "x"}])


def test_langchain_chat_openai(support_server: str) -> None:
    from langchain_core.messages import HumanMessage
    from langchain_openai import ChatOpenAI

    chat = ChatOpenAI(base_url=f"{support_server}/v1", api_key=KEY, model=PIPELINE,
                      max_retries=0)
    message = HumanMessage(content=[
        {"type": "text", "text": "How do I fix this?"},
        {"type": "image_url", "image_url": {"url": data_url(SHOTS / "shot01-pip-ssl.png")}}])
    reply = chat.invoke([message])
    assert ARTICLE in reply.content
    streamed = "".join(chunk.content for chunk in chat.stream([message]))
    assert streamed == reply.content
