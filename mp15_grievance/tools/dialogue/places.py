"""Places a complaint names ("Teen Batti ke paas"): their ward and address for the draft, or which one is meant.

A confident complaint naming places in several wards is filed at once with the names as its address
(DESIGN §5: one message files); the question "which of these places?" follows, and the choice sets the
ward of the filed grievance (``after_filing``). Any other answer is a new message like any other.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..messages import BUTTON_TITLE_LIMIT, MAX_BUTTONS, ROW_DESCRIPTION_LIMIT, ROW_TITLE_LIMIT, clip
from .actions import Option, SetWard
from .events import PlaceInfo
from .state import MAX_DRAFT_PLACES
from .turn import Turn
from .words import ANSWER_WORDS, SKIP_WORDS, fold, looks_like_address, ward_number

OTHER_PLACE = "place:other"


def _address(places: Sequence[PlaceInfo]) -> str:
    return ", ".join(dict.fromkeys(place.title for place in places))[:500]


def one_ward(places: Sequence[PlaceInfo]) -> tuple[int | None, str]:
    """(the ward, when every place named is in the same one; the places as an address)."""
    wards = {place.ward_id for place in places}
    return (wards.pop() if len(wards) == 1 else None), _address(places)


def choices(turn: Turn) -> list[dict]:
    """The places to choose from when those the message names are in several wards and no pin decides."""
    places = turn.event.places
    if not places or one_ward(places)[0] is not None or "latitude" in turn.draft:
        return []
    first_in_ward = {}
    for place in places:
        first_in_ward.setdefault(place.ward_id, place)
    return [
        {"id": place.id, "title": place.title, "ward_id": place.ward_id, "ward_title": place.ward_title}
        for place in list(first_in_ward.values())[:MAX_DRAFT_PLACES]
    ]


def locate(turn: Turn, may_ask: bool = True) -> bool:
    """Put the ward and address of the places the message names into the draft.

    Places in several wards: a pin already in the draft decides (the names stay as the address);
    else the places to choose from go into the draft and False says the citizen must choose.
    """
    places, draft = turn.event.places, turn.draft
    if not places:
        return True
    ward_id, address = one_ward(places)
    if ward_id is not None or "latitude" in draft or not may_ask:
        if ward_id is not None:
            draft["ward_id"] = ward_id
        draft.setdefault("address", address)
        return True
    draft["places"] = choices(turn)
    return False


def ask(turn: Turn, about_filed: bool = False) -> None:
    """Which of the places in the draft: buttons when they fit, else a list; "Other place" last.

    ``about_filed``: asked after filing, the message belongs to the grievance just filed (a tap quotes it).
    """
    offered = turn.draft["places"]
    choices = "\n".join(f"• {place['title']} – {place['ward_title']}" for place in offered)
    other = Option(OTHER_PLACE, title_key="button_place_other")
    same_name = len({place["title"] for place in offered}) == 1
    titles = [clip(place["ward_title"] if same_name else place["title"], BUTTON_TITLE_LIMIT) for place in offered]
    if len(offered) < MAX_BUTTONS and all(titles) and len(set(titles)) == len(titles):
        options = tuple(
            Option(f"place:{place['id']}", title=title) for place, title in zip(offered, titles, strict=True)
        )
        turn.say(
            "ask_place",
            params={"choices": choices},
            style="buttons",
            options=(*options, other),
            about_filed=about_filed,
        )
        return
    rows = tuple(
        Option(
            f"place:{place['id']}",
            title=clip(place["title"], ROW_TITLE_LIMIT) or str(place["id"]),
            description=clip(place["ward_title"], ROW_DESCRIPTION_LIMIT) or None,
        )
        for place in offered
    )
    turn.say(
        "ask_place",
        params={"choices": choices},
        style="list",
        options=(*rows, other),
        list_button_key="place_button",
        about_filed=about_filed,
    )


def ask_after_filing(turn: Turn, offered: list[dict]) -> None:
    """After a filing at once: which of the places named (kept for the next message only)."""
    if offered:
        turn.draft["places"] = offered
        ask(turn, about_filed=True)


def after_filing(turn: Turn) -> bool:
    """The next message after ``ask_after_filing``: True when it chose a place (the ward goes on the grievance).

    The offered places are dropped whatever comes: anything but a choice (a pin, "haan", a new complaint,
    a ward number) is handled as a new message, so False.
    """
    event = turn.event
    offered = {str(place["id"]): place for place in turn.draft.pop("places", ())}
    grievance = event.context_grievance or event.recent_grievance
    if not offered or grievance is None:
        return False
    chosen = None
    if event.kind == "interactive":
        if event.interactive_id == OTHER_PLACE:
            turn.say("ask_location", style="location_request", grievance_id=grievance.id)
            return True
        chosen = offered.get((event.interactive_id or "").removeprefix("place:"))
    elif event.kind == "text" and not (event.classification and event.classification.code):
        # Only a place name ("Tilakganj wala Shiv Mandir"), nothing to file: the one in an offered ward.
        ward_id, _address = one_ward([place for place in event.places if place.ward_id in _wards(offered)])
        chosen = next((place for place in offered.values() if place["ward_id"] == ward_id), None)
    if chosen is None:
        return False
    turn.act(SetWard(grievance.id, chosen["ward_id"], chosen["title"][:500]))
    turn.say("location_added", grievance_id=grievance.id)
    return True


def _wards(offered: dict) -> set[int]:
    return {place["ward_id"] for place in offered.values()}


def choose(turn: Turn) -> bool:
    """The citizen's answer to "which place?": a row, Other, a pin, a place, a ward number or an address.

    True when the draft now has what it needs (the choice is taken out of it), False when nothing usable came.
    """
    event, draft = turn.event, turn.draft
    offered = {str(place["id"]): place for place in draft.get("places", ())}
    if event.kind == "interactive":
        chosen = (event.interactive_id or "").removeprefix("place:")
        if chosen in offered:
            draft["ward_id"] = offered[chosen]["ward_id"]
            draft.setdefault("address", offered[chosen]["title"])
        elif event.interactive_id != OTHER_PLACE:
            return False
    elif event.kind == "location":
        turn.set_location_from_event()
    elif event.kind != "text":
        return False
    else:
        text = turn.text()
        named = [place for place in event.places if place.ward_id in {p["ward_id"] for p in offered.values()}]
        ward_id, address = one_ward(named)
        if ward_id is not None:
            draft["ward_id"] = ward_id
            draft.setdefault("address", address)
        elif ward_number(text) is not None:
            draft["ward_number"] = ward_number(text)
        elif fold(text) in SKIP_WORDS:
            pass  # "pata nahi": filed without a ward
        elif looks_like_address(text) and fold(text) not in ANSWER_WORDS:  # "haan" is no address
            draft["address"] = text[:500]
        else:
            return False
    draft.pop("places", None)
    return True
