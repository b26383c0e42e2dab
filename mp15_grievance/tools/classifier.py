"""Place a citizen's message (Hindi, Hinglish or English) in a grievance category by keywords.

``Classifier(keywords_by_code)`` compiles the categories' keyword fields once;
``classify(text)`` returns a ``Classification``: code, confidence, auto_file, and the keywords and
words that matched, to show staff why.
``KEYWORDS_HELP`` below is the help of a category's Keywords field.

How a message is placed: each category scores the weights (strong 4, ordinary 2, weak 1) of its
distinct keywords found in the message. Confidence = best / (best + runner-up + 1), where the
runner-up is the best other category with at least one ordinary or strong keyword (weak hints alone
are no rival): an ordinary keyword alone gives 0.67, a strong one against weak hints 0.8, a strong one
against an ordinary one 0.57, a tie less than 0.5. A message is filed without questions when the confidence reaches
``AUTO_FILE_CONFIDENCE``, its category is not one that always asks (OTHER) and at least one of its
keywords is ordinary or strong: weak hints alone ("footpath" and "road") never file. Greetings and
messages without a keyword get no code at all.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from .text_folding import detect_language as detect_language  # re-exported: the engine and tests use it
from .text_folding import fold_devanagari, fold_latin, fold_latin_stem, fold_token, raw_tokens
from .text_folding import normalize as normalize  # re-exported

AUTO_FILE_CONFIDENCE = 0.65
NEVER_AUTO_FILE = frozenset({"OTHER"})

STRONG_WEIGHT = 4
ORDINARY_WEIGHT = 2
WEAK_WEIGHT = 1
COMBINATION_WINDOW = 12  # words from the first to the last word of an "a + b" keyword
MAX_PHRASE_VARIANTS = 500
MIN_PREFIX_LENGTH = 3  # letters before "*" (Devanagari: 2 characters, a consonant and a sign)
_PREFIX_INDEX = 2

KEYWORDS_HELP = """\
One keyword or phrase per line (commas also separate keywords). Write them as citizens do: in
Hindi (देवनागरी), in Hinglish and in English. Capitals, punctuation and common spelling variants do
not matter: paani = pani, naali = nalli = nali, bijlee = bijli, lite = light, sadakh = sadak,
kacchra = kachra, गन्दा = गंदा, नाली = नालि, and a plural s (pothole = potholes). Words match whole
words only: "nal" does not match "nali" or "nalanda". A phrase matches its words in that order
("street light"), also written as one word ("streetlight").

  keyword          ordinary: enough on its own to file the message when no other category matches
  !keyword         strong: decisive, it outweighs an ordinary keyword of another category
  ?keyword         weak: a hint that counts only together with other keywords (e.g. ?road)
  a + b            all parts near each other (within 12 words), in any order: पानी + नहीं आ
  a/b              either word in this place: !light/lights/बत्ती + band/kharab/बंद
  word*            any ending, at least 3 letters before *: kutt* = kutta, kutte, kutton
  # note           a line starting with # is a note for people and is ignored

