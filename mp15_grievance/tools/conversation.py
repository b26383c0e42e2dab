"""The WhatsApp bot's conversation engine: ``step(state, event) -> (new_state, actions)``.

Pure and deterministic: no I/O, no clock (time comes in the event). The caller builds the
``Event`` from an inbound message plus database facts, stores ``new_state`` (a JSON-able dict)
on the citizen's conversation, and executes the actions in order. Every ``Reply`` is rendered
from the editable bot text ``text_key`` in ``new_state["lang"]``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .classifier import Classification, detect_language
from .messages import MAX_ROWS, clip

EXPIRY_SECONDS = 30 * 60
LANGUAGES = ("hi", "en")
DEFAULT_LANGUAGE = "hi"
FLOWS = ("idle", "complaint", "suggestion", "track", "emergency", "language")
EMERGENCY_CODE = "EMERGENCY"
OTHER_CODE = "OTHER"
MAX_DRAFT_MEDIA = 10
MAX_DRAFT_TEXT = 4000
SUMMARY_DESCRIPTION_LIMIT = 400
NOTE_MIN_WORDS = 4  # words besides a reference that make a message a note, not just a status request
MAX_WARD_NUMBER = 999

MENU_ITEMS = ("complaint", "suggestion", "track", "emergency", "language")


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class GrievanceInfo:
    """A grievance as the engine may mention it."""

    id: int
    reference: str  # "MP15-2026-000123"
    state: str  # new|assigned|in_progress|resolved|closed|rejected
    category_code: str
    label: str = ""  # optional, already translated: "पानी की आपूर्ति · नया" (row description in lists)


@dataclass(frozen=True)
class CategoryOption:
    """A row of the category list; ``title`` is already in the citizen's language."""

    code: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Event:
    """One inbound message plus the database facts the engine needs."""

    at: int  # unix seconds of the inbound message
    kind: str  # text|interactive|location|media|unsupported|reaction|other
    text: str | None = None  # text body, or media caption
    interactive_id: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None
    media_message_id: int | None = None
    media_type: str | None = None  # image|audio|video|document|sticker
    classification: Classification | None = None
    reference: str | None = None  # a reference found in the text by the caller
    referenced: GrievanceInfo | None = None  # that grievance, if it exists and is this citizen's
    context_grievance: GrievanceInfo | None = None  # grievance of the quoted bot message
    recent_grievance: GrievanceInfo | None = None  # filed by this citizen in the last 30 minutes
    open_grievances: tuple[GrievanceInfo, ...] = ()  # newest first, at most 10
    categories: tuple[CategoryOption, ...] = ()  # for the list; emergency excluded, at most 10
    first_contact: bool = False


# --------------------------------------------------------------------------- actions


@dataclass(frozen=True)
class Option:
    """A button or list row: the title is the bot text ``title_key`` or the ready ``title``."""

    id: str
    title_key: str | None = None
    title: str | None = None
    description: str | None = None
    description_key: str | None = None  # a bot text for the row description (menu rows)


@dataclass(frozen=True)
class Reply:
    """A message to the citizen; see the module docstring for how it is rendered."""

    text_key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    style: str = "text"  # text|buttons|list|location_request
    options: tuple[Option, ...] = ()
    list_button_key: str | None = None
    grievance_id: int | None = None
    about_filed: bool = False  # about the grievance of the FileGrievance earlier in the same list


@dataclass(frozen=True)
class FileGrievance:
    kind: str  # complaint|suggestion
    category_code: str
    description: str  # empty only for an emergency reported by a pin or a photo alone
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None
    ward_number: int | None = None
    media_message_ids: tuple[int, ...] = ()
    emergency: bool = False


@dataclass(frozen=True)
class AttachMedia:
    grievance_id: int
    media_message_id: int


@dataclass(frozen=True)
class SetLocation:
    grievance_id: int
    latitude: float
    longitude: float
    address: str | None = None


@dataclass(frozen=True)
class AddCitizenNote:
    grievance_id: int
    text: str


@dataclass(frozen=True)
class Feedback:
    grievance_id: int  # from a button id: the caller checks the grievance is this citizen's
    satisfied: bool


