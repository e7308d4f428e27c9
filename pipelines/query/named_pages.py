"""Pages a question names ("the chart on page 14", "slides 3 to 10", "第 5 页"): the search
stage ranks those pages' passages as one more list, so a page the user points at is found
although its passages share few words with the question.

A number is taken as the page's position in the file (1 = the first page, as `--where page=N`
uses it); as the page that carries that label in a PDF that labels its pages (front matter in
roman numerals, a journal's page range): "Page 8" of a manual whose numbering starts after
four front pages is its 12th page; and as the page that prints that number, as the PDF loader
read it at ingest (`printed_first` to `printed_last`: a cover not counted in print, two pages
to a sheet).
"""

from __future__ import annotations

import ctypes
import functools
import itertools
import os
import re
from collections.abc import Iterable

from pipelines.stores.filters import And, Filter, In, Or, Range

MAX_PAGE = 9999
_EN = re.compile(r"\b(?:pages?|slides?|pp?\.)\s*(\d{1,4})(?:\s*(-|–|—|to|through|and|or|,)\s*"
                 r"(?:(?:pages?|slides?|pp?\.)\s*)?(\d{1,4}))?", re.IGNORECASE)
_ZH = re.compile(r"第\s*(\d{1,4})\s*(?:([-–—~至到和、])\s*(?:第\s*)?(\d{1,4})\s*)?"
                 r"(?:页|頁|张|張|屏)")
_BOTH = {"and", "or", ",", "和", "、"}  # two pages, not the span between them
MAX_LABELLED = 5  # PDFs among the candidates whose page labels are read


def named_pages(question: str, pdfs: Iterable[str] = ()) -> Filter | None:
    """The pages `question` names as a filter: on `page`, one or a few pages (`In`) or a span
    (`Range`, "pages 3-10"), or on the printed numbers; `Or` of those; None when it names
    none. `pdfs`: files whose page labels also count (the pages labelled with a named number
    are added); read only when the question names a page, so it may be a lazy iterable."""
    pages: set[int] = set()
    spans: list[tuple[int, int]] = []
    for pattern in (_EN, _ZH):
        for match in pattern.finditer(question):
            first = int(match.group(1))
            last = int(match.group(3)) if match.group(3) else first
            low, high = sorted((first, last))
            if not 1 <= low <= MAX_PAGE:
                continue
            if high - low > 1 and (match.group(2) or "").lower() not in _BOTH:
                spans.append((low, high))
            else:
                pages.update({low, high})
    if not pages and not spans:
        return None
    named = {str(n) for n in pages} | {str(n) for low, high in spans if high - low <= 50
                                       for n in range(low, high + 1)}
    printed = sorted({(n, n) for n in pages} | set(spans))
    for pdf in itertools.islice(dict.fromkeys(pdfs), MAX_LABELLED):
        labels = page_labels(pdf)
        pages.update(position for label in named for position in labels.get(label, ()))
    parts: list[Filter] = [Range("page", low, high) for low, high in dict.fromkeys(spans)]
    if pages:
        parts.append(In("page", tuple(sorted(pages))))
    # a page printing the number (or, for a span, a number in it)
    parts += [And((Range("printed_first", None, high), Range("printed_last", low, None)))
              for low, high in printed]
    return parts[0] if len(parts) == 1 else Or(tuple(parts))


def page_labels(pdf: str) -> dict[str, tuple[int, ...]]:
    """Label -> 1-based positions of the pages carrying it, for a PDF whose labels differ
    from the positions; {} for one without labels or that cannot be read."""
    try:
        stat = os.stat(pdf)
    except OSError:
        return {}
    return _labels(pdf, stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _labels(pdf: str, size: int, mtime: int) -> dict[str, tuple[int, ...]]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        document = pdfium.PdfDocument(pdf)
    except (pdfium.PdfiumError, OSError):
        return {}
    found: dict[str, list[int]] = {}
    try:
        for index in range(len(document)):
            length = raw.FPDF_GetPageLabel(document.raw, index, None, 0)
            if length <= 2:  # no label: an empty UTF-16 string is its terminator only
                continue
            buffer = ctypes.create_string_buffer(length)
            raw.FPDF_GetPageLabel(document.raw, index, buffer, length)
            label = buffer.raw[:length - 2].decode("utf-16-le", "replace").strip()
            if label and label != str(index + 1):
                found.setdefault(label, []).append(index + 1)
    finally:
        document.close()
    return {label: tuple(positions) for label, positions in found.items()}
