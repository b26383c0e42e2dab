"""Whole-message words a citizen may type (stop, menu, yes, skip ...) and typed ward numbers, Hindi and English."""

from __future__ import annotations

import re
import unicodedata

MAX_WARD_NUMBER = 999


def fold(text: str) -> str:
    """Lower case, NFC, punctuation and emoji dropped, spaces collapsed: for whole-message words."""
    text = unicodedata.normalize("NFC", text or "").casefold()
    kept = "".join(
        char if (char.isalnum() or unicodedata.category(char) in ("Mn", "Mc") or char.isspace()) else " "
        for char in text
    )
    return " ".join(kept.split())


def _words(*phrases: str) -> frozenset[str]:
    return frozenset(fold(phrase) for phrase in phrases)


STOP_WORDS = _words("stop", "बंद", "unsubscribe", "stop all")
START_WORDS = _words("start", "शुरू", "shuru", "subscribe")
MENU_WORDS = _words(
    "menu", "मेनू", "मेन्यू", "main menu", "hi", "hii", "hello", "helo", "hey", "namaste", "namaskar",
    "नमस्ते", "नमस्कार", "help", "मदद", "sahayata", "सहायता", "ram ram", "राम राम", "jai shri ram",
    "जय श्री राम", "start again", "restart",
)  # fmt: skip
ENGLISH_WORDS = _words("english", "अंग्रेज़ी", "अंग्रेजी", "angrezi", "eng")
HINDI_WORDS = _words("hindi", "हिंदी", "हिन्दी", "हिंदि")
ANNOUNCE_WORDS = _words("announcements", "सूचनाएँ", "सूचनाएं", "सूचना", "suchna", "suchnaye", "suchnayen")
CANCEL_WORDS = _words("cancel", "रद्द", "radd", "रद्द करें", "cancel karo", "mat bhejo", "मत भेजो")
THANKS_WORDS = _words(
    "thanks", "thank you", "thank u", "thanku", "thankyou", "thx", "ok", "okay", "ok thanks", "ok thank you",
    "धन्यवाद", "शुक्रिया", "dhanyavad", "dhanyawad", "shukriya", "🙏", "👍", "ठीक है", "theek hai", "thik hai",
)  # fmt: skip
SKIP_WORDS = _words(
    "skip", "छोड़ें", "छोड़े", "छोड़ो", "छोड़ दें", "chhodo", "chodo", "chhode", "no", "nahi", "nhi", "नहीं", "na",
    "nope", "later", "baad me", "बाद में", "no photo", "nahi hai", "नहीं है", "no location", "pata nahi",
    "पता नहीं", "malum nahi", "मालूम नहीं", "don't know", "dont know",
)  # fmt: skip
YES_WORDS = _words(
    "yes", "y", "haan", "han", "ha", "haa", "हाँ", "हां", "हा", "ok", "okay", "ji", "जी", "haan ji", "ji haan",
    "हाँ जी", "हां जी", "जी हाँ", "submit", "confirm", "register", "दर्ज करें", "दर्ज करो", "bhejo", "bhej do",
    "भेजें", "भेज दो", "theek hai", "thik hai", "ठीक है", "sahi hai", "सही है",
)  # fmt: skip
NO_WORDS = _words("no", "n", "nahi", "nhi", "नहीं", "na") | CANCEL_WORDS
ANSWER_WORDS = YES_WORDS | NO_WORDS | SKIP_WORDS

_DEVANAGARI_DIGITS = {ord("०") + value: str(value) for value in range(10)}
_WARD = "(?:ward|wrd|wd|वार्ड|वॉर्ड)"
_NUMBER_WORD = r"(?:no|num|number|nambar|नंबर|नम्बर|नं|क्रमांक|क्र)"
_WARD_PATTERNS = (
    re.compile(rf"{_WARD}\s*(?:{_NUMBER_WORD}\s*)?(\d{{1,3}})", re.IGNORECASE),
    re.compile(rf"(\d{{1,3}})\s*(?:{_NUMBER_WORD}\s*)?(?:का\s*|ka\s*)?{_WARD}", re.IGNORECASE),
    re.compile(r"(\d{1,3})"),
)


def ward_number(text: str) -> int | None:
    """12 from "ward 12", "वार्ड नं. १२", "12 number ward" or a bare "12"; None otherwise."""
    folded = fold(unicodedata.normalize("NFC", text).translate(_DEVANAGARI_DIGITS))
    for pattern in _WARD_PATTERNS:
        match = pattern.fullmatch(folded)
        if match:
            number = int(match.group(1))
            return number if 1 <= number <= MAX_WARD_NUMBER else None
    return None


def letter_count(text: str) -> int:
    """Letters and vowel signs: "पानी" counts 4, "12" and "👍" count 0."""
    return sum(1 for char in text if unicodedata.category(char)[0] in "LM")


def looks_like_address(text: str) -> bool:
    return letter_count(text) >= 3