@dataclass(frozen=True)
class SetLanguage:
    lang: str


@dataclass(frozen=True)
class SetOptIn:
    opted_in: bool  # broadcasts only; replies about the citizen's own grievances still go out


Action = Reply | FileGrievance | AttachMedia | SetLocation | AddCitizenNote | Feedback | SetLanguage | SetOptIn


def feedback_options(grievance_id: int) -> tuple[Option, Option]:
    """The buttons of the satisfaction question sent after resolution (text ``feedback_request``)."""
    return (
        Option(f"feedback:yes:{grievance_id}", title_key="button_feedback_yes"),
        Option(f"feedback:no:{grievance_id}", title_key="button_feedback_no"),
    )


# --------------------------------------------------------------------------- typed words


def _fold(text: str) -> str:
    """Lower case, NFC, punctuation and emoji dropped, spaces collapsed: for whole-message words."""
    text = unicodedata.normalize("NFC", text or "").casefold()
    kept = "".join(
        char if (char.isalnum() or unicodedata.category(char) in ("Mn", "Mc") or char.isspace()) else " "
        for char in text
    )
    return " ".join(kept.split())


def _words(*phrases: str) -> frozenset[str]:
    return frozenset(_fold(phrase) for phrase in phrases)


STOP_WORDS = _words("stop", "बंद", "unsubscribe", "stop all")
START_WORDS = _words("start", "शुरू", "shuru", "subscribe")
MENU_WORDS = _words(
    "menu", "मेनू", "मेन्यू", "main menu", "hi", "hii", "hello", "helo", "hey", "namaste", "namaskar",
    "नमस्ते", "नमस्कार", "help", "मदद", "sahayata", "सहायता", "ram ram", "राम राम", "jai shri ram",
    "जय श्री राम", "start again", "restart",
)  # fmt: skip
ENGLISH_WORDS = _words("english", "अंग्रेज़ी", "अंग्रेजी", "angrezi", "eng")
HINDI_WORDS = _words("hindi", "हिंदी", "हिन्दी", "हिंदि")
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
_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,63}")


def _ward_number(text: str) -> int | None:
    """12 from "ward 12", "वार्ड नं. १२", "12 number ward" or a bare "12"; None otherwise."""
    folded = _fold(unicodedata.normalize("NFC", text).translate(_DEVANAGARI_DIGITS))
    for pattern in _WARD_PATTERNS:
        match = pattern.fullmatch(folded)
        if match:
            number = int(match.group(1))
            return number if 1 <= number <= MAX_WARD_NUMBER else None
    return None


def _letter_count(text: str) -> int:
    """Letters and vowel signs: "पानी" counts 4, "12" and "👍" count 0."""
    return sum(1 for char in text if unicodedata.category(char)[0] in "LM")


def _looks_like_address(text: str) -> bool:
    return _letter_count(text) >= 3


# --------------------------------------------------------------------------- state


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _text(value: object, limit: int = MAX_DRAFT_TEXT) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _clean_draft(draft: object) -> dict:
    if not isinstance(draft, dict):
        return {}
    clean: dict = {}
    code = draft.get("category")
    if isinstance(code, str) and _CODE.fullmatch(code):
        clean["category"] = code
        if _text(draft.get("category_title"), 200):
            clean["category_title"] = _text(draft.get("category_title"), 200)
    if _text(draft.get("description")).strip():
        clean["description"] = _text(draft["description"]).strip()
    latitude, longitude = _number(draft.get("latitude")), _number(draft.get("longitude"))
    if latitude is not None and longitude is not None and abs(latitude) <= 90 and abs(longitude) <= 180:
        clean["latitude"], clean["longitude"] = latitude, longitude
    if _text(draft.get("address"), 500).strip():
        clean["address"] = _text(draft["address"], 500).strip()
    ward = draft.get("ward_number")
    if isinstance(ward, int) and not isinstance(ward, bool) and 1 <= ward <= MAX_WARD_NUMBER:
        clean["ward_number"] = ward
    media = draft.get("media")
    if isinstance(media, list):
        ids = [value for value in media if isinstance(value, int) and not isinstance(value, bool)]
        if ids:
            clean["media"] = ids[:MAX_DRAFT_MEDIA]
    for flag in ("location_done", "photo_done"):
        if draft.get(flag) is True:
            clean[flag] = True
    return clean


