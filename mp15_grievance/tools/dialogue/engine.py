"""The dialogue engine: ``step(state, event) -> (new_state, actions)``; expiry, commands, buttons, then a flow.

Pure and deterministic: no I/O, no clock (time comes in the event). The caller builds the
``Event`` from an inbound message plus database facts, stores ``new_state`` (a JSON-able dict)
on the citizen's ``mp15.whatsapp.conversation``, and executes the actions in order.
"""

from __future__ import annotations

from ..classifier import detect_language
from . import announce, flows, places, questions
from .actions import Feedback, Option, Reply, SetLanguage, SetOptIn
from .events import EMERGENCY_CODE, Event
from .state import LANGUAGES, carried_over, clean_state, finite_number
from .turn import MENU_ITEMS, Turn
from .words import (
    ANNOUNCE_WORDS,
    CANCEL_WORDS,
    ENGLISH_WORDS,
    HINDI_WORDS,
    MENU_WORDS,
    START_WORDS,
    STOP_WORDS,
    THANKS_WORDS,
    fold,
)

EXPIRY_SECONDS = 30 * 60


def step(state: object, event: Event) -> tuple[dict, list]:
    """Advance the conversation by one inbound ``event``: ``(new_state, actions)``."""
    saved = clean_state(state)
    if event.kind == "reaction" or (event.kind == "media" and event.media_type == "sticker"):
        return saved, []  # a 👍 or a sticker needs no answer
    turn = Turn(saved, event)
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


def _detect_first_language(turn: Turn) -> bool:
    """First contact in plain English switches to English; greetings and commands do not."""
    event = turn.event
    if not event.first_contact or event.kind not in ("text", "media") or turn.lang == "en":
        return False
    text = turn.text()
    folded = fold(text)
    commands = MENU_WORDS | STOP_WORDS | START_WORDS | ENGLISH_WORDS | HINDI_WORDS | THANKS_WORDS | ANNOUNCE_WORDS
    if not folded or folded in commands or detect_language(text) != "en":
        return False
    turn.lang = "en"
    return True


def _handle(turn: Turn) -> None:
    event = turn.event
    if event.kind == "text" and _command(turn):
        return
    if event.kind == "interactive":
        _interactive(turn)
        return
    if not _usable(event):
        turn.say("unsupported_type")
        return
    if turn.flow == "idle" and "places" in turn.draft and places.after_filing(turn):
        return  # which of the places named a complaint filed at once is at
    if turn.flow == "idle" and event.context_grievance:
        flows.about_quoted(turn)
        return
    if turn.flow in ("idle", "track") and event.reference and event.kind in ("text", "media"):
        flows.about_reference(turn)
        return
    handler = {
        "idle": flows.idle,
        "complaint": flows.complaint,
        "suggestion": flows.suggestion,
        "track": flows.track,
        "emergency": flows.emergency,
        "language": flows.language,
        "announce": announce.flow,
    }[turn.flow]
    handler(turn)


def _usable(event: Event) -> bool:
    if event.kind == "text":
        return bool((event.text or "").strip())
    if event.kind == "location":
        return finite_number(event.latitude) is not None and finite_number(event.longitude) is not None
    if event.kind == "media":
        return isinstance(event.media_message_id, int)
    return False


def _command(turn: Turn) -> bool:
    """Whole-message keywords that work anywhere."""
    word = fold(turn.text())
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
    elif word in ANNOUNCE_WORDS:
        announce.start(turn)
    elif word in CANCEL_WORDS and turn.flow != "idle":
        turn.reset()
        turn.say("cancelled")
    else:
        return False
    return True


def _set_language(turn: Turn, lang: str) -> None:
    turn.lang = lang
    turn.act(SetLanguage(lang))
    turn.say("language_set")
    if turn.flow in ("complaint", "suggestion", "emergency"):
        _ask_again(turn)  # carry on where the citizen was, now in the new language
    else:
        turn.reset(keep_draft=True)


def _ask_again(turn: Turn) -> None:
    if turn.flow == "complaint":
        flows.advance(turn)
    elif turn.flow == "suggestion":
        turn.say("ask_suggestion")
    elif turn.flow == "emergency":
        turn.say("ask_emergency")


# --------------------------------------------------------------------------- interactive replies


def _grievance_id(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def _interactive(turn: Turn) -> None:
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
    elif prefix == "announce" and announce.button(turn, rest):
        return
    elif prefix == "cat" and rest:
        _pick_category(turn, rest)
        return
    elif prefix == "question" and rest == "complain":
        questions.complain_about_question(turn)
        return
    elif prefix in ("confirm", "skip", "place") and rest:
        if turn.flow == "complaint":
            flows.complaint(turn)
        elif prefix == "place" and turn.flow == "idle" and places.after_filing(turn):
            pass  # which of the places named a complaint filed at once is at
        else:  # a button of a draft that expired, was cancelled or already filed
            turn.reset()
            turn.expired = True
            turn.menu()
        return
    turn.reset()
    turn.menu()


def _track_by_id(turn: Turn, grievance_id: int) -> None:
    event = turn.event
    known = {info.id for info in event.open_grievances}
    known |= {info.id for info in (event.referenced, event.context_grievance, event.recent_grievance) if info}
    if turn.flow == "track":
        turn.reset()
    if grievance_id in known:
        turn.say("track_status", grievance_id=grievance_id)
    else:
        turn.say("track_not_found")


def _start(turn: Turn, item: str) -> None:
    """A menu choice: starts that flow, keeping a pin or photo sent just before in idle."""
    carried = carried_over(turn.draft) if turn.flow == "idle" else {}
    turn.reset()
    if item == "complaint":
        turn.flow, turn.draft = "complaint", carried
        flows.advance(turn)
    elif item == "suggestion":
        turn.flow, turn.step, turn.draft = "suggestion", "text", carried
        turn.say("ask_suggestion")
    elif item == "track":
        flows.track_menu(turn)
    elif item == "emergency":
        turn.flow, turn.step, turn.draft = "emergency", "describe", carried
        turn.urgent = True
        turn.say("emergency_numbers")
        turn.say("ask_emergency")
    elif item == "announce":
        announce.start(turn)
    else:
        turn.flow, turn.step = "language", "choose"
        turn.say(
            "ask_language",
            style="buttons",
            options=(Option("lang:hi", title_key="lang_hindi"), Option("lang:en", title_key="lang_english")),
        )


def _pick_category(turn: Turn, code: str) -> None:
    if code == EMERGENCY_CODE:
        _start(turn, "emergency")
        return
    if not turn.category_is_valid(code):
        if turn.flow == "complaint" and turn.event.categories:
            turn.ask_category(invalid=True)
        elif turn.flow == "complaint":
            flows.advance(turn)
        else:
            turn.reset()
            turn.menu()
        return
    if turn.flow != "complaint":
        if turn.expired:
            turn.say("draft_expired")  # the text typed before the list is gone: ask it again
            turn.expired = False
        carried = carried_over(turn.draft) if turn.flow == "idle" else {}
        turn.reset()
        turn.flow, turn.draft = "complaint", carried
    turn.draft["category"] = code
    turn.draft["category_title"] = turn.category_title(code)
    flows.advance(turn)
