"""WhatsApp Cloud API webhooks: signature, handshake, strict parsing, event extraction.

``parse_body`` refuses anything PostgreSQL or Python cannot safely hold;
``extract_events`` then accepts any dict and never raises: whatever it cannot
use is reported in ``WebhookEvents.ignored``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from . import geo
from .messages import clip

MAX_BODY_BYTES = 4 * 1024 * 1024  # Meta sends at most 3 MB
MAX_DEPTH = 64
MAX_TEXT_LENGTH = 4096
MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")
STATUS_RANK = {"sent": 1, "delivered": 2, "read": 3, "played": 3}

_FIELD_LIMIT = 1024  # captions, names, addresses, error texts
_ID_LIMIT = 512
_SIGNATURE_RE = re.compile(r"sha256=([0-9a-fA-F]{64})")
# A JSON string token, terminated or not (so the scan never backtracks), or a bracket.
_JSON_TOKEN_RE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)|[\[\]{}]', re.DOTALL)
_SUSPECT_ESCAPE_RE = re.compile(r"\\u(?:[dD][89a-fA-F]|0000)")
_UNSTORABLE_RE = re.compile("[\ud800-\udfff\x00]")  # lone surrogates and NUL: PostgreSQL refuses both
_GRAPH_PREFIX_RE = re.compile(r"^\(#\d+\)\s*")
_INTEGER_RE = re.compile(r"-?[0-9]{1,18}")


class PayloadError(ValueError):
    """The webhook body is not a storable JSON object (answer 400)."""


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class ApiError:
    """An error reported by Meta (webhook ``errors[]`` or a Graph ``error`` body) or noted by us."""

    code: int | None
    title: str | None
    message: str | None
    details: str | None
    subcode: int | None = None
    fbtrace_id: str | None = None

    @classmethod
    def from_dict(cls, data: object) -> ApiError | None:
        """Reads ``{code, title, message, error_data: {details}}`` or a Graph ``error`` object."""
        if not isinstance(data, Mapping):
            return None
        message = _text(data.get("message"))
        title = _text(data.get("title")) or _text(data.get("error_user_title"))
        if title is None and message:
            title = _GRAPH_PREFIX_RE.sub("", message) or None
        error_data = data.get("error_data")
        details = _text(error_data.get("details")) if isinstance(error_data, Mapping) else _text(error_data)
        return cls(
            code=_integer(data.get("code")),
            title=title,
            message=message,
            details=details or _text(data.get("error_user_msg")),
            subcode=_integer(data.get("error_subcode")),
            fbtrace_id=_identifier(data.get("fbtrace_id")),
        )

    def summary(self) -> str:
        """One line for staff: ``131026 Message undeliverable: Message Undeliverable.``"""
        head = " ".join(part for part in (None if self.code is None else str(self.code), self.title) if part)
        tail = self.details or (self.message if self.message != self.title else None)
        if head and tail:
            return f"{head}: {tail}"
        return head or tail or "unknown error"


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


# --------------------------------------------------------------------------- verification


def signature(raw_body: bytes, app_secret: str | bytes) -> str:
    """The ``X-Hub-Signature-256`` header value Meta sends with ``raw_body`` (the simulator and tests sign too)."""
    secret = app_secret.encode() if isinstance(app_secret, str) else bytes(app_secret)
    return "sha256=" + hmac.new(secret, bytes(raw_body), hashlib.sha256).hexdigest()


def verify_signature(raw_body: bytes, signature_header: str | None, app_secret: str | bytes) -> bool:
    """Checks ``X-Hub-Signature-256: sha256=<hex>`` over the raw body; False on anything odd."""
    try:
        if not app_secret or not isinstance(signature_header, str):
            return False
        if not isinstance(raw_body, bytes | bytearray | memoryview):
            return False
        match = _SIGNATURE_RE.fullmatch(signature_header.strip())
        if not match:
            return False
        expected = signature(raw_body, app_secret).removeprefix("sha256=")
        return hmac.compare_digest(expected, match.group(1).lower())
    except Exception:  # never raise from a security check: refuse instead
        return False


def verify_handshake(params: Mapping, verify_tokens: Iterable[str]) -> str | None:
    """The ``hub.challenge`` to echo when ``hub.mode=subscribe`` and the token is one of ours."""
    try:
        mode = _single(params.get("hub.mode"))
        token = _single(params.get("hub.verify_token"))
        challenge = _single(params.get("hub.challenge"))
        if mode != "subscribe" or not token or not challenge:
            return None
        if len(challenge) > 256 or not challenge.isprintable():
            return None
        given = token.encode("utf-8", "surrogatepass")
        matched = False
        for candidate in verify_tokens:  # compare with every token: no early exit
            if isinstance(candidate, str) and candidate:
                matched |= hmac.compare_digest(given, candidate.encode("utf-8", "surrogatepass"))
        return challenge if matched else None
    except Exception:
        return None


def _single(value: object) -> str | None:
    if isinstance(value, list | tuple):
        value = value[0] if len(value) == 1 else None
    return value if isinstance(value, str) else None


# --------------------------------------------------------------------------- parsing


def parse_body(raw_body: bytes) -> dict:
    """The webhook JSON object, or ``PayloadError`` for anything unsafe to store or walk."""
    if not isinstance(raw_body, bytes | bytearray | memoryview):
        raise PayloadError("body must be bytes")
    if len(raw_body) > MAX_BODY_BYTES:
        raise PayloadError(f"body larger than {MAX_BODY_BYTES} bytes")
    try:
        text = bytes(raw_body).decode("utf-8")
    except UnicodeDecodeError as error:
        raise PayloadError(f"body is not UTF-8 ({error.reason} at byte {error.start})") from None
    if _nesting_exceeds(text, MAX_DEPTH):
        raise PayloadError(f"JSON nested deeper than {MAX_DEPTH} levels")
    try:
        payload = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except PayloadError:
        raise
    except (ValueError, RecursionError) as error:
        raise PayloadError(f"body is not valid JSON: {error}") from None
    if not isinstance(payload, dict):
        raise PayloadError(f"JSON top level must be an object, not {type(payload).__name__}")
    if _SUSPECT_ESCAPE_RE.search(text):
        _refuse_unstorable_strings(payload)
    return payload


def _nesting_exceeds(text: str, limit: int) -> bool:
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for token in _JSON_TOKEN_RE.findall(text):
        if token in ("[", "{"):
            depth += 1
            if depth > limit:
                return True
        elif token in ("]", "}"):
            depth -= 1
    return False


def _refuse_constant(name: str) -> float:
    raise PayloadError(f"{name} is not allowed in JSON")


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise PayloadError(f"number {literal[:40]} is out of range")
    return value


def _refuse_unstorable_strings(payload: dict) -> None:
    stack: list[object] = [payload]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if _UNSTORABLE_RE.search(key):
                    raise PayloadError("JSON contains a lone surrogate or NUL character")
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str) and _UNSTORABLE_RE.search(node):
            raise PayloadError("JSON contains a lone surrogate or NUL character")


# --------------------------------------------------------------------------- extraction


def extract_events(payload: dict) -> WebhookEvents:
    """Messages and statuses of a parsed webhook; never raises, whatever the shape."""
    events = WebhookEvents()
    if not isinstance(payload, Mapping):
        events.ignored.append(f"payload is a {type(payload).__name__}, not an object")
        return events
    if payload.get("object") != "whatsapp_business_account":
        events.ignored.append(f"unknown object {_preview(payload.get('object'))}")
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
        waba_id = _identifier(entry.get("id"))
        for change_index, change in enumerate(changes):
            _extract_change(change, waba_id, f"{where}.changes[{change_index}]", events)
    return events


def _extract_change(change: object, waba_id: str | None, where: str, events: WebhookEvents) -> None:
    if not isinstance(change, Mapping):
        events.ignored.append(f"{where} is not an object")
        return
    if change.get("field") != "messages":
        events.ignored.append(f"{where}: field {_preview(change.get('field'))} ignored")
        return
    value = change.get("value")
    if not isinstance(value, Mapping):
        events.ignored.append(f"{where}.value is not an object")
        return
    metadata = value.get("metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    context = _ChangeContext(
        waba_id=waba_id,
        phone_number_id=_identifier(metadata.get("phone_number_id")),
        display_phone_number=_identifier(metadata.get("display_phone_number")),
        contacts=_contacts(value.get("contacts")),
    )
    events.errors.extend(_errors(value.get("errors")))
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
        name = _text(profile.get("name"), _FIELD_LIMIT) if isinstance(profile, Mapping) else None
        contacts.append(_Contact(_digits(item.get("wa_id")), _identifier(item.get("user_id")), name))
    return tuple(contacts)


def _message(message: Mapping, context: _ChangeContext, where: str, ignored: list[str]) -> InboundMessage | None:
    wa_message_id = _identifier(message.get("id"))
    if not wa_message_id:
        ignored.append(f"{where}: message without an id")
        return None
    sender = _digits(message.get("from"))
    user_id = _identifier(message.get("from_user_id"))
    contact = context.contact_for(sender, user_id)
    if contact is not None:
        sender = sender or contact.wa_id
        user_id = user_id or contact.user_id
    if not sender and not user_id:
        ignored.append(f"{where}: message {mask_wamid(wa_message_id)} has no sender")
        return None
    message_type = _text(message.get("type"), 64) or ""
    fields: dict = {}
    notes: list[ApiError] = []
    content = message.get(message_type) if message_type else None
    content = content if isinstance(content, Mapping) else {}

    if message_type in ("text", "system"):
        body = _text(content.get("body"), None)
        if body is not None:
            fields["text"] = clip(body, MAX_TEXT_LENGTH, "")
            fields["text_truncated"] = len(body) > MAX_TEXT_LENGTH
    elif message_type == "interactive":
        reply_type = content.get("type")
        reply = content.get(reply_type) if reply_type in ("button_reply", "list_reply") else None
        if isinstance(reply, Mapping):
            fields["interactive_id"] = _identifier(reply.get("id"))
            fields["interactive_title"] = _text(reply.get("title"), _FIELD_LIMIT)
    elif message_type == "button":
        fields["interactive_id"] = _identifier(content.get("payload"))
        fields["interactive_title"] = _text(content.get("text"), _FIELD_LIMIT)
    elif message_type == "location":
        fields.update(_location(content, notes))
    elif message_type in MEDIA_TYPES:
        fields.update(
            media_id=_identifier(content.get("id")),
            media_mime_type=_text(content.get("mime_type"), 255),
            media_sha256=_text(content.get("sha256"), 255),
            media_filename=_text(content.get("filename"), 255),
            media_url=_url(content.get("url")),
            caption=_text(content.get("caption"), _FIELD_LIMIT),
            is_voice=content.get("voice") is True,
        )
    elif message_type == "contacts":
        summary = _contacts_summary(message.get("contacts"))
        if summary:
            fields["text"] = clip(summary, MAX_TEXT_LENGTH)
    elif message_type == "reaction":
        fields["reaction_message_id"] = _identifier(content.get("message_id"))
        fields["reaction_emoji"] = _text(content.get("emoji"), 64)  # None: reaction removed

    reply_context = message.get("context")
    return InboundMessage(
        wa_message_id=wa_message_id,
        phone_number_id=context.phone_number_id,
        display_phone_number=context.display_phone_number,
        waba_id=context.waba_id,
        wa_id=sender or user_id,
        user_id=user_id,
        profile_name=contact.name if contact is not None else None,
        timestamp=_timestamp(message.get("timestamp")),
        type=message_type,
        context_id=_identifier(reply_context.get("id")) if isinstance(reply_context, Mapping) else None,
        errors=_errors(message.get("errors")) + tuple(notes),
        raw=dict(message),
        **fields,
    )


def _location(content: Mapping, notes: list[ApiError]) -> dict:
    latitude = geo.parse_coordinate(content.get("latitude"), 90.0)
    longitude = geo.parse_coordinate(content.get("longitude"), 180.0)
    fields = {
        "location_name": _text(content.get("name"), _FIELD_LIMIT),
        "location_address": _text(content.get("address"), _FIELD_LIMIT),
    }
    if latitude is None or longitude is None:
        notes.append(
            ApiError(
                code=None,
                title="Invalid location",
                message="latitude/longitude missing, not numeric or out of range",
                details=f"latitude={_preview(content.get('latitude'))}, longitude={_preview(content.get('longitude'))}",
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
        full_name = _text(name.get("formatted_name"), 200) or " ".join(
            part for part in (_text(name.get("first_name"), 100), _text(name.get("last_name"), 100)) if part
        )
        phones = card.get("phones")
        numbers = [
            _text(phone.get("phone"), 50) or _digits(phone.get("wa_id"))
            for phone in (phones[:10] if isinstance(phones, list) else [])
            if isinstance(phone, Mapping)
        ]
        numbers = [number for number in numbers if number]
        line = ": ".join(part for part in (full_name, ", ".join(numbers)) if part)
        if line:
            lines.append(line)
    return "\n".join(lines) or None


def _status(status: Mapping, context: _ChangeContext, where: str, ignored: list[str]) -> StatusUpdate | None:
    wa_message_id = _identifier(status.get("id"))
    state = _text(status.get("status"), 64)
    if not wa_message_id or not state:
        ignored.append(f"{where}: status without an id or a status")
        return None
    recipient_user_id = _identifier(status.get("recipient_user_id"))
    return StatusUpdate(
        wa_message_id=wa_message_id,
        phone_number_id=context.phone_number_id,
        status=state.strip().lower(),
        timestamp=_timestamp(status.get("timestamp")),
        recipient_id=_digits(status.get("recipient_id")) or recipient_user_id,
        recipient_user_id=recipient_user_id,
        errors=_errors(status.get("errors")),
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


# --------------------------------------------------------------------------- value helpers


def _errors(value: object) -> tuple[ApiError, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(error for error in map(ApiError.from_dict, value[:20]) if error is not None)


def _text(value: object, limit: int | None = _FIELD_LIMIT) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return clip(value, limit) if limit else value


def _identifier(value: object) -> str | None:
    """An id as a string (Meta sends strings; tolerate integers); too long or empty -> None."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if 0 < len(value) <= _ID_LIMIT else None


def _digits(value: object) -> str | None:
    """A phone number as digits only (``+`` dropped); anything else -> None."""
    value = _identifier(value)
    if value is None:
        return None
    value = value.removeprefix("+")
    return value if value.isascii() and value.isdigit() and len(value) <= 20 else None


def _integer(value: object) -> int | None:
    """An integer code; Meta sends numbers, some providers digit strings."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INTEGER_RE.fullmatch(value.strip()):
        return int(value)
    return None


def _timestamp(value: object) -> int | None:
    """Unix seconds from Meta's string (or a number); absurd values -> None."""
    if isinstance(value, float) and math.isfinite(value):
        value = int(value)
    number = _integer(value)
    return number if number is not None and 0 < number < 10**11 else None


def _url(value: object) -> str | None:
    if isinstance(value, str) and value.startswith(("https://", "http://")) and len(value) <= 4096:
        return value
    return None


def _preview(value: object) -> str:
    """A short, safe rendering for reasons: never repr() a container (it may be huge or deep)."""
    if value is None or isinstance(value, bool | int | float | str):
        return clip(repr(value), 80)
    return f"<{type(value).__name__}>"
