"""Builders of WhatsApp Cloud API send payloads that enforce Meta's limits.

Texts over a limit are shortened with "…" at a grapheme boundary (a Devanagari
matra, virama or nukta is never separated from its consonant); structural
violations (too many buttons, duplicate ids, empty ids ...) raise ``ValueError``.
Limits are those of ``design/WHATSAPP.md``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from .phone import mask_phone

TEXT_BODY_LIMIT = 4096
MEDIA_CAPTION_LIMIT = 1024
INTERACTIVE_BODY_LIMIT = 1024  # reply buttons, location request
LIST_BODY_LIMIT = 4096
HEADER_LIMIT = 60
FOOTER_LIMIT = 60
MAX_BUTTONS = 3
BUTTON_TITLE_LIMIT = 20
BUTTON_ID_LIMIT = 256
LIST_BUTTON_LIMIT = 20
# Media WhatsApp carries, in MB (Meta's limits); photos filed on the portal keep the image limit so
# that they can be sent on to the citizen.
MEDIA_LIMITS_MB = {"image": 5, "audio": 16, "video": 16, "sticker": 1, "document": 100}
IMAGE_LIMIT_BYTES = MEDIA_LIMITS_MB["image"] * 1024 * 1024
MAX_SECTIONS = 10
MAX_ROWS = 10
SECTION_TITLE_LIMIT = 24
ROW_ID_LIMIT = 200
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
TEMPLATE_PARAMETER_LIMIT = 1024
ELLIPSIS = "…"

_VIRAMA = "\u094d"
_ZWNJ = "\u200c"
_ZWJ = "\u200d"
_E164_RE = re.compile(r"\+?([1-9][0-9]{6,14})")
# Business-scoped user ids (2026 usernames): "IN.1234…", "US.ENT.1234…" or "user.<hex>".
_BSUID_RE = re.compile(r"(?:[A-Z]{2}(?:\.ENT)?|user)\.[A-Za-z0-9]{1,256}")
_TEMPLATE_NAME_RE = re.compile(r"[a-z0-9_]{1,512}")
_LANGUAGE_RE = re.compile(r"[a-z]{2,3}(?:_[A-Z]{2,3})?")


class Row(NamedTuple):
    """One row of a list message."""

    id: str
    title: str
    description: str = ""


# --------------------------------------------------------------------------- text helpers


def _is_devanagari_mark(code_point: int) -> bool:
    return (
        0x0900 <= code_point <= 0x0903
        or (0x093A <= code_point <= 0x094F and code_point != 0x093D)  # U+093D avagraha is a letter
        or 0x0951 <= code_point <= 0x0957
        or 0x0962 <= code_point <= 0x0963
    )


def _is_devanagari_consonant(char: str) -> bool:
    code_point = ord(char)
    return 0x0915 <= code_point <= 0x0939 or 0x0958 <= code_point <= 0x095F or 0x0978 <= code_point <= 0x097F


def _attaches_to_previous(char: str) -> bool:
    code_point = ord(char)
    if _is_devanagari_mark(code_point) or char in (_ZWJ, _ZWNJ):
        return True
    # Combining marks of other scripts, variation selectors and emoji skin tones.
    return unicodedata.category(char) in ("Mn", "Mc", "Me") or 0x1F3FB <= code_point <= 0x1F3FF


def is_grapheme_boundary(text: str, index: int) -> bool:
    """True when ``text`` may be cut before ``text[index]`` without breaking a grapheme."""
    if index <= 0 or index >= len(text):
        return True
    char, previous = text[index], text[index - 1]
    if _attaches_to_previous(char) or previous in (_ZWJ, _ZWNJ):
        return False
    # Consonant + virama + consonant is one conjunct (क्ष): cutting it leaves a dangling virama.
    return not (previous == _VIRAMA and _is_devanagari_consonant(char))


def _boundary_at_or_before(text: str, index: int) -> int:
    while index > 0 and not is_grapheme_boundary(text, index):
        index -= 1
    return index


def clip(text: str, limit: int, ellipsis: str = ELLIPSIS) -> str:
    """``text`` if it fits in ``limit`` characters, else cut at a grapheme boundary + ``ellipsis``."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(text) <= limit:
        return text
    if len(ellipsis) >= limit:
        ellipsis = ""
    cut = _boundary_at_or_before(text, limit - len(ellipsis))
    return text[:cut].rstrip() + ellipsis


