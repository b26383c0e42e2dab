"""The dialogue's flows, one function each: idle, complaint, suggestion, emergency, track status, language.

Questions (the answer, its "File a complaint" button) are in questions.py, places named in places.py.
"""

from __future__ import annotations

import re

from ..intent import detect_intent
from ..messages import MAX_ROWS, clip
from . import places, questions
from .actions import AddCitizenNote, AttachMedia, Option, SetLocation
from .events import EMERGENCY_CODE, OTHER_CODE
from .state import carried_over, first_missing
from .turn import Turn
from .words import (
    ANSWER_WORDS,
    CANCEL_WORDS,
    NO_WORDS,
    SKIP_WORDS,
    THANKS_WORDS,
    YES_WORDS,
    fold,
    letter_count,
    looks_like_address,
    ward_number,
)

SUMMARY_DESCRIPTION_LIMIT = 400
NOTE_MIN_WORDS = 4  # words besides a reference that make a message a note, not just a status request


def about_quoted(turn: Turn) -> None:
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
    elif fold(turn.text()) in THANKS_WORDS:
        turn.say("thanks_reply")
    else:
        turn.act(AddCitizenNote(grievance.id, turn.text()))
        turn.say("note_added", grievance_id=grievance.id)


def about_reference(turn: Turn) -> None:
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
    if len(fold(rest).split()) >= NOTE_MIN_WORDS:
        turn.act(AddCitizenNote(grievance.id, turn.text()))
        turn.say("note_added", grievance_id=grievance.id)
    turn.say("track_status", grievance_id=grievance.id)


def idle(turn: Turn) -> None:
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
            _file_at_once(turn, classification.code, turn.text())
            return
        _unsure(turn)
        return
    text, word = turn.text(), fold(turn.text())
    # An answer to a question no longer asked ("yes", "ward 12"), or nothing to file ("?").
    answer = word in ANSWER_WORDS or letter_count(word) < 2 or ward_number(text) is not None
    intent = "complaint" if answer else detect_intent(text, classification)
    if intent == "question" and not event.answer and questions.is_complaint(classification):
        intent = "complaint"  # "kachra kab uthega": no answer fits, a complaint asked as a question
    if word in THANKS_WORDS or intent == "thanks":
        turn.say("thanks_reply")
    elif intent == "greeting":
        turn.menu()
    elif intent == "question" and event.answer:
        questions.answer(turn)
    elif intent == "suggestion":
        turn.draft = carried_over(turn.draft)
        turn.file("suggestion", OTHER_CODE, text)
    elif confident and intent == "complaint":
        _file_at_once(turn, classification.code, text)
    elif event.recent_grievance and (not answer or word in CANCEL_WORDS or ward_number(text) is not None):
        turn.act(AddCitizenNote(event.recent_grievance.id, text))  # more detail, a ward, or a withdrawal
        turn.say("note_added", grievance_id=event.recent_grievance.id)
    elif intent == "question":
        turn.menu("question_not_found")  # no answer and no category keyword: nothing to file
    elif answer:
        turn.menu()
    else:
        _unsure(turn)


def _file_at_once(turn: Turn, code: str, description: str) -> None:
    """A confident complaint: filed now (an emergency too), in the ward of the places it names.

    Places in several wards: filed with their names as the address, then asked which one is meant.
    """
    turn.draft = carried_over(turn.draft)
    offered = places.choices(turn)
    places.locate(turn, may_ask=False)
    turn.file_complaint_now(code, description)
    places.ask_after_filing(turn, offered)


def _unsure(turn: Turn) -> None:
    """Not confident: keep what was sent as the draft and ask the category."""
    classification = turn.event.classification
    emergency = bool(classification and classification.code == EMERGENCY_CODE)
    if emergency:
        turn.urgent = True
        turn.say("emergency_numbers")  # unsure, but never hold back the numbers
    turn.draft = carried_over(turn.draft)
    places.locate(turn, may_ask=not emergency)
    turn.flow = "complaint"
    turn.add_description(turn.text())
    advance(turn)


# --------------------------------------------------------------------------- complaint


def advance(turn: Turn, invalid: bool = False) -> None:
    """Ask for the first missing piece of the draft, or the confirmation when nothing is missing."""
    draft = turn.draft
    turn.default_category()
    turn.step = first_missing(draft)
    if turn.step == "place":
        places.ask(turn)
    elif turn.step == "category":
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


def _ask_confirm(turn: Turn, invalid: bool) -> None:
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