def clean_state(state: object) -> dict:
    """``state`` with every unusable part replaced by the fresh default; never raises."""
    if not isinstance(state, dict):
        state = {}
    lang = state.get("lang") if state.get("lang") in LANGUAGES else DEFAULT_LANGUAGE
    flow = state.get("flow") if state.get("flow") in FLOWS else "idle"
    step = state.get("step") if isinstance(state.get("step"), str) else ""
    updated_at = _number(state.get("updated_at"))
    clean = {
        "lang": lang,
        "flow": flow,
        "step": step if flow != "idle" else "",
        "draft": _clean_draft(state.get("draft")),
    }
    if updated_at is not None:
        clean["updated_at"] = int(updated_at)
    return clean


def _has_location(draft: Mapping) -> bool:
    return "latitude" in draft or "address" in draft or "ward_number" in draft


def _first_missing(draft: Mapping) -> str:
    """The complaint step to ask next: the draft alone decides it, whatever step was stored."""
    if "category" not in draft:
        return "category"
    if "description" not in draft:
        return "description"
    if not (draft.get("location_done") or _has_location(draft)):
        return "location"
    if not (draft.get("photo_done") or draft.get("media")):
        return "photo"
    return "confirm"


def _carried(draft: Mapping) -> dict:
    """What an idle draft keeps for the next flow: a location or media sent before choosing."""
    keys = ("latitude", "longitude", "address", "ward_number", "media")
    return {key: draft[key] for key in keys if key in draft}


# --------------------------------------------------------------------------- one turn


class _Turn:
    def __init__(self, saved: dict, event: Event):
        self.event = event
        self.lang = saved["lang"]
        self.flow = saved["flow"]
        self.step = saved["step"]
        self.draft = dict(saved["draft"])
        self.actions: list = []
        self.urgent = False  # an emergency: no welcome before the numbers
        self.welcome = True
        self.expired = False  # a half-finished flow was dropped for being over 30 minutes old

    # ---- helpers

    def act(self, action) -> None:
        self.actions.append(action)

    def say(self, text_key: str, **kwargs) -> None:
        self.actions.append(Reply(text_key, **kwargs))

    def reset(self, keep_draft: bool = False) -> None:
        self.flow, self.step = "idle", ""
        if not keep_draft:
            self.draft = {}

    def text(self) -> str:
        return (self.event.text or "").strip()

    def menu(self, text_key: str = "menu", mention_expiry: bool = True) -> None:
        """The main menu; after an expiry it first says why the earlier question is gone."""
        if mention_expiry and self.expired:
            self.say("draft_expired")
            self.expired = False
        options = tuple(
            Option(f"menu:{item}", title_key=f"menu_{item}", description_key=f"menu_{item}_desc") for item in MENU_ITEMS
        )
        self.say(text_key, style="list", options=options, list_button_key="menu_button")

    def category_title(self, code: str) -> str:
        for option in self.event.categories:
            if option.code == code:
                return option.title
        if self.draft.get("category") == code and self.draft.get("category_title"):
            return self.draft["category_title"]
        return code

    def category_is_valid(self, code: str) -> bool:
        if not _CODE.fullmatch(code):
            return False
        known = {option.code for option in self.event.categories}
        return code in known or not known or code == OTHER_CODE

    def default_category(self) -> None:
        """Without a list to show (the caller passed no categories) staff will categorise it."""
        if "category" not in self.draft and not self.event.categories:
            self.draft["category"], self.draft["category_title"] = OTHER_CODE, self.category_title(OTHER_CODE)

    def ask_category(self, invalid: bool = False) -> None:
        categories = list(self.event.categories)
        guess = self.event.classification.code if self.event.classification else None
        categories.sort(key=lambda option: option.code != guess)  # the likely one first
        options = tuple(
            Option(f"cat:{option.code}", title=option.title, description=option.description or None)
            for option in categories[:MAX_ROWS]
        )
        self.say(
            "invalid_category" if invalid else "ask_category",
            style="list",
            options=options,
            list_button_key="category_button",
        )

    def add_media(self, media_message_id: int) -> None:
        media = self.draft.setdefault("media", [])
        if media_message_id not in media and len(media) < MAX_DRAFT_MEDIA:
            media.append(media_message_id)

    def add_description(self, text: str) -> None:
        text = text.strip()
        if text:
            current = self.draft.get("description", "")
            self.draft["description"] = (f"{current}\n{text}" if current else text)[:MAX_DRAFT_TEXT]

    def set_location_from_event(self) -> None:
        event = self.event
        self.draft["latitude"], self.draft["longitude"] = event.latitude, event.longitude
        if event.address and event.address.strip():
            self.draft["address"] = event.address.strip()[:500]
        self.draft["location_done"] = True

    def file(self, kind: str, category_code: str, description: str, emergency: bool = False) -> None:
        draft = self.draft
        self.act(
            FileGrievance(
                kind=kind,
                category_code=category_code,
                description=description.strip()[:MAX_DRAFT_TEXT],
                latitude=draft.get("latitude"),
                longitude=draft.get("longitude"),
                address=draft.get("address"),
                ward_number=draft.get("ward_number"),
                media_message_ids=tuple(draft.get("media", ())),
                emergency=emergency,
            )
        )
        if kind == "suggestion":
            self.say("suggestion_filed", about_filed=True)
        elif _has_location(draft):
            self.say("filed_complete", about_filed=True)
        else:
            self.say("filed", style="location_request", about_filed=True)
        self.reset()

    def file_complaint_now(self, code: str, description: str, numbers_shown: bool = False) -> None:
        """File at once (with any pin or photo already in the draft); an emergency gets the numbers first."""
        emergency = code == EMERGENCY_CODE
        if emergency:
            self.urgent = True
            if not numbers_shown:
                self.say("emergency_numbers")
        self.draft = _carried(self.draft)
        self.file("complaint", code, description, emergency=emergency)


