"""Spelling folds for matching citizens' words: normalised tokens (Latin, Devanagari) and the language of a text.

``normalize`` folds the common spelling variants (paani = pani, नाली = नालि, kacchra = kachra) so that
keywords and messages meet; ``detect_language`` tells Hindi/Hinglish from English. Used by the
classifier (``classifier.py``) and through it by the intent and answer matching.
"""

import re
import unicodedata
from functools import lru_cache

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
_LATIN_EXCEPTIONS["goods"] = "goods"  # not "good": "no good footpath" is no shop on it

_LEADING_SIGNS = re.compile("^[\u0900-\u0903\u093a-\u094f\u0951-\u0957\u0962\u0963]+")


@lru_cache(maxsize=65536)  # the classifier asks for a word's stem once per prefix keyword it might match
def fold_latin_stem(token):
    token = token.replace("ee", "i").replace("oo", "u")
    token = token.replace("ph", "f").replace("ck", "k").replace("q", "k").replace("w", "v").replace("z", "j")
    token = token.replace("igh", "i")
    token = _ASPIRATE.sub(r"\1", token)
    token = _ASPIRATE.sub(r"\1", token)  # "chh", "ddh": the first pass leaves one h behind
    return _REPEATS.sub(r"\1", token)


@lru_cache(maxsize=65536)
def fold_latin(token):
    if token in _LATIN_EXCEPTIONS:
        return _LATIN_EXCEPTIONS[token]
    token = fold_latin_stem(token)
    if len(token) > 1 and token.endswith("h"):
        token = token[:-1]
    if len(token) >= 4 and token.endswith("s"):
        token = token[:-1]
    return _LATIN_WORDS.get(token, token)


@lru_cache(maxsize=65536)
def fold_devanagari(token):
    token = _DEVANAGARI_NASAL.sub("", token)
    token = token.translate(_DEVANAGARI_FOLDS)
    token = _DEVANAGARI_GEMINATE.sub(r"\1", token)
    for written, folded in _DEVANAGARI_GLIDE:
        token = token.replace(written, folded)
    token = _REPEATS.sub(r"\1", token)
    return token.rstrip("\u094d")  # a trailing virama


def fold_token(token):
    if "a" <= token[0] <= "z":
        return fold_latin(token)
    if token[0].isdigit():
        return token
    return fold_devanagari(token)


def raw_tokens(text):
    """Lower-case tokens before spelling folding: Latin words, numbers and Devanagari words."""
    text = unicodedata.normalize("NFKD", text or "").casefold()
    text = "".join(char for char in text if not "\u0300" <= char <= "\u036f")  # Latin accents
    text = unicodedata.normalize("NFC", text).translate(_DEVANAGARI_DIGITS)
    tokens = (_LEADING_SIGNS.sub("", token) for token in _TOKEN.findall(text))
    return [token for token in tokens if token]


def normalize(text: str) -> str:
    """The message as space-separated folded tokens; keywords are folded the same way."""
    return " ".join(fold_token(token) for token in raw_tokens(text))


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
_HINGLISH_WORDS = frozenset(fold_latin(word) for word in _HINGLISH_TEXT.split())
_ENGLISH_WORDS = frozenset(fold_latin(word) for word in _ENGLISH_TEXT.split())


def detect_language(text: str) -> str:
    """``"hi"`` for Devanagari or Hinglish, ``"en"`` for English; ``"hi"`` when there is no word."""
    tokens = raw_tokens(text)
    if any(not ("a" <= token[0] <= "z" or token[0].isdigit()) for token in tokens):
        return "hi"
    words = [fold_latin(token) for token in tokens if not token[0].isdigit()]
    if not words:
        return "hi"
    hindi = sum(word in _HINGLISH_WORDS for word in words)
    english = sum(word in _ENGLISH_WORDS for word in words)
    return "hi" if hindi > english else "en"
