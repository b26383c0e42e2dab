"""Find the Sagar places (``mp15.place``: landmarks, bazaars, colonies, chowks) that a message names.

``find_places(text, candidates)`` returns the ids of the places named, in the order they appear;
``without_places(text, candidates)`` returns the text with those names cut out, so that a place
name ("Teen Batti", "Gopalganj") does not decide a complaint's category.

Names match whole words, whatever the script and the usual spelling variants: each word is reduced
to a sound key (Devanagari transliterated with Hindi schwa deletion, then Latin folded: capitals,
long vowels, aspirates, w = v, z = j, ph = f = p, ou = au = o, ai = e, doubled letters) and number
words are read as numbers, so "Teen Batti" = "teenbatti" = "3 batti" = "तीन बत्ती" and
"Makronia" = "Makroniya" = "मकरोनिया", "Gopalganj thane" = "Gopalganj thana". A name also
matches written as one word or split in two.
Where names overlap the longest wins; two places of one name (in two wards) are both returned,
for the caller to ask which.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

MAX_NAME_WORDS = 6
MIN_LOOSE_LENGTH = 5  # "Shanichari" = "शनिचरी" (shanichri), but "Katra" is not "katar"


@dataclass(frozen=True)
class PlaceCandidate:
    id: int
    names: tuple[str, ...]  # the place's name and its aliases (Hindi and romanized spellings)
    ward_id: int


# --- sound keys ---------------------------------------------------------------------------------

_CONSONANTS = {
    "क": "k",
    "ख": "kh",
    "ग": "g",
    "घ": "gh",
    **dict.fromkeys("ङञणन", "n"),
    "च": "ch",
    "छ": "chh",
    "ज": "j",
    "झ": "jh",
    **dict.fromkeys("टत", "t"),
    **dict.fromkeys("ठथ", "th"),
    **dict.fromkeys("डद", "d"),
    **dict.fromkeys("ढध", "dh"),
    "प": "p",
    "फ": "ph",
    "ब": "b",
    "भ": "bh",
    "म": "m",
    "य": "y",
    "र": "r",
    "ल": "l",
    "व": "v",
    **dict.fromkeys("शष", "sh"),
    "स": "s",
    "ह": "h",
}  # fmt: skip  (a nukta is dropped: ड़ = ड, ज़ = ज)
_VOWELS = dict(zip("अआइईउऊऋएऐओऔऑ", ["a", "a", "i", "i", "u", "u", "ri", "e", "e", "o", "o", "o"], strict=True))
_SIGNS = dict(zip("ािीुूृेैोौॉॅ", ["a", "i", "i", "u", "u", "ri", "e", "e", "o", "o", "o", "e"], strict=True))
_NASALS = "\u0901\u0902"  # chandrabindu, anusvara
_VIRAMA = "\u094d"
_NUKTA = "\u093c"
_DEVANAGARI_DIGITS = {ord("०") + value: str(value) for value in range(10)}

_WORD = re.compile(r"(?:[^\W_]|[\u0900-\u0963\u0966-\u097f])+")
_LATIN_FOLDS = (
    ("ph", "p"),
    ("f", "p"),
    ("w", "v"),
    ("z", "j"),
    ("q", "k"),
    ("x", "ks"),
    ("ck", "k"),
    ("ee", "i"),
    ("oo", "u"),
    ("ou", "o"),
    ("au", "o"),
    ("ai", "e"),
    ("iy", "i"),
    ("mb", "nb"),
    ("mp", "np"),
)
_C_SOFT = re.compile(r"c(?=[ei])")
_C_HARD = re.compile(r"c")
_ASPIRATE = re.compile(r"([bcdgjkprst])h")
_REPEATS = re.compile(r"(.)\1+")

# Number words, read as the number's key: "teen batti" = "3 batti" = "तीन बत्ती".
_NUMBERS = {"1": "ek", "2": "do", "3": "tin", "4": "car", "5": "panc", "7": "sat", "8": "at", "10": "das"}


def _transliterate(word):
    """Devanagari to Latin letters, deleting the inherent vowel where Hindi does not say it."""
    syllables = []  # [consonant letters, vowel letters or None (inherent a), explicit?]
    for char in word:
        if char in _CONSONANTS:
            syllables.append([_CONSONANTS[char], "a", False])
        elif char in _VOWELS:
            syllables.append(["", _VOWELS[char], True])
        elif char in _SIGNS and syllables:
            syllables[-1][1:] = [_SIGNS[char], True]
        elif char == _VIRAMA and syllables:
            syllables[-1][1:] = ["", True]
        elif char in _NASALS and syllables:
            syllables[-1][1] += "n"
            syllables[-1][2] = True
        elif char == _NUKTA:
            continue
        elif char.isdigit():
            syllables.append([char, "", True])
    # Schwa deletion: a final inherent a, and one between a vowel and a consonant followed by a vowel.
    if len(syllables) > 1 and syllables[-1][1] == "a" and not syllables[-1][2]:
        syllables[-1][1] = ""
    for index in range(len(syllables) - 2, 0, -1):
        before, this, after = syllables[index - 1], syllables[index], syllables[index + 1]
        if this[1] == "a" and not this[2] and this[0] and before[1] and after[0] and after[1]:
            this[1] = ""
    return "".join(consonant + vowel for consonant, vowel, _explicit in syllables)


@lru_cache(maxsize=65536)
def word_key(word: str) -> str:
    """The sound key of one word: "Batti" and "बत्ती" both give "bati"."""
    word = unicodedata.normalize("NFC", word).casefold().translate(_DEVANAGARI_DIGITS)
    if any("\u0900" <= char <= "\u097f" for char in word):
        word = _transliterate(word)
    word = unicodedata.normalize("NFKD", word)
    word = "".join(char for char in word if char.isascii() and char.isalnum())
    if word in _NUMBERS:
        return _NUMBERS[word]
    for written, folded in _LATIN_FOLDS:
        word = word.replace(written, folded)
    word = word.replace("chh", "ch").replace("ch", "C")  # C: the sound of च, kept apart from k and s
    word = _C_SOFT.sub("s", word)
    word = _C_HARD.sub("k", word)
    word = _ASPIRATE.sub(r"\1", word).replace("C", "c")
    word = _REPEATS.sub(r"\1", word)
    if len(word) > 2 and word.endswith("h"):
        word = word[:-1]
    if len(word) > 3 and word.endswith("e"):  # Hindi oblique case: thane = thana, chaurahe = chauraha
        word = word[:-1] + "a"
    return word


def _join(keys):
    return _REPEATS.sub(r"\1", "".join(keys))


def _loose(key):
    """The key without its inner a's, for names long enough to stay distinct (schwa spelt or not)."""
    loose = key[:1] + key[1:].replace("a", "")
    return loose if len(loose) >= MIN_LOOSE_LENGTH else None