# --------------------------------------------------------------------------- entry point


def step(state: object, event: Event) -> tuple[dict, list]:
    """Advance the conversation by one inbound ``event``: ``(new_state, actions)``."""
    saved = clean_state(state)
    if event.kind == "reaction" or (event.kind == "media" and event.media_type == "sticker"):
        return saved, []  # a 👍 or a sticker needs no answer
    turn = _Turn(saved, event)
    if _expired(saved, event.at):
        turn.expired = saved["flow"] != "idle" and "updated_at" in saved  # else the state was unusable
        turn.reset()
    language_detected = _detect_first_language(turn)
    _handle(turn)

    prefix: list = []
    if language_detected and not any(isinstance(action, SetLanguage) for action in turn.actions):
        prefix.append(SetLanguage(turn.lang))
    replies = [action for action in turn.actions if isinstance(action, Reply)]
    if event.first_contact and replies and turn.welcome and not turn.urgent:
        prefix.append(Reply("welcome"))
    new_state = {
        "lang": turn.lang,
        "flow": turn.flow,
        "step": turn.step,
        "draft": turn.draft,
        "updated_at": int(event.at),
    }
    return clean_state(new_state), prefix + turn.actions


def _expired(saved: dict, at: int) -> bool:
    if saved["flow"] == "idle" and not saved["draft"]:
        return False
    updated_at = saved.get("updated_at")
    return updated_at is None or at - updated_at > EXPIRY_SECONDS


def _detect_first_language(turn: _Turn) -> bool:
    """First contact in plain English switches to English; greetings and commands do not."""
    event = turn.event
    if not event.first_contact or event.kind not in ("text", "media") or turn.lang == "en":
        return False
    text = turn.text()
    folded = _fold(text)
    commands = MENU_WORDS | STOP_WORDS | START_WORDS | ENGLISH_WORDS | HINDI_WORDS | THANKS_WORDS
    if not folded or folded in commands or detect_language(text) != "en":
        return False
    turn.lang = "en"
    return True


