"""HTML pages as Markdown (headings and numbered lists survive), without scripts and styles."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from loaders.base import Document, Loader
from loaders.params import NoParams
from loaders.text import read_text

_BLANKS = re.compile(r"\n{3,}")


def html_to_markdown(html: str) -> tuple[str, str]:
    """(title, Markdown body) of an HTML page; scripts, styles and navigation are dropped."""
    from bs4 import BeautifulSoup
    from markdownify import MarkdownConverter

    soup = BeautifulSoup(html, "html.parser")
    title = soup.title.get_text(strip=True) if soup.title else ""
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "template"]):
        tag.decompose()
    body = soup.body or soup
    text = MarkdownConverter(heading_style="ATX", bullets="-").convert_soup(body)
    return title, _BLANKS.sub("\n\n", text).strip()


class HtmlLoader(Loader):
    """One document per HTML file, converted to Markdown."""

    name = "html"
    Params = NoParams
    suffixes = (".html", ".htm", ".xhtml")

    def load(self, path: Path) -> Iterator[Document]:
        title, text = html_to_markdown(read_text(path))
        if text:
            yield Document(text=text, source=str(path), metadata={"title": title or path.stem})
