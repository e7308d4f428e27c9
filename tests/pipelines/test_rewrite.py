"""LLM query rewriting: the LLM's translation is searched, cached, and counted in usage."""

from __future__ import annotations

from pipelines.runner import Runner
from tests.fake_openai import USAGE, FakeOpenAI

QUESTION = "容器服务连不上，怎么办？"  # about an English article (docker-cannot-connect-daemon)
TRANSLATE = "Translate the user's search query"


def rewriting_runner(support_runner: Runner, url: str, rewrite: bool = True) -> Runner:
    return Runner.from_config("error-screenshot-support", {
        "index.store.path": support_runner.config.index.store.path,
        "llm.type": "openai-like", "llm.api_base": url, "llm.model": "qwen2.5vl",
        "llm.max_retries": 0, "retrieval.rewrite": rewrite,
        "llm.price_per_million": {"input": 1.0, "output": 2.0},
    })


def test_the_llm_translation_is_searched_cached_and_counted(support_runner, monkeypatch) -> None:
    from pipelines.query.search import SearchStage

    searched: list[str | None] = []
    run = SearchStage.run

    def spy(self, state):  # noqa: ANN001, ANN202
        searched.append(state.translation)
        return run(self, state)

    monkeypatch.setattr(SearchStage, "run", spy)
    # other tests translate QUESTION into the same session store: start from an empty cache
    (support_runner.index.state_dir / "rewrites.sqlite").unlink(missing_ok=True)
    with FakeOpenAI(reply="Start the daemon [1]") as server:
        server.replies[TRANSLATE] = "Cannot connect to the Docker daemon. Is it running?"
        runner = rewriting_runner(support_runner, server.url)
        first = runner.query(QUESTION)
        again = rewriting_runner(support_runner, server.url).query(QUESTION)
    translate, answer, answer_again = server.requests  # the second translation was cached
    system, user = translate["body"]["messages"]
    assert system["content"].startswith(TRANSLATE) and "English" in system["content"]
    assert user["content"] == QUESTION
    assert TRANSLATE not in answer["body"]["messages"][0]["content"]
    assert searched == ["Cannot connect to the Docker daemon. Is it running?"] * 2
    assert first.sources[0].source.endswith("docker-cannot-connect-daemon.md")
    one = USAGE["prompt_tokens"] * 1.0 / 1e6 + USAGE["completion_tokens"] * 2.0 / 1e6
    assert first.usage["total_tokens"] == 2 * USAGE["total_tokens"]  # translation + answer
    assert first.usage["cost_usd"] == round(2 * one, 6)
    assert again.usage["total_tokens"] == USAGE["total_tokens"]  # the answer only
    assert again.sources[0].source == first.sources[0].source


def test_without_rewrite_no_translation_is_asked(support_runner) -> None:
    with FakeOpenAI() as server:
        rewriting_runner(support_runner, server.url, rewrite=False).query(QUESTION)
        (request,) = server.requests
    assert not request["body"]["messages"][0]["content"].startswith(TRANSLATE)


def test_the_extractive_answerer_keeps_the_dictionary_translation(support_runner) -> None:
    runner = Runner.from_config("error-screenshot-support", {
        "index.store.path": support_runner.config.index.store.path, "retrieval.rewrite": True})
    plain = Runner.from_config("error-screenshot-support", {
        "index.store.path": support_runner.config.index.store.path})
    assert [s.source for s in runner.query(QUESTION).sources] == [
        s.source for s in plain.query(QUESTION).sources]
