"""What a webhook carries: inbound messages and status updates, extracted from any shape without raising."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .. import geo
from ..messages import clip
from .values import (
    FIELD_LIMIT,
    ApiError,
    preview,
    read_digits,
    read_errors,
    read_identifier,
    read_text,
    read_timestamp,
    read_url,
)

MAX_TEXT_LENGTH = 4096
MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")
STATUS_RANK = {"sent": 1, "delivered": 2, "read": 3, "played": 3}


@dataclass(frozen=True, kw_only=True)
class InboundMessage:
    """One user message. ``wa_id`` is the sender: phone digits, else the business-scoped user id."""

    wa_message_id: str
    phone_number_id: str | None
    display_phone_number: str | None
    waba_id: str | None
    wa_id: str
    profile_name: str | None
    timestamp: int | None
    type: str
    text: str | None = None
    caption: str | None = None
    interactive_id: str | None = None
    interactive_title: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    location_name: str | None = None
    location_address: str | None = None
    media_id: str | None = None
    media_mime_type: str | None = None
    media_sha256: str | None = None
    media_filename: str | None = None
    media_url: str | None = None
    is_voice: bool = False
    reaction_emoji: str | None = None
    reaction_message_id: str | None = None
    context_id: str | None = None
    errors: tuple[ApiError, ...] = ()
    raw: dict = field(default_factory=dict, compare=False, repr=False)
    user_id: str | None = None
    text_truncated: bool = False


@dataclass(frozen=True, kw_only=True)
class StatusUpdate:
    """A delivery status of one of our outbound messages; ``status`` lowercase, as sent."""

    wa_message_id: str
    phone_number_id: str | None
    status: str
    timestamp: int | None
    recipient_id: str | None
    errors: tuple[ApiError, ...] = ()
    recipient_user_id: str | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass
class WebhookEvents:
    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    errors: list[ApiError] = field(default_factory=list)  # ``value.errors``: not tied to a message


def extract_events(payload: dict) -> WebhookEvents:
    """Messages and statuses of a parsed webhook; never raises, whatever the shape."""
    events = WebhookEvents()
    if not isinstance(payload, Mapping):
        events.ignored.append(f"payload is a {type(payload).__name__}, not an object")
        return events
    if payload.get("object") != "whatsapp_business_account":
        events.ignored.append(f"unknown object {preview(payload.get('object'))}")
        return events
    entries = payload.get("entry")
    if not isinstance(entries, list):
        events.ignored.append("'entry' is not a list")
        return events
    for entry_index, entry in enumerate(entries):
        where = f"entry[{entry_index}]"
        if not isinstance(entry, Mapping):
            events.ignored.append(f"{where} is not an object")
            continue
        changes = entry.get("changes")
        if not isinstance(changes, list):
            events.ignored.append(f"{where}.changes is not a list")
            continue
        waba_id = read_identifier(entry.get("id"))
        for change_index, change in enumerate(changes):
            _extract_change(change, waba_id, f"{where}.changes[{change_index}]", events)
    return events


def _extract_change(change: object, waba_id: str | None, where: str, events: WebhookEvents) -> None:
    if not isinstance(change, Mapping):
        events.ignored.append(f"{where} is not an object")
        return
    if change.get("field") != "messages":
        events.ignored.append(f"{where}: field {preview(change.get('field'))} ignored")
        return
    value = change.get("value")
    if not isinstance(value, Mapping):
        events.ignored.append(f"{where}.value is not an object")
        return
    metadata = value.get("metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    context = _ChangeContext(
        waba_id=waba_id,
        phone_number_id=read_identifier(metadata.get("phone_number_id")),
        display_phone_number=read_identifier(metadata.get("display_phone_number")),
        contacts=_contacts(value.get("contacts")),
    )
    events.errors.extend(read_errors(value.get("errors")))
    for key, parse, target in (
        ("messages", _message, events.messages),
        ("statuses", _status, events.statuses),
    ):
        items = value.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            events.ignored.append(f"{where}.value.{key} is not a list")
            continue
        for index, item in enumerate(items):
            item_where = f"{where}.value.{key}[{index}]"
            if not isinstance(item, Mapping):
                events.ignored.append(f"{item_where} is not an object")
                continue
            try:
                parsed = parse(item, context, item_where, events.ignored)
            except Exception as error:  # a shape nobody foresaw must not lose the rest of the batch
                events.ignored.append(f"{item_where}: unreadable ({type(error).__name__})")
                continue
            if parsed is not None:
                target.append(parsed)
    if "messages" not in value and "statuses" not in value and not value.get("errors"):
        events.ignored.append(f"{where}: neither messages nor statuses")


@dataclass(frozen=True)
class _Contact:
    wa_id: str | None
    user_id: str | None
    name: str | None


@dataclass(frozen=True)
class _ChangeContext:
    waba_id: str | None
    phone_number_id: str | None
    display_phone_number: str | None
    contacts: tuple[_Contact, ...]

    def contact_for(self, wa_id: str | None, user_id: str | None) -> _Contact | None:
        """The sender's contact by phone, else by user id; a lone contact only when neither is known."""
        if wa_id or user_id:
            by_phone = (contact for contact in self.contacts if wa_id and contact.wa_id == wa_id)
            by_user_id = (contact for contact in self.contacts if user_id and contact.user_id == user_id)
            return next(by_phone, None) or next(by_user_id, None)
        return self.contacts[0] if len(self.contacts) == 1 else None


