"""Plain text and Markdown files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from charset_normalizer import from_bytes

from loaders.base import Document, Loader
from loaders.errors import LoaderError
from loaders.params import NoParams


def read_text(path: Path) -> str:
    """Read a text file in whatever encoding it has (UTF-8 first, then detected)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoaderError(path, f"cannot read file ({exc.strerror or exc})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise LoaderError(path, "not a text file (unknown encoding)") from None
        return str(best)


class TextLoader(Loader):
    """One document per text or Markdown file."""

    name = "text"
    Params = NoParams
    suffixes = (".txt", ".md", ".markdown", ".rst")

    def load(self, path: Path) -> Iterator[Document]:
        text = read_text(path).strip()
        if text:
            yield Document(text=text, source=str(path), metadata={"title": _title(text, path)})


def _title(text: str, path: Path) -> str:
    first = text.splitlines()[0].strip()
    return first.lstrip("# ").strip() if first.startswith("#") else path.stem
