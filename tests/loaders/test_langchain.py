"""The `langchain` loader: wraps a LangChain BaseLoader by dotted path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.document_loaders import BaseLoader
from langchain_core.documents import Document as LCDocument

from loaders.errors import LoaderError
from loaders.langchain import LangChainLoader

HERE = "tests.loaders.test_langchain"


class LinesLoader(BaseLoader):
    """A LangChain loader: one document per non-empty line, with a 0-based `page`."""

    def __init__(self, file_path: str, prefix: str = "") -> None:
        self.file_path = file_path
        self.prefix = prefix

    def lazy_load(self) -> Iterator[LCDocument]:
        lines = Path(self.file_path).read_text().splitlines()
        for i, line in enumerate(line for line in lines if line.strip()):
            if line == "BOOM":
                raise ValueError("bad line")
            yield LCDocument(page_content=self.prefix + line, metadata={"page": i, "kind": "x"})


def test_wraps_langchain_loader(tmp_path: Path) -> None:
    path = tmp_path / "notes.log"
    path.write_text("first entry\n\nsecond entry\n")
    loader = LangChainLoader(**{"class": f"{HERE}.LinesLoader", "suffixes": [".log"],
                                "kwargs": {"prefix": "> "}})
    assert loader.accepts(path) and not loader.accepts(tmp_path / "a.txt")
    docs = list(loader.load(path))
    assert [(d.text, d.page) for d in docs] == [("> first entry", 1), ("> second entry", 2)]
    assert docs[0].metadata == {"kind": "x"} and docs[0].source == str(path)


def test_errors_are_one_line(tmp_path: Path) -> None:
    path = tmp_path / "x.log"
    path.write_text("BOOM\n")
    with pytest.raises(LoaderError, match=r"x\.log: LinesLoader: ValueError: bad line"):
        list(LangChainLoader(**{"class": f"{HERE}.LinesLoader"}).load(path))
    with pytest.raises(LoaderError, match="cannot import LangChain loader 'nope.Loader'"):
        list(LangChainLoader(**{"class": "nope.Loader"}).load(path))
    with pytest.raises(LoaderError, match="is not a LangChain BaseLoader"):
        list(LangChainLoader(**{"class": "pathlib.Path"}).load(path))
