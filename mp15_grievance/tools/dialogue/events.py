"""What comes into the dialogue engine: one inbound message as an ``Event``, with the grievances it mentions."""

from __future__ import annotations

from dataclasses import dataclass

from ..classifier import Classification

EMERGENCY_CODE = "EMERGENCY"  # the category code of the emergency path
OTHER_CODE = "OTHER"  # where a complaint goes when nobody chose a category, and every suggestion


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
class AnswerInfo:
    """The bot answer that fits the citizen's question, ``text`` ready to send in the citizen's language."""

    id: int
    text: str


@dataclass(frozen=True)
class PlaceInfo:
    """A known place the message names; titles already in the citizen's language."""

    id: int
    title: str  # "तीन बत्ती"
    ward_id: int
    ward_title: str  # "वार्ड 2 · Katra"


@dataclass(frozen=True)
class WardInfo:
    """A ward the engine may propose; ``title`` already in the citizen's language ("वार्ड 2 · Katra")."""

    id: int
    number: int
    title: str


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
    answer: AnswerInfo | None = None  # the answer to the text if it is a question the bot can answer
    places: tuple[PlaceInfo, ...] = ()  # known places the text names, in the order named
    first_contact: bool = False
    opted_in: bool = False  # the citizen receives announcements
    announcement_ward: WardInfo | None = None  # the ward to propose for them: the stored one, else the last grievance's