def _contacts(value: object) -> tuple[_Contact, ...]:
    if not isinstance(value, list):
        return ()
    contacts = []
    for item in value:
        if not isinstance(item, Mapping):
            continue
        profile = item.get("profile")
        name = read_text(profile.get("name"), FIELD_LIMIT) if isinstance(profile, Mapping) else None
        contacts.append(_Contact(read_digits(item.get("wa_id")), read_identifier(item.get("user_id")), name))
    return tuple(contacts)


def _message(message: Mapping, context: _ChangeContext, where: str, ignored: list[str]) -> InboundMessage | None:
    wa_message_id = read_identifier(message.get("id"))
    if not wa_message_id:
        ignored.append(f"{where}: message without an id")
        return None
    sender = read_digits(message.get("from"))
    user_id = read_identifier(message.get("from_user_id"))
    contact = context.contact_for(sender, user_id)
    if contact is not None:
        sender = sender or contact.wa_id
        user_id = user_id or contact.user_id
    if not sender and not user_id:
        ignored.append(f"{where}: message {mask_wamid(wa_message_id)} has no sender")
        return None
    message_type = read_text(message.get("type"), 64) or ""
    fields: dict = {}
    notes: list[ApiError] = []
    content = message.get(message_type) if message_type else None
    content = content if isinstance(content, Mapping) else {}

    if message_type in ("text", "system"):
        body = read_text(content.get("body"), None)
        if body is not None:
            fields["text"] = clip(body, MAX_TEXT_LENGTH, "")
            fields["text_truncated"] = len(body) > MAX_TEXT_LENGTH
    elif message_type == "interactive":
        reply_type = content.get("type")
        reply = content.get(reply_type) if reply_type in ("button_reply", "list_reply") else None
        if isinstance(reply, Mapping):
            fields["interactive_id"] = read_identifier(reply.get("id"))
            fields["interactive_title"] = read_text(reply.get("title"), FIELD_LIMIT)
    elif message_type == "button":
        fields["interactive_id"] = read_identifier(content.get("payload"))
        fields["interactive_title"] = read_text(content.get("text"), FIELD_LIMIT)
    elif message_type == "location":
        fields.update(_location(content, notes))
    elif message_type in MEDIA_TYPES:
        fields.update(
            media_id=read_identifier(content.get("id")),
            media_mime_type=read_text(content.get("mime_type"), 255),
            media_sha256=read_text(content.get("sha256"), 255),
            media_filename=read_text(content.get("filename"), 255),
            media_url=read_url(content.get("url")),
            caption=read_text(content.get("caption"), FIELD_LIMIT),
            is_voice=content.get("voice") is True,
        )
    elif message_type == "contacts":
        summary = _contacts_summary(message.get("contacts"))
        if summary:
            fields["text"] = clip(summary, MAX_TEXT_LENGTH)
    elif message_type == "reaction":
        fields["reaction_message_id"] = read_identifier(content.get("message_id"))
        fields["reaction_emoji"] = read_text(content.get("emoji"), 64)  # None: reaction removed

    reply_context = message.get("context")
    return InboundMessage(
        wa_message_id=wa_message_id,
        phone_number_id=context.phone_number_id,
        display_phone_number=context.display_phone_number,
        waba_id=context.waba_id,
        wa_id=sender or user_id,
        user_id=user_id,
        profile_name=contact.name if contact is not None else None,
        timestamp=read_timestamp(message.get("timestamp")),
        type=message_type,
        context_id=read_identifier(reply_context.get("id")) if isinstance(reply_context, Mapping) else None,
        errors=read_errors(message.get("errors")) + tuple(notes),
        raw=dict(message),
        **fields,
    )


