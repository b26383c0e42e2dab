"""One turn of the dialogue: the state being changed, the actions so far, the moves every flow shares."""

from __future__ import annotations

from ..messages import MAX_ROWS
from .actions import FileGrievance, Option, Reply
from .events import EMERGENCY_CODE, OTHER_CODE, Event
from .state import CATEGORY_CODE, MAX_DRAFT_MEDIA, MAX_DRAFT_TEXT, carried_over, has_location

MENU_ITEMS = ("complaint", "suggestion", "track", "emergency", "announce", "language")


class Turn:
    """One inbound event being handled: ``step`` makes one, a flow changes it, ``step`` reads the result."""

    def __init__(self, saved: dict, event: Event):
        self.event = event
        self.lang = saved["lang"]
        self.flow = saved["flow"]
        self.step = saved["step"]
        self.draft = dict(saved["draft"])
        self.question = self.draft.pop("question", {})  # an answered question: kept only for the next message
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
            self.draft, self.question = {}, {}

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
        if not CATEGORY_CODE.fullmatch(code):
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
                ward_id=draft.get("ward_id"),
                media_message_ids=tuple(draft.get("media", ())),
                emergency=emergency,
            )
        )
        if kind == "suggestion":
            self.say("suggestion_filed", about_filed=True)
        elif has_location(draft):
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
        self.draft = carried_over(self.draft)
        self.file("complaint", code, description, emergency=emergency)
