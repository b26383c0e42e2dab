"""Choose the bot answer (``mp15.bot.answer``) whose keywords best match a citizen's question.

``match_answer(text, candidates)`` returns the id of the best answer or None. An answer's keywords
are written in the category keyword syntax (``classifier.KEYWORDS_HELP``: one keyword or phrase a
line or comma, ``!strong``, ``?weak``, ``a + b``, ``a/b``, ``word*``) and compiled by the classifier,
so its spelling folds apply: "paani" = "pani", "नाली" = "नालि", "connection" = "conection"; capitals
and punctuation do not matter. A word belongs to the longest keyword that holds it, as for categories.

An answer is chosen when its keywords score at least one ordinary keyword (2; a weak ``?`` keyword
alone is not enough) and strictly more than every other answer: between two equally good answers
the bot does not guess, and the citizen gets the menu instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .classifier import ORDINARY_WEIGHT, cached_classifier

MIN_SCORE = ORDINARY_WEIGHT


@dataclass(frozen=True)
class AnswerCandidate:
    id: int
    keywords: str  # the mp15.bot.answer's keywords field: one keyword/phrase/example per line or comma


def answer_scores(text: str, candidates: Sequence[AnswerCandidate]) -> tuple[tuple[int, int], ...]:
    """(answer id, score) of every answer whose keywords the text holds, best first."""
    keywords = {str(candidate.id): candidate.keywords or "" for candidate in candidates}
    if not keywords or not (text or "").strip():
        return ()
    result = cached_classifier(keywords).classify(text)
    return tuple((int(code), score) for code, score in result.scores)


def match_answer(text: str, candidates: Sequence[AnswerCandidate]) -> int | None:
    """The id of the answer whose keywords best match the question, or None when none matches well enough."""
    scores = answer_scores(text, candidates)
    if not scores:
        return None
    best_id, best = scores[0]
    runner_up = scores[1][1] if len(scores) > 1 else 0
    if best < MIN_SCORE or best <= runner_up:
        return None
    return best_id
