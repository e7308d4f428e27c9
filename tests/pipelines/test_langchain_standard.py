"""LangChain's own standard retriever suite (langchain-tests `RetrieversIntegrationTests`)
against `MmragRetriever` on the shipped support index, plus a check that the pytest plugins
langchain-tests pulls in (pytest-socket, syrupy, ...) stay off for the rest of the suite."""

from __future__ import annotations

import socket
from typing import Any

import pytest

pytest.importorskip("langchain_tests")

from langchain_tests.integration_tests import RetrieversIntegrationTests  # noqa: E402

from pipelines.interop.langchain import MmragRetriever  # noqa: E402


class TestMmragRetrieverStandard(RetrieversIntegrationTests):
    """`k` in the constructor and in `invoke`, sync and async invoke, no overridden test."""

    runner: Any = None

    @pytest.fixture(autouse=True)
    def _shared_runner(self, support_runner) -> None:
        type(self).runner = support_runner  # ingested once per session (tests/conftest.py)

    @property
    def retriever_constructor(self) -> type[MmragRetriever]:
        return MmragRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"runner": self.runner}

    @property
    def retriever_query_example(self) -> str:
        return "pip install fails with SSL CERTIFICATE_VERIFY_FAILED"


def test_k_beyond_top_k_and_invalid_k(support_runner) -> None:
    """`k` asks retrieval for that many hits, above `retrieval.top_k` (5) too; k=0 is refused."""
    docs = MmragRetriever(runner=support_runner, k=8).invoke("docker daemon not running")
    assert len(docs) == 8 and [d.metadata["rank"] for d in docs] == list(range(1, 9))
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        MmragRetriever(runner=support_runner, k=0)


def test_langchain_tests_plugins_stay_inactive(request: pytest.FixtureRequest) -> None:
    """pyproject's `-p no:...` keeps the plugins langchain-tests installs out of the suite."""
    manager = request.config.pluginmanager
    for name in ("socket", "recording", "syrupy", "benchmark", "codspeed", "langsmith_plugin"):
        assert not manager.has_plugin(name), name
    assert manager.has_plugin("asyncio")  # needed for the suite's ainvoke test
    with socket.create_server(("127.0.0.1", 0)) as server:  # sockets are not disabled
        socket.create_connection(server.getsockname(), timeout=5).close()