A word belongs to the longest keyword that contains it: "water tax" (Tax) takes "water" away from
the Water Supply keywords. So write a specific phrase in the category it belongs to rather than
removing a general word elsewhere."""

# --- keywords -----------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[,\n;،]")


def parse_keywords(text: str) -> list[str]:
    """The entries of a keyword field: trimmed, comments dropped, duplicates removed, order kept."""
    entries = []
    seen = set()
    for line in (text or "").splitlines():
        if line.strip().startswith("#"):
            continue
        for entry in _SEPARATORS.split(line):
            entry = " ".join(entry.split())
            if entry and entry.casefold() not in seen:
                seen.add(entry.casefold())
                entries.append(entry)
    return entries


@dataclass(frozen=True)
class _Term:
    text: str
    prefix: bool  # "kutt*": matches any token starting with text

    def matches(self, token, word=""):
        """``token`` folded from ``word``; a prefix is also looked for in the word before its final h or s
        was dropped (``fold_latin_stem``): "beh*" must find "beh", which folds to "be"."""
        if not self.prefix:
            return token == self.text
        if token.startswith(self.text):
            return True
        return word.isascii() and fold_latin_stem(word).startswith(self.text)


@dataclass(frozen=True)
class _Rule:
    code: str
    keyword: str  # as written by the administrator, for explanations
    # Parts ("a + b") of alternatives ("a / b") of phrases (terms): one part for a plain keyword.
    parts: tuple[tuple[tuple[_Term, ...], ...], ...]
    weight: int


def _compile_word(word):
    """The alternatives ("a/b") of one keyword word, each a tuple of terms; or an error message."""
    alternatives = []
    for alternative in word.split("/"):
        prefix = alternative.endswith("*")
        tokens = raw_tokens(alternative)
        terms = []
        for index, token in enumerate(tokens):
            if prefix and index == len(tokens) - 1:
                folded = fold_latin_stem(token) if token.isascii() else fold_devanagari(token)
                if len(folded) < (MIN_PREFIX_LENGTH if folded.isascii() else 2):
                    return f"{alternative}: write at least {MIN_PREFIX_LENGTH} letters before *"
                terms.append(_Term(folded, True))
            else:
                terms.append(_Term(fold_token(token), False))
        if terms and tuple(terms) not in alternatives:
            alternatives.append(tuple(terms))
    return alternatives


def _compile_phrase(phrase):
    """Every phrase (tuple of terms) that a keyword phrase with word alternatives stands for."""
    phrases = [()]
    for word in phrase.split():
        alternatives = _compile_word(word)
        if isinstance(alternatives, str):
            return alternatives
        if alternatives:
            phrases = [before + alternative for before in phrases for alternative in alternatives]
        if len(phrases) > MAX_PHRASE_VARIANTS:
            return f"{phrase.strip()}: too many combinations of alternatives"
    if phrases == [()]:
        return f"{phrase.strip()!r} has no letters or digits"
    return phrases


def _compile_entry(code, entry):
    """A rule for one keyword entry, or an error message."""
    weight = ORDINARY_WEIGHT
    body = entry
    if body[:1] in "!?":
        weight = STRONG_WEIGHT if body[0] == "!" else WEAK_WEIGHT
        body = body[1:].strip()
    parts = []
    for part in body.split("+"):
        phrases = _compile_phrase(part)
        if isinstance(phrases, str):
            return phrases if phrases.startswith(entry) else f"{entry}: {phrases}"
        parts.append(tuple(phrases))
    return _Rule(code, entry, tuple(parts), weight)


def keyword_errors(text: str) -> list[str]:
    """Problems in a keyword field, for a form warning or a constraint; empty when all is well."""
    results = (_compile_entry("", entry) for entry in parse_keywords(text))
    return [result for result in results if isinstance(result, str)]


# --- classification -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Classification:
    code: str | None  # None when no keyword matched
    confidence: float  # 0..1
    auto_file: bool  # confident enough to file without asking
    matched_keywords: tuple[str, ...] = ()  # keywords of ``code`` found, as written in the field
    matched_words: tuple[str, ...] = ()  # the words of the message they matched, in message order
    scores: tuple[tuple[str, int], ...] = ()  # (code, score) of every matching category, best first


class Classifier:
    """Keywords compiled once; ``classify`` is then cheap and thread-safe."""

    def __init__(
        self,
        keywords_by_code: Mapping[str, str],
        auto_file_confidence: float = AUTO_FILE_CONFIDENCE,
        never_auto_file: Iterable[str] = NEVER_AUTO_FILE,
    ):
        self.auto_file_confidence = auto_file_confidence
        self.never_auto_file = frozenset(never_auto_file)
        self.errors = []  # (code, message) of the entries that were skipped
        self._rules = []  # (rule, unit ids per part)
        self._rules_by_first_unit = {}
        self._units = []  # every distinct phrase, searched once whatever rules use it
        unit_ids = {}
        seen = set()
        for code, text in keywords_by_code.items():
            for entry in parse_keywords(text):
                rule = _compile_entry(code, entry)
                if isinstance(rule, str):
                    self.errors.append((code, rule))
                    continue
                if (code, rule.parts) in seen:  # "nali" and "naali" are one keyword
                    continue
                seen.add((code, rule.parts))
                part_units = []
                for alternatives in rule.parts:
                    ids = []
                    for terms in alternatives:
                        if terms not in unit_ids:
                            unit_ids[terms] = len(self._units)
                            self._units.append(terms)
                        ids.append(unit_ids[terms])
                    part_units.append(tuple(ids))
                for unit_id in part_units[0]:  # a rule can only match where its first part does
                    self._rules_by_first_unit.setdefault(unit_id, []).append(len(self._rules))
                self._rules.append((rule, tuple(part_units)))

        self._by_first_token = {}
        self._by_first_prefix = {}
        self._single_tokens = {}  # "streetlight" in a keyword also matches "street light"
        self._join_variants = {}  # "street light" in a keyword also matches "streetlight"
        for unit_id, terms in enumerate(self._units):
            first = terms[0]
            if first.prefix:
                self._by_first_prefix.setdefault(first.text[:_PREFIX_INDEX], []).append(unit_id)
                continue
            self._by_first_token.setdefault(first.text, []).append(unit_id)
            if len(terms) == 1:
                self._single_tokens[first.text] = unit_id
        for unit_id, terms in enumerate(self._units):
            if len(terms) > 1 and all(term.text.isascii() and not term.prefix for term in terms):
                joined = fold_latin("".join(term.text for term in terms))
                if joined not in self._single_tokens:
                    self._join_variants.setdefault(joined, []).append(unit_id)

    def _occurrences(self, raw, tokens):
        """{unit id: [(start, end)]} of every phrase found in the message."""
        found = {}
        count = len(tokens)
        for start, token in enumerate(tokens):
            candidates = list(self._by_first_token.get(token, ()))
            candidates += [
                unit_id
                for unit_id in self._by_first_prefix.get(token[:_PREFIX_INDEX], ())
                if self._units[unit_id][0].matches(token, raw[start])
            ]
            for unit_id in candidates:
                terms = self._units[unit_id]
                end = start + len(terms)
                if end <= count and all(
                    term.matches(tokens[start + offset], raw[start + offset]) for offset, term in enumerate(terms)
                ):
                    found.setdefault(unit_id, []).append((start, end))
            for unit_id in self._join_variants.get(token, ()):
                found.setdefault(unit_id, []).append((start, start + 1))
            if start + 1 < count:
                left, right = raw[start], raw[start + 1]
                if (
                    left.isascii()
                    and right.isascii()
                    and left.isalpha()
                    and right.isalpha()
                    and min(len(left), len(right)) > 1
                    and len(left) + len(right) >= 6
                ):
                    unit_id = self._single_tokens.get(fold_latin(left + right))
                    if unit_id is not None:
                        found.setdefault(unit_id, []).append((start, start + 2))
        return found

    def classify(self, text: str) -> Classification:
        raw = raw_tokens(text)
        tokens = [fold_token(token) for token in raw]
        spans_by_unit = self._occurrences(raw, tokens)

        # Longest keywords first (then strongest): a word taken by a keyword of one category no
        # longer counts for shorter keywords of other categories ("water tax" leaves "water" alone).
        candidates = []  # (rank..., rule, spans per part)
        rule_indexes = sorted(
            {index for unit_id in spans_by_unit for index in self._rules_by_first_unit.get(unit_id, ())}
        )
        for rule, part_units in (self._rules[index] for index in rule_indexes):
            spans_per_part = [
                sorted(span for unit_id in units for span in spans_by_unit.get(unit_id, ())) for units in part_units
            ]
            if not all(spans_per_part):
                continue
            if len(spans_per_part) == 1:
                candidates.extend(
                    (end - start, 0, rule.weight, start, rule, [[(start, end)]]) for start, end in spans_per_part[0]
                )
            else:
                # Ranked by all its words, after a phrase of as many words.
                words = sum(max(end - start for start, end in spans) for spans in spans_per_part)
                first = min(spans[0][0] for spans in spans_per_part)
                candidates.append((words, 1, rule.weight, first, rule, spans_per_part))
        candidates.sort(key=lambda candidate: (-candidate[0], candidate[1], -candidate[2], candidate[3]))

        owner = [None] * len(tokens)  # code of the keyword that took each word

        def free(span, code):
            return all(owner[position] in (None, code) for position in range(*span))

        matched = {}  # (code, keyword) -> rule, in order of discovery
        positions_by_code = {}
        for *_rank, rule, spans_per_part in candidates:
            chosen = _spans_within_window(
                [[span for span in spans if free(span, rule.code)] for spans in spans_per_part]
            )
            # A keyword counts when it brings a word of its own: "street light" and "light" in
            # "street light" are one piece of evidence, not two.
            if chosen and any(owner[position] is None for span in chosen for position in range(*span)):
                if rule.weight > WEAK_WEIGHT:  # a weak hint takes no word away from other categories
                    for span in chosen:
                        for position in range(*span):
                            owner[position] = rule.code
                matched.setdefault((rule.code, rule.keyword), rule)
                positions = positions_by_code.setdefault(rule.code, set())
                positions.update(position for span in chosen for position in range(*span))

        scores = {}
        keywords = {}
        for (code, keyword), rule in matched.items():
            scores[code] = scores.get(code, 0) + rule.weight
            keywords.setdefault(code, []).append(keyword)
        if not scores:
            return Classification(None, 0.0, False)
        ranking = sorted(scores.items(), key=lambda item: -item[1])
        best_code, best = ranking[0]
        # A category with weak hints only is no rival: "cables lying on road" (a hint of Roads) is a street light.
        rivals = {code for (code, _keyword), rule in matched.items() if rule.weight > WEAK_WEIGHT}
        runner_up = max((score for code, score in ranking[1:] if code in rivals), default=0)
        confidence = round(best / (best + runner_up + 1), 3)
        auto_file = confidence >= self.auto_file_confidence and best > runner_up
        auto_file = auto_file and best_code in rivals and best_code not in self.never_auto_file
        words = tuple(raw[position] for position in sorted(positions_by_code[best_code]))
        return Classification(best_code, confidence, auto_file, tuple(keywords[best_code]), words, tuple(ranking))


def _spans_within_window(spans_per_part):
    """One span per part, all within COMBINATION_WINDOW words, or None."""
    if not all(spans_per_part):
        return None
    if len(spans_per_part) == 1:
        return [spans_per_part[0][0]]
    events = sorted((span, part) for part, spans in enumerate(spans_per_part) for span in spans)
    latest = [None] * len(spans_per_part)  # the latest span of each part seen so far
    for span, part in events:
        latest[part] = span
        if all(latest):
            first = min(start for start, _end in latest)
            last = max(end for _start, end in latest)
            if last - first <= COMBINATION_WINDOW:
                return list(latest)
    return None


@lru_cache(maxsize=4)
def _compiled(items, auto_file_confidence):
    return Classifier(dict(items), auto_file_confidence)


def cached_classifier(
    keywords_by_code: Mapping[str, str], auto_file_confidence: float = AUTO_FILE_CONFIDENCE
) -> Classifier:
    """A compiled classifier, reused while the keywords stay the same (compiling takes ~50 ms)."""
    return _compiled(tuple(sorted(keywords_by_code.items())), auto_file_confidence)
