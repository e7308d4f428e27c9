"""Figures and tables a question names ("in Figure 3", "Tables 1 and 2", "图 3", "表2"): the
pages that hold their captions join the pages a question names (`named_pages`), so "What does
Table 2 show?" finds the table although the question shares no other word with it.

A figure's caption is found by its text: the store is asked for the passages that hold
"Figure 3", "Fig. 3", "FIG. 3", "图3" (tables: "Table 2", "TABLE II", "表 2"; one regular
expression for all), and a
match counts as the caption when it starts a line or is followed by a colon ("Table 2:
Representative work"). Pages with a caption are lifted; when no caption is found, the pages
that mention the figure are ("as shown in Figure 3"), since a figure usually sits near them.
Passages without a `page` (Markdown, subtitles) are not lifted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pipelines.stores.base import StoreHit
from pipelines.stores.filters import And, Compare, Filter, In, Or

MAX_NUMBER = 999
MAX_SPAN = 10  # "figures 1-4" names each; a longer span is not a request for every figure
MAX_PAGES = 6  # pages lifted for one question
_KIND = r"fig(?:ure)?s?\.?|tables?|tab\."
_EN = re.compile(rf"\b({_KIND})\s*(\d{{1,3}})(?![\d.]\d)"
                 rf"(?:\s*(-|–|to|and|or|&|,)\s*(?:({_KIND})\s*)?(\d{{1,3}})(?![\d.]\d))?",
                 re.IGNORECASE)
# 图/表 right after a non-Han character or a word that points at it (如图 3, 见表 2), not the
# 表 of 代表 or 表示
_ZH = re.compile(r"(?:(?<![\u4e00-\u9fff])|(?<=[如见據据在从由和与及中的]))([图圖表])\s*(\d{1,3})"
                 r"(?![\d.]\d)")
_ROMAN = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


@dataclass(frozen=True)
class Named:
    """A figure or table the question names."""

    kind: str  # "figure" | "table"
    number: int

    def phrases(self) -> list[str]:
        """The verbatim forms a caption or a mention of it may take."""
        n = self.number
        if self.kind == "figure":
            return [f"Figure {n}", f"FIGURE {n}", f"Fig. {n}", f"FIG. {n}", f"Fig {n}",
                    f"Fig.{n}", f"figure {n}", f"图{n}", f"图 {n}", f"圖{n}"]
        forms = [f"Table {n}", f"TABLE {n}", f"Tab. {n}", f"table {n}", f"表{n}", f"表 {n}"]
        if n <= 39:  # IEEE and ACL styles number tables in roman numerals
            forms += [f"TABLE {_roman(n)}", f"Table {_roman(n)}"]
        return forms

    def pattern(self) -> re.Pattern[str]:
        """A match of one of `phrases` that is not the start of another number ("Fig. 30",
        "Table 3.1", "TABLE II" for "TABLE I"); group `caption` is set for a caption."""
        forms = "|".join(re.escape(p) for p in sorted(self.phrases(), key=len, reverse=True))
        return re.compile(rf"(?P<start>^[ \t]*)?(?:{forms})(?![\dIVX]|\.\d)"
                          rf"(?P<caption>[ \t]*[:：|])?", re.MULTILINE)


def named_figures(question: str) -> list[Named]:
    """The figures and tables `question` names, in order, without repeats."""
    found: list[Named] = []
    for match in _EN.finditer(question):
        kind = _kind(match.group(1))
        first = int(match.group(2))
        last = int(match.group(5)) if match.group(5) else first
        if match.group(4) and _kind(match.group(4)) != kind:  # "Figure 3 and Table 2"
            found += [Named(kind, first), Named(_kind(match.group(4)), last)]
        elif match.group(3) and match.group(3).lower() in {"-", "–", "to"} and \
                0 < last - first <= MAX_SPAN:
            found += [Named(kind, n) for n in range(first, last + 1)]
        else:
            found += [Named(kind, n) for n in (first, last)]
    for match in _ZH.finditer(question):
        found.append(Named("table" if match.group(1) == "表" else "figure", int(match.group(2))))
    return list(dict.fromkeys(f for f in found if 1 <= f.number <= MAX_NUMBER))


def search_pattern(named: Iterable[Named]) -> str:
    """One regular expression for every form of every named figure (the store runs it)."""
    forms = dict.fromkeys(p for n in named for p in n.phrases())
    return "|".join(_escape(p) for p in sorted(forms, key=len, reverse=True))


def _escape(phrase: str) -> str:
    """`re.escape` without its escaped spaces (not every regex engine accepts them)."""
    return re.escape(phrase).replace("\\ ", " ")


def figure_pages(named: list[Named], passages: Iterable[StoreHit]) -> Filter | None:
    """A filter on the pages among `passages` (the store's matches of `phrases`) that hold a
    caption of a named figure, or that mention one when none holds a caption; None if none."""
    patterns = [n.pattern() for n in named]
    captions: dict[tuple[str, int], None] = {}
    mentions: dict[tuple[str, int], None] = {}
    for hit in passages:
        page, source = hit.metadata.get("page"), hit.metadata.get("source")
        if not isinstance(page, int) or isinstance(page, bool) or not isinstance(source, str):
            continue
        matches = [m for p in patterns for m in p.finditer(hit.text)]
        if any(m.group("start") is not None or m.group("caption") for m in matches):
            captions[(source, page)] = None
        elif matches:
            mentions[(source, page)] = None
    chosen = list(captions or mentions)[:MAX_PAGES]
    by_source: dict[str, list[int]] = {}
    for source, page in chosen:
        by_source.setdefault(source, []).append(page)
    parts: list[Filter] = [And((Compare("source", "eq", s), In("page", tuple(sorted(p)))))
                           for s, p in by_source.items()]
    return None if not parts else parts[0] if len(parts) == 1 else Or(tuple(parts))


def _kind(word: str) -> str:
    return "figure" if word.lower().startswith("fig") else "table"


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out
