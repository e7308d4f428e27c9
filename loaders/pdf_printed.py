"""The page numbers a PDF prints on its pages, when they differ from the pages' places in the
file: a report whose cover and contents are not counted prints "1" on its third page, a
brochure laid out two pages to a sheet prints "16" and "17" on its tenth. A question about
"page 17" means the printed number (see `pipelines.query.named_pages`).

The numbers are read from a band at the top and at the bottom of each page's text layer. They
count only when they follow the pages' places as printed = a x place + b (a = 1, or 2 for two
pages to a sheet) on at least half the pages, so a year or a figure number in a footer does
not. Scanned pages (no text layer) between numbered ones get the number the rule gives.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

BAND = 0.08  # top and bottom share of the page's height searched
MIN_PAGES = 3  # pages that must print their number before the rule is trusted
_NUMBER = re.compile(r"(?<![\d.,:/$-])\d{1,4}(?![\d.,%:/])")
Printed = tuple[int, int]  # (first, last) number printed on one page


def band_numbers(page: Any, textpage: Any) -> set[int]:
    """The standalone numbers (up to 9999) in the page's top and bottom bands."""
    width, height = page.get_size()
    band = BAND * height
    text = textpage.get_text_bounded(0, 0, width, band) + "\n" + \
        textpage.get_text_bounded(0, height - band, width, height)
    return {int(n) for n in _NUMBER.findall(text)}


def printed_pages(numbers: list[set[int]]) -> dict[int, Printed]:
    """Page place (1-based) -> the (first, last) number printed on it, from each page's
    `band_numbers`; {} when the pages print no numbers, or print their places."""
    votes: Counter[tuple[int, int]] = Counter()  # (a, b) -> numbers that fit it
    for place, found in enumerate(numbers, start=1):
        rules = {(a, n - a * place - i) for n in found for a in (1, 2) for i in range(a)}
        votes.update({rule: len(found & _printed(place, *rule)) for rule in rules})
    if not votes:
        return {}
    # the rule most numbers fit; on a tie, one number a page and the smaller offset
    (a, b), _ = min(votes.items(), key=lambda v: (-v[1], v[0][0], abs(v[0][1])))
    fitted = [place for place, found in enumerate(numbers, start=1)
              if not found.isdisjoint(_printed(place, a, b))]
    if len(fitted) < max(MIN_PAGES, len(numbers) / 2) or (a, b) == (1, 0):
        return {}
    return {place: (a * place + b, a * place + b + a - 1)
            for place in range(fitted[0], fitted[-1] + 1) if a * place + b >= 1}


def _printed(place: int, a: int, b: int) -> set[int]:
    return {a * place + b + i for i in range(a)}
