"""The state kept between two messages (language, flow, step, complaint draft) and how it is read back."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from .words import MAX_WARD_NUMBER

LANGUAGES = ("hi", "en")
DEFAULT_LANGUAGE = "hi"
FLOWS = ("idle", "complaint", "suggestion", "track", "emergency", "language", "announce")
MAX_DRAFT_MEDIA = 10
MAX_DRAFT_PLACES = 9  # list rows, with one more for "Other place"
MAX_DRAFT_TEXT = 4000
CATEGORY_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,63}")


def finite_number(value: object) -> float | None:
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
    if isinstance(code, str) and CATEGORY_CODE.fullmatch(code):
        clean["category"] = code
        if _text(draft.get("category_title"), 200):
            clean["category_title"] = _text(draft.get("category_title"), 200)
    if _text(draft.get("description")).strip():
        clean["description"] = _text(draft["description"]).strip()
    latitude, longitude = finite_number(draft.get("latitude")), finite_number(draft.get("longitude"))
    if latitude is not None and longitude is not None and abs(latitude) <= 90 and abs(longitude) <= 180:
        clean["latitude"], clean["longitude"] = latitude, longitude
    if _text(draft.get("address"), 500).strip():
        clean["address"] = _text(draft["address"], 500).strip()
    ward = draft.get("ward_number")
    if isinstance(ward, int) and not isinstance(ward, bool) and 1 <= ward <= MAX_WARD_NUMBER:
        clean["ward_number"] = ward
    if _record_id(draft.get("ward_id")):
        clean["ward_id"] = draft["ward_id"]
    places = _clean_places(draft.get("places"))
    if places:
        clean["places"] = places
    question = _clean_question(draft.get("question"))
    if question:
        clean["question"] = question
    media = draft.get("media")
    if isinstance(media, list):
        ids = [value for value in media if isinstance(value, int) and not isinstance(value, bool)]
        if ids:
            clean["media"] = ids[:MAX_DRAFT_MEDIA]
    for flag in ("location_done", "photo_done", "file_at_once"):
        if draft.get(flag) is True:
            clean[flag] = True
    return clean


def _record_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _clean_places(places: object) -> list:
    """The places offered when a complaint names places in several wards: id, title, ward_id, ward_title."""
    if not isinstance(places, list):
        return []
    clean = []
    for place in places[:MAX_DRAFT_PLACES]:
        if isinstance(place, dict) and _record_id(place.get("id")) and _record_id(place.get("ward_id")):
            clean.append(
                {
                    "id": place["id"],
                    "title": _text(place.get("title"), 200),
                    "ward_id": place["ward_id"],
                    "ward_title": _text(place.get("ward_title"), 200),
                }
            )
    return clean


def _clean_question(question: object) -> dict:
    """An answered question, kept for the "File a complaint" button under the answer."""
    if not isinstance(question, dict) or not _text(question.get("text")).strip():
        return {}
    clean = {"text": _text(question["text"]).strip()}
    code = question.get("category")
    if isinstance(code, str) and CATEGORY_CODE.fullmatch(code):
        clean["category"] = code
    if _record_id(question.get("ward_id")):
        clean["ward_id"] = question["ward_id"]
    if _text(question.get("address"), 500).strip():
        clean["address"] = _text(question["address"], 500).strip()
    return clean


def clean_state(state: object) -> dict:
    """``state`` with every unusable part replaced by the fresh default; never raises."""
    if not isinstance(state, dict):
        state = {}
    lang = state.get("lang") if state.get("lang") in LANGUAGES else DEFAULT_LANGUAGE
    flow = state.get("flow") if state.get("flow") in FLOWS else "idle"
    step = state.get("step") if isinstance(state.get("step"), str) else ""
    updated_at = finite_number(state.get("updated_at"))
    clean = {
        "lang": lang,
        "flow": flow,
        "step": step if flow != "idle" else "",
        "draft": _clean_draft(state.get("draft")),
    }
    if updated_at is not None:
        clean["updated_at"] = int(updated_at)
    return clean


def has_location(draft: Mapping) -> bool:
    return "latitude" in draft or "address" in draft or "ward_number" in draft or "ward_id" in draft


def first_missing(draft: Mapping) -> str:
    """The complaint step to ask next: the draft alone decides it, whatever step was stored."""
    if "places" in draft:
        return "place"
    if "category" not in draft:
        return "category"
    if "description" not in draft:
        return "description"
    if not (draft.get("location_done") or has_location(draft)):
        return "location"
    if not (draft.get("photo_done") or draft.get("media")):
        return "photo"
    return "confirm"


def carried_over(draft: Mapping) -> dict:
    """What an idle draft keeps for the next flow: a location or media sent before choosing."""
    keys = ("latitude", "longitude", "address", "ward_number", "ward_id", "media")
    return {key: draft[key] for key in keys if key in draft}
