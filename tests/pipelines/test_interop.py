"""The pipeline used from LlamaIndex (query engine) and LangChain (retriever, runnable)."""

from __future__ import annotations

from langchain_core.documents import Document
from langchain_core.prompts import PromptTemplate
from langchain_core.runnables import RunnableLambda, RunnablePassthrough
from llama_index.core.base.response.schema import Response, StreamingResponse
from llama_index.core.schema import QueryBundle

from pipelines.interop.langchain import MmragRetriever, as_runnable
from pipelines.interop.llamaindex import MmragQueryEngine
from tests.conftest import EXAMPLES
from tests.fake_openai import FakeOpenAI

SHOT = EXAMPLES / "error-screenshot-support" / "queries" / "shot07-node-eaddrinuse.png"


def test_llamaindex_query_engine_returns_response_with_sources(support_runner) -> None:
    engine = MmragQueryEngine(support_runner)
    response = engine.query(QueryBundle("How do I fix this?", image_path=str(SHOT)))
    assert isinstance(response, Response)
    assert "node-eaddrinuse-port-in-use.md" in response.source_nodes[0].node.metadata["source"]
    assert "[1]" in response.response
    assert "EADDRINUSE" in response.metadata["query_text"]
    assert engine.query("pip ssl certificate").source_nodes  # plain strings work too


def test_llamaindex_streaming_response(support_runner, monkeypatch) -> None:
    from tests.pipelines.test_llm import KEY, llm_runner

    monkeypatch.setenv("FAKE_LLM_KEY", KEY)
    with FakeOpenAI(reply="Free the port [1]") as server:
        engine = MmragQueryEngine(llm_runner(support_runner, server.url), streaming=True)
        response = engine.query("port 3000 already in use")
        assert isinstance(response, StreamingResponse)
        assert "".join(response.response_gen).strip() == "Free the port [1]"
    assert response.source_nodes and response.metadata["usage"]["total_tokens"] == 1500


def test_langchain_retriever_in_a_chain(support_runner) -> None:
    retriever = MmragRetriever(runner=support_runner, where="source=*.md")
    docs = retriever.invoke("git push Permission denied (publickey)")
    assert isinstance(docs[0], Document)
    assert docs[0].metadata["source"].endswith("git-permission-denied-publickey.md")
    assert docs[0].metadata["rank"] == 1 and all(d.metadata["source"].endswith(".md")
                                                 for d in docs)
    prompt = PromptTemplate.from_template("Context:\n{context}\n\nQuestion: {question}")
    chain = ({"context": retriever | RunnableLambda(lambda ds: "\n\n".join(
        d.page_content for d in ds)), "question": RunnablePassthrough()} | prompt)
    text = chain.invoke("ssh-keygen publickey denied").to_string()
    assert text.endswith("Question: ssh-keygen publickey denied")
    context = text[:text.index("Question:")]
    # words only the retrieved article holds: the chain's context is the retrieved documents
    assert "ssh-add ~/.ssh/id_ed25519" in context and "IdentitiesOnly yes" in context


def test_langchain_runnable_answers_and_batches(support_runner) -> None:
    runnable = as_runnable(support_runner)
    answer = runnable.invoke({"question": "How do I fix this?", "image": str(SHOT)})
    assert answer["sources"][0]["source"].endswith("node-eaddrinuse-port-in-use.md")
    pick = runnable | RunnableLambda(lambda a: a["sources"][0]["source"].rsplit("/", 1)[-1])
    assert pick.batch(["docker daemon is not running", "CUDA out of memory"]) == [
        "docker-cannot-connect-daemon.md", "cuda-out-of-memory.md"]
