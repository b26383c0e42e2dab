"""The Announcements flow: the consent text, the ward the citizen wants notices for, opting in and out."""

from __future__ import annotations

from . import flows
from .actions import Option, SetOptIn
from .places import one_ward
from .turn import Turn
from .words import NO_WORDS, YES_WORDS, fold, ward_number

FLOW = "announce"


def start(turn: Turn) -> None:
    """The menu row: already opted in → say so, with Stop; else the consent question."""
    turn.reset()
    if turn.event.opted_in:
        turn.say(
            "announce_already",
            style="buttons",
            options=(
                Option("announce:stop", title_key="button_announce_stop"),
                Option("announce:other", title_key="button_announce_other_ward"),
            ),
            about_announcements=True,
        )
        return
    turn.flow, turn.step = FLOW, "consent"
    turn.say(
        "announce_consent",
        style="buttons",
        options=(
            Option("announce:yes", title_key="button_announce_yes"),
            Option("announce:no", title_key="button_announce_no"),
        ),
    )


def button(turn: Turn, choice: str) -> bool:
    """A button of this flow (``announce:<choice>``), whatever the state; False for an unknown one."""
    head, _sep, ward = choice.partition(":")
    if choice == "yes":
        _confirm_ward(turn)
    elif choice == "no":
        turn.reset()
        turn.say("announce_declined")
    elif choice == "other":
        _ask_ward(turn)
    elif choice == "stop":
        turn.reset()
        turn.act(SetOptIn(False, source="bot"))
        turn.say("opted_out")
    elif head == "ward" and ward.isascii() and ward.isdigit() and 0 < len(ward) <= 18:
        _opt_in(turn, ward_id=int(ward))
    else:
        return False
    return True


def flow(turn: Turn) -> None:
    """A typed answer, a pin or anything else while the consent or the ward is asked."""
    event, word = turn.event, fold(turn.text())
    if turn.step == "consent" and event.kind == "text" and word in YES_WORDS:
        _confirm_ward(turn)
    elif turn.step == "consent" and event.kind == "text" and word in NO_WORDS:
        turn.reset()
        turn.say("announce_declined")
    elif turn.step in ("ward", "ask_ward") and _ward_answer(turn):
        return
    elif turn.step == "ward" and event.kind == "text" and word in YES_WORDS and event.announcement_ward:
        _opt_in(turn, ward_id=event.announcement_ward.id)
    elif turn.step == "ward" and event.kind == "text" and word in NO_WORDS:
        _ask_ward(turn)  # not that ward
    elif turn.step == "ask_ward" and event.kind == "text" and word in NO_WORDS:
        turn.reset()
        turn.say("cancelled")
    elif turn.step == "ask_ward" and event.kind == "text" and len(turn.text()) <= 24:
        turn.say("announce_invalid_ward")  # a short answer that is no ward: ask again, the flow stays
    else:  # something else entirely (a complaint, a photo): handled as if nothing had been asked
        turn.reset(keep_draft=True)
        flows.idle(turn)


def _confirm_ward(turn: Turn) -> None:
    """After yes: the proposed ward to confirm with a tap, else the question which ward."""
    proposed = turn.event.announcement_ward
    if not proposed:
        _ask_ward(turn)
        return
    turn.flow, turn.step = FLOW, "ward"
    number = {"number": proposed.number}
    turn.say(
        "announce_confirm_ward",
        params={"ward": proposed.title},
        style="buttons",
        options=(
            Option(f"announce:ward:{proposed.id}", title_key="button_announce_ward", title_params=number),
            Option("announce:other", title_key="button_announce_other_ward"),
        ),
    )


def _ask_ward(turn: Turn) -> None:
    turn.reset()
    turn.flow, turn.step = FLOW, "ask_ward"
    turn.say("announce_ask_ward")


def _ward_answer(turn: Turn) -> bool:
    """A ward number, a pin or a known place as the ward: recorded; False when the message is none of these."""
    event = turn.event
    if event.kind == "location":
        _opt_in(turn, latitude=event.latitude, longitude=event.longitude)
        return True
    if event.kind != "text":
        return False
    number = ward_number(turn.text())
    if number is not None:
        _opt_in(turn, ward_number=number)
        return True
    place_ward, _address = one_ward(event.places)
    if place_ward is not None:
        _opt_in(turn, ward_id=place_ward)
        return True
    return False


def _opt_in(turn: Turn, **ward) -> None:
    turn.reset()
    turn.act(SetOptIn(True, source="bot", **ward))
    turn.say("announce_done", about_announcements=True)
