"""What the dialogue engine asks its caller to do: replies to the citizen and changes to records.

The caller carries the actions out in order. Every ``Reply`` is rendered from the editable bot text
``text_key`` in the language of the new state (``new_state["lang"]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Option:
    """A button or list row: the title is the bot text ``title_key`` or the ready ``title``."""

    id: str
    title_key: str | None = None
    title: str | None = None
    description: str | None = None
    description_key: str | None = None  # a bot text for the row description (menu rows)
    title_params: Mapping[str, Any] = field(default_factory=dict)  # filled into the bot text ``title_key``


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
    about_announcements: bool = False  # the caller fills {ward}: the ward the citizen gets announcements for


@dataclass(frozen=True)
class FileGrievance:
    kind: str  # complaint|suggestion
    category_code: str
    description: str  # empty only for an emergency reported by a pin or a photo alone
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None
    ward_number: int | None = None
    ward_id: int | None = None  # from a place the citizen named; a pin in a mapped ward wins over it
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
class SetWard:
    """The citizen chose which of the places named is meant: its ward and its name go on the grievance."""

    grievance_id: int
    ward_id: int
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
    """Consent to announcements (broadcasts only; replies about the citizen's own grievances still go out).

    ``source``: ``keyword`` (START / STOP / बंद) or ``bot`` (the Announcements menu, after the consent text).
    The ward, when the citizen chose one: ``ward_id`` (a button, a place), ``ward_number`` (typed) or a pin;
    none of them keeps the ward stored.
    """

    opted_in: bool
    source: str = "keyword"
    ward_id: int | None = None
    ward_number: int | None = None
    latitude: float | None = None
    longitude: float | None = None


Action = (
    Reply | FileGrievance | AttachMedia | SetLocation | SetWard | AddCitizenNote | Feedback | SetLanguage | SetOptIn
)


def feedback_options(grievance_id: int) -> tuple[Option, Option]:
    """The buttons of the satisfaction question sent after resolution (text ``feedback_request``)."""
    return (
        Option(f"feedback:yes:{grievance_id}", title_key="button_feedback_yes"),
        Option(f"feedback:no:{grievance_id}", title_key="button_feedback_no"),
    )