def _handle(turn: _Turn) -> None:
    event = turn.event
    if event.kind == "text" and _command(turn):
        return
    if event.kind == "interactive":
        _interactive(turn)
        return
    if not _usable(event):
        turn.say("unsupported_type")
        return
    if turn.flow == "idle" and event.context_grievance:
        _about_quoted(turn)
        return
    if turn.flow in ("idle", "track") and event.reference and event.kind in ("text", "media"):
        _about_reference(turn)
        return
    handler = {
        "idle": _idle,
        "complaint": _complaint,
        "suggestion": _suggestion,
        "track": _track,
        "emergency": _emergency,
        "language": _language,
    }[turn.flow]
    handler(turn)


def _usable(event: Event) -> bool:
    if event.kind == "text":
        return bool((event.text or "").strip())
    if event.kind == "location":
        return _number(event.latitude) is not None and _number(event.longitude) is not None
    if event.kind == "media":
        return isinstance(event.media_message_id, int)
    return False


def _command(turn: _Turn) -> bool:
    """Whole-message keywords that work anywhere."""
    word = _fold(turn.text())
    if word in STOP_WORDS or word in START_WORDS:
        opted_in = word in START_WORDS
        turn.reset()
        turn.welcome = False
        turn.act(SetOptIn(opted_in))
        turn.say("opted_in" if opted_in else "opted_out")
    elif word in ENGLISH_WORDS or word in HINDI_WORDS:
        _set_language(turn, "en" if word in ENGLISH_WORDS else "hi")
    elif word in MENU_WORDS:
        turn.reset()
        turn.menu(mention_expiry=False)
    elif word in CANCEL_WORDS and turn.flow != "idle":
        turn.reset()
        turn.say("cancelled")
    else:
        return False
    return True


def _set_language(turn: _Turn, lang: str) -> None:
    turn.lang = lang
    turn.act(SetLanguage(lang))
    turn.say("language_set")
    if turn.flow in ("complaint", "suggestion", "emergency"):
        _ask_again(turn)  # carry on where the citizen was, now in the new language
    else:
        turn.reset(keep_draft=True)


def _ask_again(turn: _Turn) -> None:
    if turn.flow == "complaint":
        _advance(turn)
    elif turn.flow == "suggestion":
        turn.say("ask_suggestion")
    elif turn.flow == "emergency":
        turn.say("ask_emergency")


# --------------------------------------------------------------------------- interactive replies


