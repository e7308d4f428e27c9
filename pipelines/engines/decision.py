"""Whether the retrieved evidence answers the question: the features the offline answerer's
decision reads, computed from the ranked hits alone (no model call)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from loaders.text_analysis import content_words, identifiers, tokenize

if TYPE_CHECKING:
    from pipelines.query.types import Hit


@dataclass(frozen=True)
class Signals:
    """What the decision to answer is based on.

    Attributes:
        top: Cosine of the best hit.
        coverage: Share of the question's content words found in the best hit's text, a word
            also counting when one of its CC-CEDICT translations is there; None when the
            question has no content words (e.g. "How do I fix this?" with a screenshot).
        identifier: An error code / identifier of the query appears verbatim in the best hit.
    """

    top: float
    coverage: float | None
    identifier: bool


def signals(question: str, query_text: str, hits: list[Hit]) -> Signals:
    """The `Signals` of a non-empty ranked hit list."""
    text = hits[0].text
    lower = text.lower()
    return Signals(top=hits[0].score,
                   coverage=coverage(question_terms(question), text),
                   identifier=any(w.lower() in lower for w in identifiers(query_text)))


def question_terms(question: str) -> list[set[str]]:
    """Each content word of the question with its CC-CEDICT translations (one set a word)."""
    from pipelines.query.bridge import word_translations

    return [{word, *word_translations(word)} for word in content_words(question)]


def coverage(terms: list[set[str]], text: str) -> float | None:
    """Share of the `question_terms` found in `text` (a word or one of its translations);
    None for a question without content words."""
    if not terms:
        return None
    found = set(tokenize(text))
    return sum(1 for alternatives in terms if alternatives & found) / len(terms)


def signals_rule(s: Signals, min_relevance: float, relevance_floor: float,
                 min_coverage: float) -> bool:
    """Answer when the best hit holds an identifier of the query, or is close to it
    (`min_relevance`), or is fairly close (`relevance_floor`) and holds most of the question's
    words (`min_coverage`, directly or in translation; a question with no content words, such
    as "How do I fix this?" beside a screenshot, has nothing to check and passes)."""
    if s.identifier or s.top >= min_relevance:
        return True
    return s.top >= relevance_floor and (s.coverage is None or s.coverage >= min_coverage)