def _required_text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty string, got {value!r}")
    return value.strip()


def _one_line(value: object, what: str, limit: int) -> str:
    return clip(" ".join(_required_text(value, what).split()), limit)


def _identifier(value: object, what: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty string, got {value!r}")
    if len(value) > limit:
        raise ValueError(f"{what} {value[:40]!r}… is {len(value)} characters long; the limit is {limit}")
    return value


# --------------------------------------------------------------------------- recipients


def normalize_recipient(to: object) -> str:
    """``+<digits>`` from a wa_id (``919876543210``) or E.164 number; a business-scoped user id unchanged.

    Anything else (spaces, letters, national numbers with a leading 0 ...) raises ``ValueError``:
    format human input with the phone tools first.
    """
    if isinstance(to, str):
        value = to.strip()
        match = _E164_RE.fullmatch(value)
        if match:
            return "+" + match.group(1)
        if _BSUID_RE.fullmatch(value):
            return value
    # Masked: this message reaches the logs, and a misformatted number may still be a real one.
    shown = repr(mask_phone(to)) if isinstance(to, str) else type(to).__name__
    raise ValueError(f"invalid WhatsApp recipient {shown}: expected +E.164 digits or a wa_id")


def _envelope(to: object, message_type: str, content: dict, reply_to: str | None = None) -> dict:
    payload = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": normalize_recipient(to),
        "type": message_type,
        message_type: content,
    }
    if reply_to is not None:
        payload["context"] = {"message_id": _identifier(reply_to, "reply_to", 512)}
    return payload


def _interactive(
    to: object,
    interactive_type: str,
    body: str,
    action: dict,
    *,
    header: str | None = None,
    footer: str | None = None,
    reply_to: str | None = None,
) -> dict:
    content: dict = {"type": interactive_type}
    if header:  # None or "" means no header
        content["header"] = {"type": "text", "text": _one_line(header, "header", HEADER_LIMIT)}
    content["body"] = {"text": body}
    if footer:
        content["footer"] = {"text": _one_line(footer, "footer", FOOTER_LIMIT)}
    content["action"] = action
    return _envelope(to, "interactive", content, reply_to)


# --------------------------------------------------------------------------- builders


def text_message(to: str, body: str, *, preview_url: bool = False, reply_to: str | None = None) -> dict:
    """A text message; ``body`` over 4096 characters is clipped."""
    text = clip(_required_text(body, "body"), TEXT_BODY_LIMIT)
    return _envelope(to, "text", {"preview_url": bool(preview_url), "body": text}, reply_to)


def buttons_message(
    to: str,
    body: str,
    buttons: Sequence[tuple[str, str]],
    *,
    header: str | None = None,
    footer: str | None = None,
    reply_to: str | None = None,
) -> dict:
    """Up to 3 reply buttons given as ``(id, title)``; titles clipped to 20 characters."""
    if not buttons:
        raise ValueError("a buttons message needs at least one button")
    if len(buttons) > MAX_BUTTONS:
        raise ValueError(f"{len(buttons)} buttons given; WhatsApp allows at most {MAX_BUTTONS}")
    seen_ids: set[str] = set()
    seen_titles: set[str] = set()
    replies = []
    for button_id, title in buttons:
        button_id = _identifier(button_id, "button id", BUTTON_ID_LIMIT)
        title = _one_line(title, "button title", BUTTON_TITLE_LIMIT)
        if button_id in seen_ids:
            raise ValueError(f"duplicate button id {button_id!r}")
        if title in seen_titles:
            raise ValueError(f"duplicate button title {title!r} (titles are compared after clipping)")
        seen_ids.add(button_id)
        seen_titles.add(title)
        replies.append({"type": "reply", "reply": {"id": button_id, "title": title}})
    text = clip(_required_text(body, "body"), INTERACTIVE_BODY_LIMIT)
    return _interactive(to, "button", text, {"buttons": replies}, header=header, footer=footer, reply_to=reply_to)


