"""User-style components loaded by dotted path in test configs."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from loaders.base import Document, Loader, OcrEngine
from pipelines.engines.base import Engine, Reply
from pipelines.query import Hit, Query


class CsvFaqLoader(Loader):
    """One document per `question,answer` row of a CSV file."""

    name = "csv-faq"
    suffixes = (".csv",)

    def load(self, path: Path) -> Iterator[Document]:
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                yield Document(text=f"{row['question']}\n{row['answer']}", source=str(path))


class EchoEngine(Engine):
    """Answers with the top source's path."""

    def answer(self, query: Query, hits: list[Hit]) -> Reply:
        return Reply(f"top: {hits[0].source}" if hits else "none")


class NotAnEngine:
    pass


class HangingLoader(Loader):
    """Never finishes: stands in for a file that makes a parser hang."""

    name = "hang"
    suffixes = (".hang",)

    def load(self, path: Path) -> Iterator[Document]:
        import time

        time.sleep(600)
        yield Document(text="never", source=str(path))


class CrashingLoader(Loader):
    """Kills its process: stands in for a native-library crash."""

    name = "crash"
    suffixes = (".crash",)

    def load(self, path: Path) -> Iterator[Document]:
        import os

        os._exit(3)
        yield Document(text="never", source=str(path))


class PidLoader(Loader):
    """Writes the id of the process that loads each file beside the knowledge base."""

    name = "pid"
    suffixes = (".job",)

    def load(self, path: Path) -> Iterator[Document]:
        import os

        out = path.parent.parent / "pids"
        out.mkdir(exist_ok=True)
        (out / path.name).write_text(str(os.getpid()))
        yield Document(text=f"Job ticket {path.stem} for the night shift.", source=str(path))


class FixedOcr(OcrEngine):
    """An OCR engine that reads every image as its `text` setting."""

    class Params(BaseModel):
        model_config = ConfigDict(extra="forbid")
        text: str = "fixed"

    def recognize(self, img: Any) -> tuple[str, float, list[tuple[str, float]]]:
        return self.settings.text, 99.0, [(self.settings.text, 99.0)]


class GreetingEngine(Engine):
    """Answers with its `greeting` setting: an engine with its own `llm:` keys."""

    class Params(BaseModel):
        model_config = ConfigDict(extra="forbid")
        greeting: str = "hello"

    def answer(self, query: Query, hits: list[Hit]) -> Reply:
        return Reply(self.settings.greeting)


class BrokenMarkdownLoader(Loader):
    """Accepts Markdown ahead of the built-in text loader, and fails on every file."""

    name = "broken-md"
    suffixes = (".md",)

    def load(self, path: Path) -> Iterator[Document]:
        from loaders.errors import LoaderError

        raise LoaderError(path, "this parser cannot read it")
        yield Document(text="never", source=str(path))


class BrokenPdfLoader(BrokenMarkdownLoader):
    """Accepts PDFs ahead of the built-in PDF loader, and fails on every file."""

    name = "broken-pdf"
    suffixes = (".pdf",)


class DiesOnceLoader(Loader):
    """Kills its own process (SIGKILL) the first time it loads a file, then loads it: a
    worker lost once (a `<file>.died` marker beside the file remembers the first try)."""

    name = "dies-once"
    suffixes = (".dies-once",)

    def load(self, path: Path) -> Iterator[Document]:
        import os
        import signal

        marker = path.with_name(path.name + ".died")
        if not marker.exists():
            marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        yield Document(text=path.read_text(encoding="utf-8"), source=str(path))


class AlwaysDiesLoader(Loader):
    """Kills its own process (SIGKILL) on every try: a file whose worker is always lost."""

    name = "always-dies"
    suffixes = (".always-dies",)

    def load(self, path: Path) -> Iterator[Document]:
        import os
        import signal

        os.kill(os.getpid(), signal.SIGKILL)
        yield Document(text="never", source=str(path))


class DyingEngine(Engine):
    """Answers like `EchoEngine`, but kills its process (SIGKILL) for a question starting
    "die once" (the first time: `marker` remembers it) or "die always" (every time)."""

    class Params(BaseModel):
        model_config = ConfigDict(extra="forbid")
        marker: str

    def answer(self, query: Query, hits: list[Hit]) -> Reply:
        import os
        import signal

        marker = Path(self.settings.marker)
        if query.question.startswith("die always") or (
                query.question.startswith("die once") and not marker.exists()):
            marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return Reply(f"top: {hits[0].source}" if hits else "none")
