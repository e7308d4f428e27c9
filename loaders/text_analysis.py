"""Text analysis shared by every stage: CJK detection, the query language, tokens, identifiers.

One place for the character classes: the loaders (OCR clean-up), the lexical index, the
cross-language bridge, fusion and the answer engines all use these.
"""

from __future__ import annotations

import functools
import logging
import re
from types import ModuleType

# Han ideographs (CJK Unified + Extension A + Compatibility): what "Chinese text" means here
HAN = "\u3400-\u9fff\uf900-\ufaff"
# written without spaces between characters: Han, kana, CJK punctuation, full-width forms
# (OCR engines put spaces there; Korean is written with spaces, so Hangul is not here)
UNSPACED = "\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
# any CJK script: Han, kana, Hangul (which Tesseract language packs read it)
CJK_SCRIPT = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
HAN_RUN = re.compile(f"[{HAN}]+")
UNSPACED_GAP = re.compile(f"(?<=[{UNSPACED}]) +(?=[{UNSPACED}])")
_LATIN = re.compile(r"[A-Za-z]")
# Identifiers and error codes stay whole: ERR_CONNECTION_REFUSED, 0x80070005, deploy.sh, v1.2.3
WORD = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.:/-]*[A-Za-z0-9_])?")

_STOP_WORDS = (
    "the and for with this that what how why when where which who does did can could would "
    "should will are was were has have had you your my our its into from about there their "
    "then than them they not but any all get got fix error help please one two 怎么 怎么样 "
    "怎么办 什么 如何 为什么 可以 这个 那个 我们 你们 没有 一个 哪些 推荐 问题 请问 提示")
STOP = frozenset(_STOP_WORDS.split())


def has_han(text: str) -> bool:
    """True when `text` contains a Chinese (Han) character."""
    return bool(HAN_RUN.search(text))


def language(text: str) -> str | None:
    """"zh" or "en" when one script dominates `text` (a Chinese character counts as three
    Latin letters), None for mixed or letterless text."""
    han = sum(len(run) for run in HAN_RUN.findall(text))
    latin = len(_LATIN.findall(text)) / 3
    if not han + latin:
        return None
    share = han / (han + latin)
    return "zh" if share > 0.6 else "en" if share < 0.2 else None


@functools.cache
def jieba() -> ModuleType:
    """jieba, imported on first use with its start-up chatter off."""
    import jieba as module

    module.setLogLevel(logging.WARNING)
    return module


def identifiers(text: str) -> list[str]:
    """Error codes and identifiers in `text`: words with a digit, an underscore, or in CAPS."""
    return [w for w in WORD.findall(text) if len(w) >= 4 and (
        "_" in w or (any(c.isdigit() for c in w) and any(c.isalpha() for c in w))
        or (w.isupper() and w.isalpha()))]


def tokenize(text: str) -> list[str]:
    """Lower-cased tokens: whole identifiers plus their parts, and jieba words for Chinese."""
    tokens: list[str] = []
    for word in WORD.findall(text):
        tokens.append(word.lower())
        segments = re.split(r"[:/]+", word)  # net::ERR_X -> err_x, a/b.py -> b.py
        if len(segments) > 1:
            tokens += [s.lower() for s in segments if s]
        parts = re.split(r"[_.:/-]+", word)
        if len(parts) > 1:
            tokens += [p.lower() for p in parts if p]
    for run in HAN_RUN.findall(text):
        tokens += [t for t in jieba().lcut_for_search(run) if t.strip()]
    return tokens


def content_words(text: str) -> set[str]:
    """Distinct tokens that carry meaning: 3+ letters (2+ for Chinese), no stop words."""
    return {t for t in tokenize(text) if t not in STOP and not t.isdigit()
            and (len(t) >= 3 or (len(t) == 2 and HAN_RUN.fullmatch(t)))}
