"""mmrag pipelines: config, index, retrieval, answer engines, runner and CLI.

Heavy modules load lazily so that `mmrag list` and `mmrag validate` start fast.
"""

from typing import Any

__all__ = ["Answer", "Runner", "load_config"]


def __getattr__(name: str) -> Any:
    if name == "Runner":
        from pipelines.runner import Runner

        return Runner
    if name == "Answer":
        from pipelines.query.answer import Answer

        return Answer
    if name == "load_config":
        from pipelines.config.settings import load_config

        return load_config
    raise AttributeError(name)