def _location(content: Mapping, notes: list[ApiError]) -> dict:
    latitude = geo.parse_coordinate(content.get("latitude"), 90.0)
    longitude = geo.parse_coordinate(content.get("longitude"), 180.0)
    fields = {
        "location_name": read_text(content.get("name"), FIELD_LIMIT),
        "location_address": read_text(content.get("address"), FIELD_LIMIT),
    }
    if latitude is None or longitude is None:
        notes.append(
            ApiError(
                code=None,
                title="Invalid location",
                message="latitude/longitude missing, not numeric or out of range",
                details=f"latitude={preview(content.get('latitude'))}, longitude={preview(content.get('longitude'))}",
            )
        )
        return fields
    return {**fields, "latitude": latitude, "longitude": longitude}


def _contacts_summary(value: object) -> str | None:
    if not isinstance(value, list):
        return None
    lines = []
    for card in value[:20]:
        if not isinstance(card, Mapping):
            continue
        name = card.get("name")
        name = name if isinstance(name, Mapping) else {}
        full_name = read_text(name.get("formatted_name"), 200) or " ".join(
            part for part in (read_text(name.get("first_name"), 100), read_text(name.get("last_name"), 100)) if part
        )
        phones = card.get("phones")
        numbers = [
            read_text(phone.get("phone"), 50) or read_digits(phone.get("wa_id"))
            for phone in (phones[:10] if isinstance(phones, list) else [])
            if isinstance(phone, Mapping)
        ]
        numbers = [number for number in numbers if number]
        line = ": ".join(part for part in (full_name, ", ".join(numbers)) if part)
        if line:
            lines.append(line)
    return "\n".join(lines) or None


def _status(status: Mapping, context: _ChangeContext, where: str, ignored: list[str]) -> StatusUpdate | None:
    wa_message_id = read_identifier(status.get("id"))
    state = read_text(status.get("status"), 64)
    if not wa_message_id or not state:
        ignored.append(f"{where}: status without an id or a status")
        return None
    recipient_user_id = read_identifier(status.get("recipient_user_id"))
    return StatusUpdate(
        wa_message_id=wa_message_id,
        phone_number_id=context.phone_number_id,
        status=state.strip().lower(),
        timestamp=read_timestamp(status.get("timestamp")),
        recipient_id=read_digits(status.get("recipient_id")) or recipient_user_id,
        recipient_user_id=recipient_user_id,
        errors=read_errors(status.get("errors")),
        raw=dict(status),
    )


def mask_wamid(wa_message_id: str | None) -> str:
    """A wamid for logs: only its last 4 characters (the rest encodes the citizen's number)."""
    if not wa_message_id:
        return "-"
    text = str(wa_message_id)
    return "..." + text[-4:] if len(text) > 4 else "..."


def status_moves_forward(current: str | None, new: str) -> bool:
    """Whether a status webhook ``new`` should replace the stored ``current`` status.

    - ``sent`` < ``delivered`` < ``read``; ``played`` ranks as ``read``. Never backwards, and
      equal ranks do not move (read then played stays read).
    - ``failed`` replaces only a status below ``delivered`` (none, queued, sent ...): a message
      already delivered was not lost.
    - After ``failed``, only ``delivered``/``read``/``played`` move on: the message reached the
      phone after all. A late ``sent`` does not revive it.
    - An unknown ``new`` status never moves (store it elsewhere, do not overwrite).
    """
    new = (new or "").strip().lower()
    current = (current or "").strip().lower()
    if new == current:
        return False
    if new == "failed":
        return STATUS_RANK.get(current, 0) < STATUS_RANK["delivered"]
    if new not in STATUS_RANK:
        return False
    if current == "failed":
        return STATUS_RANK[new] >= STATUS_RANK["delivered"]
    return STATUS_RANK[new] > STATUS_RANK.get(current, 0)
