"""Place a citizen's message (Hindi, Hinglish or English) in a grievance category by keywords.

``Classifier(keywords_by_code)`` compiles the categories' keyword fields once;
``classify(text)`` returns a ``Classification``: code, confidence, auto_file, and the keywords and
words that matched, to show staff why.
``KEYWORDS_HELP`` below is the help of a category's Keywords field.

How a message is placed: each category scores the weights (strong 4, ordinary 2, weak 1) of its
distinct keywords found in the message. Confidence = best / (best + runner-up + 1): an ordinary
keyword alone gives 0.67, a strong one against a weak one 0.67, a strong one against an ordinary
one 0.57, a tie less than 0.5. A message is filed without questions when the confidence reaches
``AUTO_FILE_CONFIDENCE`` and its category is not one that always asks (OTHER). Greetings and
messages without a keyword get no code at all.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

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

# --- normalisation ------------------------------------------------------------------------------

_DEVANAGARI_DIGITS = {ord("०") + value: str(value) for value in range(10)}
_DEVANAGARI_FOLDS = str.maketrans(
    {
        "\u093c": None,  # nukta: ड़ = ड, क़ = क
        "\u0901": None,  # chandrabindu
        "\u0902": None,  # anusvara: में = मे, नहीं = नही
        "\u0903": None,  # visarga
        "\u200c": None,  # zero-width non-joiner
        "\u200d": None,  # zero-width joiner
        "ी": "ि",
        "ू": "ु",
        "ै": "े",
        "ौ": "ो",
        "ॉ": "ो",
        "ॅ": "े",
        "ई": "इ",
        "ऊ": "उ",
        "ऐ": "ए",
        "औ": "ओ",
        "ऑ": "ओ",
        "ऍ": "ए",
        "ष": "स",
        "श": "स",
        # Aspirates, as Hinglish drops the h: गड्ढा = गड्डा = गढ्ढा, खम्भा = खंबा
        "ख": "क",
        "घ": "ग",
        "छ": "च",
        "झ": "ज",
        "ठ": "ट",
        "ढ": "ड",
        "थ": "त",
        "ध": "द",
        "फ": "प",
        "भ": "ब",
    }
)
_DEVANAGARI_GEMINATE = re.compile("([\u0915-\u0939])\u094d\\1")  # कुत्ता = कुता, like nalli = nali
# न्द = ंद: a nasal consonant with virama before another consonant is written as anusvara too.
_DEVANAGARI_NASAL = re.compile("[ङञणनम]\u094d(?=[\u0915-\u0939])")
_DEVANAGARI_GLIDE = (("यि", "इ"), ("ये", "ए"))  # गयी = गई, गये = गए (after ी -> ि)

_TOKEN = re.compile(r"[a-z]+|[0-9]+|[\u0900-\u0963\u0971-\u097f]+")
_REPEATS = re.compile(r"(.)\1+")
_ASPIRATE = re.compile(r"([bcdfgjklmnprstv])h")

# Spellings of very common words, folded so keywords can rely on one form.
_LATIN_WORDS = {
    "nhi": "nahi",
    "nahin": "nahi",
    "nhin": "nahi",
    "nai": "nahi",
    "nay": "nahi",
    "ni": "nahi",
    "na": "nahi",
    "nahe": "nahi",
    "lite": "lit",  # light -> lit
}
# Words that folding would confuse with a keyword: thanks -> tanks -> tank (a water tank).
_LATIN_EXCEPTIONS = dict.fromkeys(("thank", "thanks", "thanku", "thankyou", "thnx", "thx", "tnx"), "thanks")
_LATIN_EXCEPTIONS["been"] = "been"  # not "bin"

_LEADING_SIGNS = re.compile("^[\u0900-\u0903\u093a-\u094f\u0951-\u0957\u0962\u0963]+")


def _fold_latin_stem(token):
    token = token.replace("ee", "i").replace("oo", "u")
    token = token.replace("ph", "f").replace("ck", "k").replace("q", "k").replace("w", "v").replace("z", "j")
    token = token.replace("igh", "i")
    token = _ASPIRATE.sub(r"\1", token)
    token = _ASPIRATE.sub(r"\1", token)  # "chh", "ddh": the first pass leaves one h behind
    return _REPEATS.sub(r"\1", token)


@lru_cache(maxsize=65536)
def _fold_latin(token):
    if token in _LATIN_EXCEPTIONS:
        return _LATIN_EXCEPTIONS[token]
    token = _fold_latin_stem(token)
    if len(token) > 1 and token.endswith("h"):
        token = token[:-1]
    if len(token) >= 4 and token.endswith("s"):
        token = token[:-1]
    return _LATIN_WORDS.get(token, token)


@lru_cache(maxsize=65536)
def _fold_devanagari(token):
    token = _DEVANAGARI_NASAL.sub("", token)
    token = token.translate(_DEVANAGARI_FOLDS)
    token = _DEVANAGARI_GEMINATE.sub(r"\1", token)
    for written, folded in _DEVANAGARI_GLIDE:
        token = token.replace(written, folded)
    token = _REPEATS.sub(r"\1", token)
    return token.rstrip("\u094d")  # a trailing virama


def _fold_token(token):
    if "a" <= token[0] <= "z":
        return _fold_latin(token)
    if token[0].isdigit():
        return token
    return _fold_devanagari(token)


def _raw_tokens(text):
    """Lower-case tokens before spelling folding: Latin words, numbers and Devanagari words."""
    text = unicodedata.normalize("NFKD", text or "").casefold()
    text = "".join(char for char in text if not "\u0300" <= char <= "\u036f")  # Latin accents
    text = unicodedata.normalize("NFC", text).translate(_DEVANAGARI_DIGITS)
    tokens = (_LEADING_SIGNS.sub("", token) for token in _TOKEN.findall(text))
    return [token for token in tokens if token]


def normalize(text: str) -> str:
    """The message as space-separated folded tokens; keywords are folded the same way."""
    return " ".join(_fold_token(token) for token in _raw_tokens(text))


# --- language -----------------------------------------------------------------------------------

_HINGLISH_TEXT = (
    "hai hain he h nahi nhi nahin ka ki ke ko se mein mai par pe raha rahi rahe gaya gayi gaye gai "
    "hua hui hue kya kab kaha kahan kyu kyon bahut bohot bhut din dino hafte hafta mahine kar karo "
    "kare karein kijiye karwa karwao krupya kripya hamare hamara hamari humare mere mera meri yaha "
    "yahan vaha wahan yeh woh aur bhi tak sab koi kuch abhi kal aaj ji sahab bhaiya bhai lekin jab "
    "wala wali wale gali mohalla mohalle pani paani nali naali kachra sadak bijli jaldi pura puri ho "
    "aa aaya aayi rehta rehti padi pada liya diya hota hoti saaf safai kharab band chalu thik theek "
    "samne saamne paas pass ghar"
)
_ENGLISH_TEXT = (
    "the is are was were not no in on of and for there this that my our from since been has have with "
    "near at it its please kindly sir madam we i you they very be being will would should can could "
    "any all days day week weeks month road street water working"
)
_HINGLISH_WORDS = frozenset(_fold_latin(word) for word in _HINGLISH_TEXT.split())
_ENGLISH_WORDS = frozenset(_fold_latin(word) for word in _ENGLISH_TEXT.split())


def detect_language(text: str) -> str:
    """``"hi"`` for Devanagari or Hinglish, ``"en"`` for English; ``"hi"`` when there is no word."""
    tokens = _raw_tokens(text)
    if any(not ("a" <= token[0] <= "z" or token[0].isdigit()) for token in tokens):
        return "hi"
    words = [_fold_latin(token) for token in tokens if not token[0].isdigit()]
    if not words:
        return "hi"
    hindi = sum(word in _HINGLISH_WORDS for word in words)
    english = sum(word in _ENGLISH_WORDS for word in words)
    return "hi" if hindi > english else "en"


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

    def matches(self, token):
        return token.startswith(self.text) if self.prefix else token == self.text


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
        tokens = _raw_tokens(alternative)
        terms = []
        for index, token in enumerate(tokens):
            if prefix and index == len(tokens) - 1:
                folded = _fold_latin_stem(token) if token.isascii() else _fold_devanagari(token)
                if len(folded) < (MIN_PREFIX_LENGTH if folded.isascii() else 2):
                    return f"{alternative}: write at least {MIN_PREFIX_LENGTH} letters before *"
                terms.append(_Term(folded, True))
            else:
                terms.append(_Term(_fold_token(token), False))
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
                joined = _fold_latin("".join(term.text for term in terms))
                if joined not in self._single_tokens:
                    self._join_variants.setdefault(joined, []).append(unit_id)

    def _occurrences(self, raw_tokens, tokens):
        """{unit id: [(start, end)]} of every phrase found in the message."""
        found = {}
        count = len(tokens)
        for start, token in enumerate(tokens):
            candidates = list(self._by_first_token.get(token, ()))
            candidates += [
                unit_id
                for unit_id in self._by_first_prefix.get(token[:_PREFIX_INDEX], ())
                if self._units[unit_id][0].matches(token)
            ]
            for unit_id in candidates:
                terms = self._units[unit_id]
                end = start + len(terms)
                if end <= count and all(term.matches(tokens[start + offset]) for offset, term in enumerate(terms)):
                    found.setdefault(unit_id, []).append((start, end))
            for unit_id in self._join_variants.get(token, ()):
                found.setdefault(unit_id, []).append((start, start + 1))
            if start + 1 < count:
                left, right = raw_tokens[start], raw_tokens[start + 1]
                if (
                    left.isascii()
                    and right.isascii()
                    and left.isalpha()
                    and right.isalpha()
                    and min(len(left), len(right)) > 1
                    and len(left) + len(right) >= 6
                ):
                    unit_id = self._single_tokens.get(_fold_latin(left + right))
                    if unit_id is not None:
                        found.setdefault(unit_id, []).append((start, start + 2))
        return found

    def classify(self, text: str) -> Classification:
        raw_tokens = _raw_tokens(text)
        tokens = [_fold_token(token) for token in raw_tokens]
        spans_by_unit = self._occurrences(raw_tokens, tokens)

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
        runner_up = ranking[1][1] if len(ranking) > 1 else 0
        confidence = round(best / (best + runner_up + 1), 3)
        auto_file = confidence >= self.auto_file_confidence and best > runner_up
        auto_file = auto_file and best_code not in self.never_auto_file
        words = tuple(raw_tokens[position] for position in sorted(positions_by_code[best_code]))
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
