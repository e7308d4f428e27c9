"""Whether the retrieved evidence answers the question: the features the offline answerer's
decision reads, computed from the ranked hits alone (no model call)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipelines.lexical import content_words, identifiers, tokenize


@dataclass(frozen=True)
class Signals:
    """What the decision to answer is based on.

    Attributes:
        top: Cosine of the best hit.
        margin: `top` minus the mean cosine of the next hits (0 with one hit).
        coverage: Share of the question's content words found in the best hit's text, a word
            also counting when one of its CC-CEDICT translations is there; None when the
            question has no content words (e.g. "How do I fix this?" with a screenshot).
        identifier: An error code / identifier of the query appears verbatim in the best hit.
        shared: Content words the query text (question and OCR) shares with the best hit.
    """

    top: float
    margin: float
    coverage: float | None
    identifier: bool
    shared: int


def signals(question: str, query_text: str, hits: list[Any]) -> Signals:
    """The `Signals` of a non-empty ranked hit list."""
    scores = [float(h.score or 0.0) for h in hits]
    rest = scores[1:5]
    text = hits[0].node.get_content()
    lower = text.lower()
    return Signals(top=scores[0], margin=scores[0] - sum(rest) / len(rest) if rest else 0.0,
                   coverage=coverage(question, text),
                   identifier=any(w.lower() in lower for w in identifiers(query_text)),
                   shared=len(content_words(query_text) & content_words(text)))


def coverage(question: str, text: str) -> float | None:
    """Share of the question's content words in `text`, directly or through a translation."""
    from pipelines.bridge import word_translations

    words = content_words(question)
    if not words:
        return None
    found = set(tokenize(text))
    hits = sum(1 for w in words if w in found or any(t in found for t in word_translations(w)))
    return hits / len(words)


def cosine_rule(s: Signals, min_relevance: float) -> bool:
    """The rule before signals: a fixed cosine bar, or an identifier of the query verbatim in
    the best hit, or near the bar (0.06 under it) with three shared content words."""
    return s.top >= min_relevance or s.identifier or (
        s.top >= min_relevance - 0.06 and s.shared >= 3)


def signals_rule(s: Signals, min_relevance: float, relevance_floor: float,
                 min_coverage: float) -> bool:
    """Answer when the best hit holds an identifier of the query, or is close to it
    (`min_relevance`), or is fairly close (`relevance_floor`) and holds most of the question's
    words (`min_coverage`, directly or in translation; a question with no content words, such
    as "How do I fix this?" beside a screenshot, has nothing to check and passes)."""
    if s.identifier or s.top >= min_relevance:
        return True
    return s.top >= relevance_floor and (s.coverage is None or s.coverage >= min_coverage)


RULES = {"cosine": cosine_rule}