def list_message(
    to: str,
    body: str,
    button: str,
    sections: Sequence[tuple[str, Sequence[Row]]],
    *,
    header: str | None = None,
    footer: str | None = None,
) -> dict:
    """An interactive list: ``sections`` of ``(title, rows)``; at most 10 sections and 10 rows in all.

    A section title may be empty only when there is a single section. Rows may be
    ``Row`` or plain ``(id, title[, description])`` tuples; row ids are unique across sections.
    """
    if not sections:
        raise ValueError("a list message needs at least one section")
    if len(sections) > MAX_SECTIONS:
        raise ValueError(f"{len(sections)} sections given; WhatsApp allows at most {MAX_SECTIONS}")
    total_rows = sum(len(rows) for _title, rows in sections)
    if total_rows == 0:
        raise ValueError("a list message needs at least one row")
    if total_rows > MAX_ROWS:
        raise ValueError(f"{total_rows} rows given; WhatsApp allows at most {MAX_ROWS} in total")
    seen_ids: set[str] = set()
    built_sections = []
    for section_title, rows in sections:
        if not rows:
            raise ValueError(f"section {section_title!r} has no rows")
        section: dict = {}
        if len(sections) > 1 or (isinstance(section_title, str) and section_title.strip()):
            section["title"] = _one_line(section_title, "section title", SECTION_TITLE_LIMIT)
        built_rows = []
        for row in rows:
            row = Row(*row)
            row_id = _identifier(row.id, "row id", ROW_ID_LIMIT)
            if row_id in seen_ids:
                raise ValueError(f"duplicate row id {row_id!r}")
            seen_ids.add(row_id)
            built = {"id": row_id, "title": _one_line(row.title, "row title", ROW_TITLE_LIMIT)}
            if isinstance(row.description, str) and row.description.strip():
                built["description"] = _one_line(row.description, "row description", ROW_DESCRIPTION_LIMIT)
            built_rows.append(built)
        section["rows"] = built_rows
        built_sections.append(section)
    action = {"button": _one_line(button, "list button", LIST_BUTTON_LIMIT), "sections": built_sections}
    text = clip(_required_text(body, "body"), LIST_BODY_LIMIT)
    return _interactive(to, "list", text, action, header=header, footer=footer)


def location_request_message(to: str, body: str) -> dict:
    """Asks the user to share a location (the "Send location" button)."""
    text = clip(_required_text(body, "body"), INTERACTIVE_BODY_LIMIT)
    return _interactive(to, "location_request_message", text, {"name": "send_location"})


def image_message(to: str, link: str, *, caption: str | None = None) -> dict:
    """A photo WhatsApp fetches from ``link`` (https in production), with an optional caption."""
    if not isinstance(link, str) or not link.startswith(("https://", "http://")):
        raise ValueError(f"image link must be an http(s) URL, got {link!r}")
    image = {"link": link}
    if isinstance(caption, str) and caption.strip():
        image["caption"] = clip(caption.strip(), MEDIA_CAPTION_LIMIT)
    return _envelope(to, "image", image)


def template_message(to: str, name: str, language: str, body_parameters: Iterable[str] = ()) -> dict:
    """An approved template with positional body parameters (``{{1}}``, ``{{2}}`` ...).

    Parameters are made single-line (Meta refuses new lines, tabs and runs of spaces
    in them) and clipped to 1024 characters.
    """
    if not isinstance(name, str) or not _TEMPLATE_NAME_RE.fullmatch(name):
        raise ValueError(f"invalid template name {name!r}: lowercase letters, digits and _ only")
    if not isinstance(language, str) or not _LANGUAGE_RE.fullmatch(language):
        raise ValueError(f"invalid template language code {language!r} (expected e.g. 'hi' or 'en_US')")
    template: dict = {"name": name, "language": {"code": language}}
    parameters = [
        {"type": "text", "text": _one_line(value, "template parameter", TEMPLATE_PARAMETER_LIMIT)}
        for value in body_parameters
    ]
    if parameters:
        template["components"] = [{"type": "body", "parameters": parameters}]
    return _envelope(to, "template", template)


def read_receipt(wa_message_id: str) -> dict:
    """Marks an inbound message as read (blue ticks)."""
    return {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": _identifier(wa_message_id, "wa_message_id", 512),
    }