def _grievance_id(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def _interactive(turn: _Turn) -> None:
    event = turn.event
    prefix, _sep, rest = (event.interactive_id or "").partition(":")
    if prefix == "feedback":
        answer, _sep, number = rest.partition(":")
        grievance_id = _grievance_id(number)
        if answer in ("yes", "no") and grievance_id is not None:
            satisfied = answer == "yes"
            turn.act(Feedback(grievance_id, satisfied))
            turn.say("feedback_thanks" if satisfied else "feedback_reopened", grievance_id=grievance_id)
            return
    elif prefix == "track":
        grievance_id = _grievance_id(rest)
        if grievance_id is not None:
            _track_by_id(turn, grievance_id)
            return
    elif prefix == "lang" and rest in LANGUAGES:
        _set_language(turn, rest)
        return
    elif prefix == "menu" and rest in MENU_ITEMS:
        _start(turn, rest)
        return
    elif prefix == "cat" and rest:
        _pick_category(turn, rest)
        return
    elif prefix in ("confirm", "skip") and rest:
        if turn.flow == "complaint":
            _complaint(turn)
        else:  # a button of a draft that expired, was cancelled or already filed
            turn.reset()
            turn.expired = True
            turn.menu()
        return
    turn.reset()
    turn.menu()


def _track_by_id(turn: _Turn, grievance_id: int) -> None:
    event = turn.event
    known = {info.id for info in event.open_grievances}
    known |= {info.id for info in (event.referenced, event.context_grievance, event.recent_grievance) if info}
    if turn.flow == "track":
        turn.reset()
    if grievance_id in known:
        turn.say("track_status", grievance_id=grievance_id)
    else:
        turn.say("track_not_found")


def _start(turn: _Turn, item: str) -> None:
    """A menu choice: starts that flow, keeping a pin or photo sent just before in idle."""
    carried = _carried(turn.draft) if turn.flow == "idle" else {}
    turn.reset()
    if item == "complaint":
        turn.flow, turn.draft = "complaint", carried
        _advance(turn)
    elif item == "suggestion":
        turn.flow, turn.step, turn.draft = "suggestion", "text", carried
        turn.say("ask_suggestion")
    elif item == "track":
        _track_menu(turn)
    elif item == "emergency":
        turn.flow, turn.step, turn.draft = "emergency", "describe", carried
        turn.urgent = True
        turn.say("emergency_numbers")
        turn.say("ask_emergency")
    else:
        turn.flow, turn.step = "language", "choose"
        turn.say(
            "ask_language",
            style="buttons",
            options=(Option("lang:hi", title_key="lang_hindi"), Option("lang:en", title_key="lang_english")),
        )


def _pick_category(turn: _Turn, code: str) -> None:
    if code == EMERGENCY_CODE:
        _start(turn, "emergency")
        return
    if not turn.category_is_valid(code):
        if turn.flow == "complaint" and turn.event.categories:
            turn.ask_category(invalid=True)
        elif turn.flow == "complaint":
            _advance(turn)
        else:
            turn.reset()
            turn.menu()
        return
    if turn.flow != "complaint":
        if turn.expired:
            turn.say("draft_expired")  # the text typed before the list is gone: ask it again
            turn.expired = False
        carried = _carried(turn.draft) if turn.flow == "idle" else {}
        turn.reset()
        turn.flow, turn.draft = "complaint", carried
    turn.draft["category"] = code
    turn.draft["category_title"] = turn.category_title(code)
    _advance(turn)


# --------------------------------------------------------------------------- idle


def _about_quoted(turn: _Turn) -> None:
    """A quote-reply to a bot message about a grievance: the content goes to that grievance."""
    event, grievance = turn.event, turn.event.context_grievance
    if event.kind == "location":
        turn.act(SetLocation(grievance.id, event.latitude, event.longitude, event.address))
        turn.say("location_added", grievance_id=grievance.id)
    elif event.kind == "media":
        turn.act(AttachMedia(grievance.id, event.media_message_id))
        if turn.text():
            turn.act(AddCitizenNote(grievance.id, turn.text()))
        turn.say("media_added", grievance_id=grievance.id)
    elif _fold(turn.text()) in THANKS_WORDS:
        turn.say("thanks_reply")
    else:
        turn.act(AddCitizenNote(grievance.id, turn.text()))
        turn.say("note_added", grievance_id=grievance.id)


def _about_reference(turn: _Turn) -> None:
    """A reference in the text: its status; a photo with it, or a longer text, goes to it too."""
    event, grievance = turn.event, turn.event.referenced
    if turn.flow == "track":
        turn.reset()
    if grievance is None:
        turn.say("track_not_found")
        return
    if event.kind == "media":
        turn.act(AttachMedia(grievance.id, event.media_message_id))
        turn.say("media_added", grievance_id=grievance.id)
        return
    rest = re.sub(re.escape(event.reference), " ", turn.text(), flags=re.IGNORECASE)
    if len(_fold(rest).split()) >= NOTE_MIN_WORDS:
        turn.act(AddCitizenNote(grievance.id, turn.text()))
        turn.say("note_added", grievance_id=grievance.id)
    turn.say("track_status", grievance_id=grievance.id)


def _idle(turn: _Turn) -> None:
    event = turn.event
    classification = event.classification
    confident = bool(classification and classification.auto_file and classification.code)
    if event.kind == "location":
        if event.recent_grievance:
            grievance = event.recent_grievance
            turn.act(SetLocation(grievance.id, event.latitude, event.longitude, event.address))
            turn.say("location_added", grievance_id=grievance.id)
        else:
            turn.set_location_from_event()
            turn.menu("menu_after_location")
        return
    if event.kind == "media":
        if event.recent_grievance:
            turn.act(AttachMedia(event.recent_grievance.id, event.media_message_id))
            if turn.text():
                turn.act(AddCitizenNote(event.recent_grievance.id, turn.text()))
            turn.say("media_added", grievance_id=event.recent_grievance.id)
            return
        turn.add_media(event.media_message_id)
        if confident:
            turn.file_complaint_now(classification.code, turn.text())
            return
        _unsure(turn)
        return
    text, word = turn.text(), _fold(turn.text())
    # An answer to a question no longer asked ("yes", "ward 12"), or nothing to file ("?").
    answer = word in ANSWER_WORDS or _letter_count(word) < 2 or _ward_number(text) is not None
    if word in THANKS_WORDS:
        turn.say("thanks_reply")
    elif confident:
        turn.file_complaint_now(classification.code, text)
    elif event.recent_grievance and (not answer or word in CANCEL_WORDS or _ward_number(text) is not None):
        turn.act(AddCitizenNote(event.recent_grievance.id, text))  # more detail, a ward, or a withdrawal
        turn.say("note_added", grievance_id=event.recent_grievance.id)
    elif answer:
        turn.menu()
    else:
        _unsure(turn)


def _unsure(turn: _Turn) -> None:
    """Not confident: keep what was sent as the draft and ask the category."""
    classification = turn.event.classification
    if classification and classification.code == EMERGENCY_CODE:
        turn.urgent = True
        turn.say("emergency_numbers")  # unsure, but never hold back the numbers
    turn.draft = _carried(turn.draft)
    turn.flow = "complaint"
    turn.add_description(turn.text())
    _advance(turn)


# --------------------------------------------------------------------------- complaint


def _advance(turn: _Turn, invalid: bool = False) -> None:
    """Ask for the first missing piece of the draft, or the confirmation when nothing is missing."""
    draft = turn.draft
    turn.default_category()
    turn.step = _first_missing(draft)
    if turn.step == "category":
        turn.ask_category(invalid=invalid)
    elif turn.step == "description":
        turn.say("ask_description_media" if draft.get("media") else "ask_description")
    elif turn.step == "location":
        if invalid:
            turn.say("invalid_location", style="location_request")
        else:
            turn.say("ask_location", style="location_request")
            turn.say("ask_location_alternatives", style="buttons", options=(Option("skip:location", "button_skip"),))
    elif turn.step == "photo":
        turn.say("ask_photo", style="buttons", options=(Option("skip:photo", "button_skip"),))
    else:
        _ask_confirm(turn, invalid)


def _ask_confirm(turn: _Turn, invalid: bool) -> None:
    options = (Option("confirm:yes", "button_confirm"), Option("confirm:no", "button_cancel"))
    if invalid:
        turn.say("invalid_confirm", style="buttons", options=options)
        return
    draft = turn.draft
    params = {
        "category": turn.category_title(draft["category"]),
        "description": clip(draft["description"], SUMMARY_DESCRIPTION_LIMIT),
    }
    if "address" in draft or "latitude" in draft:
        params["location"] = draft.get("address") or f"{draft['latitude']:.5f}, {draft['longitude']:.5f}"
        turn.say("confirm_summary", params=params, style="buttons", options=options)
    elif "ward_number" in draft:
        params["ward"] = draft["ward_number"]
        turn.say("confirm_summary_ward", params=params, style="buttons", options=options)
    else:
        turn.say("confirm_summary_no_location", params=params, style="buttons", options=options)


def _complaint(turn: _Turn) -> None:
    event, draft = turn.event, turn.draft
    turn.default_category()
    current = _first_missing(draft)
    if event.kind == "interactive":
        prefix, _sep, rest = (event.interactive_id or "").partition(":")
        if (prefix, rest) == ("confirm", "no"):
            turn.reset()
            turn.say("cancelled")
        elif (prefix, rest) == ("confirm", "yes"):
            if current == "confirm":
                turn.file("complaint", draft["category"], draft["description"])
            else:
                _advance(turn)
        elif (prefix, rest) == ("skip", "location"):
            draft["location_done"] = True
            _advance(turn)
        elif (prefix, rest) == ("skip", "photo"):
            draft["photo_done"] = True
            _advance(turn)
        else:
            _advance(turn, invalid=True)
        return
    if event.kind == "location":
        turn.set_location_from_event()
        _advance(turn)
        return
    if event.kind == "media":
        turn.add_media(event.media_message_id)
        turn.add_description(turn.text())
        draft["photo_done"] = True
        _advance(turn)
        return
    text, word = turn.text(), _fold(turn.text())
    if current == "category":
        _typed_category(turn, text)
    elif current == "description":
        turn.add_description(text)
        _advance(turn)
    elif current == "location":
        ward = _ward_number(text)
        if word in SKIP_WORDS:
            draft["location_done"] = True
        elif ward is not None:
            draft["ward_number"], draft["location_done"] = ward, True
        elif _looks_like_address(text):
            draft["address"], draft["location_done"] = text[:500], True
        else:
            _advance(turn, invalid=True)
            return
        _advance(turn)
    elif current == "photo":
        if word not in SKIP_WORDS:
            turn.add_description(text)  # more detail instead of a photo
        draft["photo_done"] = True
        _advance(turn)
    elif word in YES_WORDS:
        turn.file("complaint", draft["category"], draft["description"])
    elif word in NO_WORDS:
        turn.reset()
        turn.say("cancelled")
    else:
        _advance(turn, invalid=True)


def _typed_category(turn: _Turn, text: str) -> None:
    """At the category list the citizen may type a category name, or describe the problem."""
    word = _fold(text)
    picked = None
    for option in turn.event.categories:
        if word in (_fold(option.title), _fold(option.code)):
            picked = option.code
    classification = turn.event.classification
    if picked is None and classification and classification.auto_file and classification.code:
        if classification.code == EMERGENCY_CODE:
            turn.add_description(text)
            turn.file_complaint_now(EMERGENCY_CODE, turn.draft["description"])
            return
        if turn.category_is_valid(classification.code):
            picked = classification.code
            turn.add_description(text)
    if picked is None:
        if "description" not in turn.draft and _letter_count(text) >= 2:
            turn.add_description(text)  # the problem itself, typed before choosing its type
            turn.ask_category()
        else:
            turn.ask_category(invalid=True)
        return
    turn.draft["category"], turn.draft["category_title"] = picked, turn.category_title(picked)
    _advance(turn)


# --------------------------------------------------------------------------- other flows


def _suggestion(turn: _Turn) -> None:
    event = turn.event
    if event.kind == "location":
        turn.set_location_from_event()
    elif event.kind == "media":
        turn.add_media(event.media_message_id)
    turn.add_description(turn.text())
    if "description" in turn.draft:
        turn.file("suggestion", OTHER_CODE, turn.draft["description"])
    else:
        turn.say("ask_suggestion")


def _emergency(turn: _Turn) -> None:
    event = turn.event
    if event.kind == "location":
        turn.set_location_from_event()
    elif event.kind == "media":
        turn.add_media(event.media_message_id)
    turn.add_description(turn.text())
    turn.urgent = True
    turn.file_complaint_now(EMERGENCY_CODE, turn.draft.get("description", ""), numbers_shown=True)


def _track_menu(turn: _Turn) -> None:
    open_grievances = turn.event.open_grievances[:MAX_ROWS]
    if not open_grievances:
        turn.flow, turn.step = "track", "reference"
        turn.say("track_none")
    elif len(open_grievances) == 1:
        turn.say("track_status", grievance_id=open_grievances[0].id)
    else:
        turn.flow, turn.step = "track", "pick"
        options = tuple(
            Option(
                f"track:{info.id}",
                title=info.reference,
                description=info.label or f"{info.category_code} · {info.state}",
            )
            for info in open_grievances
        )
        turn.say("track_pick", style="list", options=options, list_button_key="track_button")


def _track(turn: _Turn) -> None:
    """Waiting for a reference (none was found in this message)."""
    text = turn.text()
    if turn.event.kind == "text" and len(text) <= 24 and any(char.isdigit() for char in text):
        turn.say("track_not_found")  # a mistyped reference: stay here so the citizen can retry
        return
    turn.reset(keep_draft=True)
    _idle(turn)


def _language(turn: _Turn) -> None:
    """The language buttons were ignored: handle the message as if nothing had been asked."""
    turn.reset(keep_draft=True)
    _idle(turn)