def _words(text):
    """(start, end, key) of every word of the text, with its place in the original string."""
    words = []
    for match in _WORD.finditer(text or ""):
        key = word_key(match.group())
        if key:
            words.append((match.start(), match.end(), key))
    return words


# --- matching -----------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _index(candidates):
    """{joined name key: [place ids]}, the same by loose key, and the most words a name spans."""
    by_key = {}
    by_loose = {}
    longest = 1
    for candidate in candidates:
        for name in candidate.names:
            keys = [key for _start, _end, key in _words(name)]
            if not keys:
                continue
            longest = max(longest, len(keys))
            joined = _join(keys)
            for index, key in ((by_key, joined), (by_loose, _loose(joined))):
                ids = index.setdefault(key, []) if key else []
                if key and candidate.id not in ids:
                    ids.append(candidate.id)
    return by_key, by_loose, min(longest + 1, MAX_NAME_WORDS)


def _matches(text, candidates):
    """[(first word, end word, place ids)] of the names found, longest first, not overlapping."""
    by_key, by_loose, longest = _index(tuple(candidates))  # compiled once per set of places
    words = _words(text)
    found = []
    for start in range(len(words)):
        joined = ""
        for end in range(start + 1, min(start + longest, len(words)) + 1):
            joined = _join((joined, words[end - 1][2]))
            if joined in by_key:
                found.append((start, end, len(joined), 1, by_key[joined]))
            elif by_loose.get(_loose(joined)):
                found.append((start, end, len(joined), 0, by_loose[_loose(joined)]))
    found.sort(key=lambda match: (-match[2], -match[3], -(match[1] - match[0]), match[0]))
    taken = set()
    chosen = []
    for start, end, _length, _exact, ids in found:
        if taken.isdisjoint(range(start, end)):
            taken.update(range(start, end))
            chosen.append((start, end, ids))
    chosen.sort()
    return words, chosen


def read_places(text: str, candidates: Sequence[PlaceCandidate]) -> tuple[tuple[int, ...], str]:
    """(ids of the places the text names, the text without those names): one reading for both."""
    words, chosen = _matches(text, candidates)
    ids = []
    for _start, _end, place_ids in chosen:
        ids.extend(place_id for place_id in place_ids if place_id not in ids)
    if not chosen:
        return (), text
    pieces = []
    position = 0
    for start, end, _ids in chosen:
        pieces.append(text[position : words[start][0]])
        position = words[end - 1][1]
    pieces.append(text[position:])
    return tuple(ids), " ".join(" ".join(pieces).split())


def find_places(text: str, candidates: Sequence[PlaceCandidate]) -> tuple[int, ...]:
    """Ids of the places the text names: whole words, longest match first, each once, in text order."""
    return read_places(text, candidates)[0]


def without_places(text: str, candidates: Sequence[PlaceCandidate]) -> str:
    """The text with the place names found cut out (spaces tidied), for classifying the complaint."""
    return read_places(text, candidates)[1]
