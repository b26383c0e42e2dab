"""The WhatsApp bot's dialogue engine, pure: ``step(state, event) -> (new_state, actions)``.

The Odoo model ``mp15.whatsapp.conversation`` builds the ``Event`` from an inbound message plus
database facts, calls ``step``, stores the new state and carries out the actions in order.

    events.py   what comes in: ``Event``, ``GrievanceInfo``, ``CategoryOption``, ``AnswerInfo``, ``PlaceInfo``
    actions.py  what goes out: ``Reply`` and the record changes (``FileGrievance`` ...)
    words.py    whole-message words (stop, menu, yes, skip ...) and typed ward numbers
    state.py    the state kept between messages and its complaint draft
    turn.py     one turn: the moves every flow shares (menu, ask, file)
    flows.py    the flows: idle (complaint, question, thanks ...), complaint, suggestion, emergency, track, language
    places.py   places a complaint names: their ward, or which one the citizen means
    questions.py questions: the bot answer, its "File a complaint" button, questions that are complaints
    announce.py the Announcements menu: consent, the ward, opting in and out
    engine.py   ``step``: expiry, commands, buttons, then the flow
"""

from .actions import (
    Action,
    AddCitizenNote,
    AttachMedia,
    Feedback,
    FileGrievance,
    Option,
    Reply,
    SetLanguage,
    SetLocation,
    SetOptIn,
    SetWard,
    feedback_options,
)
from .engine import EXPIRY_SECONDS, step
from .events import EMERGENCY_CODE, OTHER_CODE, AnswerInfo, CategoryOption, Event, GrievanceInfo, PlaceInfo, WardInfo
from .state import DEFAULT_LANGUAGE, LANGUAGES, clean_state
from .turn import MENU_ITEMS

__all__ = [
    "DEFAULT_LANGUAGE",
    "EMERGENCY_CODE",
    "EXPIRY_SECONDS",
    "LANGUAGES",
    "MENU_ITEMS",
    "OTHER_CODE",
    "Action",
    "AddCitizenNote",
    "AnswerInfo",
    "AttachMedia",
    "CategoryOption",
    "Event",
    "Feedback",
    "FileGrievance",
    "GrievanceInfo",
    "Option",
    "PlaceInfo",
    "Reply",
    "SetLanguage",
    "SetLocation",
    "SetOptIn",
    "SetWard",
    "WardInfo",
    "clean_state",
    "feedback_options",
    "step",
]
