"""Any LangChain document loader, named by dotted class path, for users who already have one."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

from loaders.base import Document, Loader
from loaders.errors import LoaderError, MissingDependencyError
from loaders.params import LangChainParams


class LangChainLoader(Loader):
    """Wraps a LangChain `BaseLoader` class; each of its documents becomes one of ours.

    Params:
        class: Dotted path of the LangChain loader, e.g.
            `langchain_community.document_loaders.CSVLoader`.
        suffixes: File suffixes it takes (default: every file of the source).
        path_arg: Name of the constructor argument that receives the file path
            (default `file_path`).
        kwargs: Other constructor arguments.
    """

    name = "langchain"
    Params = LangChainParams
    options: LangChainParams

    def accepts(self, path: Path) -> bool:
        suffixes = self.options.suffixes
        return not suffixes or path.suffix.lower() in [s.lower() for s in suffixes]

    def load(self, path: Path) -> Iterator[Document]:
        cls = self._class(path)
        kwargs = {self.options.path_arg: str(path), **self.options.kwargs}
        try:
            for doc in cls(**kwargs).lazy_load():
                meta = {k: v for k, v in doc.metadata.items()
                        if isinstance(v, str | int | float | bool)}
                page = meta.pop("page", None)
                yield Document(text=doc.page_content, source=str(path),
                               page=int(page) + 1 if isinstance(page, int) else None,
                               metadata=meta)
        except LoaderError:
            raise
        except Exception as exc:  # the wrapped loader's own errors, as one line
            raise LoaderError(path, f"{cls.__name__}: {exc.__class__.__name__}: {exc}") from None

    def _class(self, path: Path) -> type:
        try:
            from langchain_core.document_loaders import BaseLoader
        except ImportError:
            raise MissingDependencyError("langchain-core", "langchain") from None
        target = self.options.class_ or ""
        module_name, _, attr = target.rpartition(".")
        try:
            cls = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError, ValueError) as exc:
            raise LoaderError(path, f"cannot import LangChain loader {target!r}: {exc}") from None
        if not (isinstance(cls, type) and issubclass(cls, BaseLoader)):
            raise LoaderError(path, f"{target!r} is not a LangChain BaseLoader")
        return cls