def complaint(turn: Turn) -> None:
    event, draft = turn.event, turn.draft
    turn.default_category()
    current = first_missing(draft)
    if current == "place":
        _place_answer(turn)
        return
    if event.kind == "interactive":
        prefix, _sep, rest = (event.interactive_id or "").partition(":")
        if (prefix, rest) == ("confirm", "no"):
            turn.reset()
            turn.say("cancelled")
        elif (prefix, rest) == ("confirm", "yes"):
            if current == "confirm":
                turn.file("complaint", draft["category"], draft["description"])
            else:
                advance(turn)
        elif (prefix, rest) == ("skip", "location"):
            draft["location_done"] = True
            advance(turn)
        elif (prefix, rest) == ("skip", "photo"):
            draft["photo_done"] = True
            advance(turn)
        else:
            advance(turn, invalid=True)
        return
    if event.kind == "location":
        turn.set_location_from_event()
        advance(turn)
        return
    if event.kind == "media":
        turn.add_media(event.media_message_id)
        turn.add_description(turn.text())
        draft["photo_done"] = True
        advance(turn)
        return
    text, word = turn.text(), fold(turn.text())
    if current == "category":
        _typed_category(turn, text)
    elif current == "description":
        turn.add_description(text)
        advance(turn)
    elif current == "location":
        ward = ward_number(text)
        place_ward, _address = places.one_ward(event.places)
        if word in SKIP_WORDS:
            draft["location_done"] = True
        elif ward is not None:
            draft["ward_number"], draft["location_done"] = ward, True
        elif place_ward is not None:  # "Teen Batti ke paas, gali 3": the citizen's words, the place's ward
            draft["ward_id"], draft["address"], draft["location_done"] = place_ward, text[:500], True
        elif looks_like_address(text):
            draft["address"], draft["location_done"] = text[:500], True
        else:
            advance(turn, invalid=True)
            return
        advance(turn)
    elif current == "photo":
        if word not in SKIP_WORDS:
            turn.add_description(text)  # more detail instead of a photo
        draft["photo_done"] = True
        advance(turn)
    elif word in YES_WORDS:
        turn.file("complaint", draft["category"], draft["description"])
    elif word in NO_WORDS:
        turn.reset()
        turn.say("cancelled")
    else:
        advance(turn, invalid=True)


def _place_answer(turn: Turn) -> None:
    event, draft = turn.event, turn.draft
    if event.kind == "media":
        turn.add_media(event.media_message_id)
        turn.add_description(turn.text())
    if not places.choose(turn):
        places.ask(turn)
    elif draft.pop("file_at_once", False) and "category" in draft:  # a draft stored by an older version
        turn.file_complaint_now(draft["category"], draft["description"])
    else:
        advance(turn)


def _typed_category(turn: Turn, text: str) -> None:
    """At the category list the citizen may type a category name, or describe the problem."""
    word = fold(text)
    picked = None
    for option in turn.event.categories:
        if word in (fold(option.title), fold(option.code)):
            picked = option.code
    classification = turn.event.classification
    if picked is None and classification and classification.auto_file and classification.code:
        if classification.code == EMERGENCY_CODE:
            turn.add_description(text)
            places.locate(turn, may_ask=False)
            turn.file_complaint_now(EMERGENCY_CODE, turn.draft["description"])
            return
        if turn.category_is_valid(classification.code):
            picked = classification.code
            turn.add_description(text)
    if picked is None:
        if "description" not in turn.draft and letter_count(text) >= 2:
            turn.add_description(text)  # the problem itself, typed before choosing its type
            turn.ask_category()
        else:
            turn.ask_category(invalid=True)
        return
    turn.draft["category"], turn.draft["category_title"] = picked, turn.category_title(picked)
    advance(turn)


# --------------------------------------------------------------------------- other flows


def _take_into_draft(turn: Turn) -> None:
    """A pin, a photo or words sent in a flow that files whatever it has: each goes into the draft."""
    event = turn.event
    if event.kind == "location":
        turn.set_location_from_event()
    elif event.kind == "media":
        turn.add_media(event.media_message_id)
    turn.add_description(turn.text())


def suggestion(turn: Turn) -> None:
    _take_into_draft(turn)
    if "description" in turn.draft:
        turn.file("suggestion", OTHER_CODE, turn.draft["description"])
    else:
        turn.say("ask_suggestion")


def emergency(turn: Turn) -> None:
    _take_into_draft(turn)
    places.locate(turn, may_ask=False)  # "aag lagi hai, Teen Batti": the ward without a question
    turn.urgent = True
    turn.file_complaint_now(EMERGENCY_CODE, turn.draft.get("description", ""), numbers_shown=True)


def track_menu(turn: Turn) -> None:
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


def track(turn: Turn) -> None:
    """Waiting for a reference (none was found in this message)."""
    text = turn.text()
    if turn.event.kind == "text" and len(text) <= 24 and any(char.isdigit() for char in text):
        turn.say("track_not_found")  # a mistyped reference: stay here so the citizen can retry
        return
    turn.reset(keep_draft=True)
    idle(turn)


def language(turn: Turn) -> None:
    """The language buttons were ignored: handle the message as if nothing had been asked."""
    turn.reset(keep_draft=True)
    idle(turn)
