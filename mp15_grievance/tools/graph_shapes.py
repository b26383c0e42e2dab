"""What Meta's Graph API answers, as plain data: the one stand-in for the test server and the simulator.

``tests/fake_graph_api.py`` (a real HTTP server for tests and benchmarks) and the
``mp15_grievance_simulator`` addon's Graph routes both answer with these shapes, so what the
sender is tested against is what the simulator shows. Shapes as in ``tests/fixtures/whatsapp/``
(its README says where each comes from). No Odoo import here.
"""

import base64
import hashlib
import re
import secrets

INVALID_TOKEN_MESSAGE = "Invalid OAuth access token - Cannot parse access token"
# What a send may carry (Cloud API "type"); each needs its object of the same name.
SEND_TYPES = frozenset(
    {
        "text",
        "interactive",
        "template",
        "image",
        "audio",
        "video",
        "document",
        "sticker",
        "location",
        "contacts",
        "reaction",
    }
)
_PHONE_RE = re.compile(r"\+?[1-9][0-9]{6,14}")
# Business-scoped user ids (2026 usernames), as tools/messages.py accepts them.
_USER_ID_RE = re.compile(r"(?:[A-Z]{2}(?:\.ENT)?|user)\.[A-Za-z0-9]{1,256}")


# --------------------------------------------------------------------------- ids


def wamid(wa_id, *, inbound=False):
    """A message id laid out like Meta's (see the fixtures' README): the citizen's number inside."""
    digits = wa_id.removeprefix("+")
    user = (digits if digits.isdigit() else "0").encode()
    message_id = (secrets.token_hex(16) if inbound else secrets.token_hex(9)).upper().encode()
    direction = b"\x12" if inbound else b"\x11"
    raw = b"\x1c\x18" + bytes([len(user)]) + user + b"\x15\x02\x00" + direction + b"\x18"
    raw += bytes([len(message_id)]) + message_id + b"\x00"
    return "wamid." + base64.b64encode(raw).decode()


def media_id():
    """A media id like Meta's: 16 digits."""
    return str(10**15 + secrets.randbelow(9 * 10**15))


# --------------------------------------------------------------------------- errors


def error(code, message, *, subcode=None, details=None):
    """A Graph API error body, as Meta shapes it."""
    body = {"message": message, "type": "OAuthException", "code": code}
    if subcode is not None:
        body["error_subcode"] = subcode
    if details:
        body["error_data"] = {"messaging_product": "whatsapp", "details": details}
    body["fbtrace_id"] = secrets.token_urlsafe(16)
    return {"error": body}


def invalid_token():
    """The 190 error of a missing or wrong ``Authorization: Bearer`` token (answered with HTTP 401)."""
    return error(190, INVALID_TOKEN_MESSAGE)


def unknown_object(method, object_id):
    """The 100/33 error of a phone number id or media id that does not exist (HTTP 400)."""
    return error(
        100,
        f"Unsupported {method.lower()} request. Object with ID '{str(object_id)[:64]}' does not exist",
        subcode=33,
    )


def unknown_path():
    """The 2500 error of a path the Graph API does not have (HTTP 400)."""
    return error(2500, "Unknown path components")


def too_large():
    """The answer to a request body over the stand-in's limit (HTTP 413)."""
    return error(100, "Request entity too large")


# --------------------------------------------------------------------------- POST /{phone_number_id}/messages


def send_problem(payload):
    """The error body Meta answers a send or read receipt with (HTTP 400), or None when it is accepted.

    Missing or malformed structure is (#100); a Cloud API limit broken is (#131009), as Meta does.
    """
    if not isinstance(payload, dict) or payload.get("messaging_product") != "whatsapp":
        return error(100, "(#100) Invalid parameter", details="messaging_product must be whatsapp")
    if payload.get("status") == "read":
        if not isinstance(payload.get("message_id"), str) or not payload["message_id"]:
            return error(100, "(#100) Invalid parameter", details="message_id is required")
        return None
    to, message_type = payload.get("to"), payload.get("type")
    if not isinstance(to, str) or not (_PHONE_RE.fullmatch(to.strip()) or _USER_ID_RE.fullmatch(to.strip())):
        return error(100, "(#100) Invalid parameter", details="'to' must be a phone number or a user id")
    if message_type not in SEND_TYPES or not isinstance(payload.get(message_type), dict):
        return error(
            100,
            "(#100) Invalid parameter",
            details=f"'type' and its '{str(message_type)[:32]}' object are required",
        )
    problem = _limit_broken(message_type, payload[message_type])
    if problem:
        return error(131009, "(#131009) Parameter value is not valid", details=problem)
    return None


def send_accepted(to):
    """The 200 answer to an accepted send: the recipient and a fresh wamid (``messages[0].id``)."""
    to = to.strip()
    digits = to.removeprefix("+")
    # A business-scoped user id (2026 usernames) comes back with an empty wa_id.
    contact = {"input": to, "wa_id": digits} if digits.isdigit() else {"input": to, "wa_id": "", "user_id": to}
    return {"messaging_product": "whatsapp", "contacts": [contact], "messages": [{"id": wamid(to)}]}


def read_accepted():
    """The 200 answer to a read receipt."""
    return {"success": True}


# --------------------------------------------------------------------------- GET /{media_id}


def media_info(media_id, url, mime_type, content, *, file_size_as_string=False):
    """The 200 answer to ``GET /{media_id}``: where to download the bytes, and what they are."""
    return {
        "url": url,
        "mime_type": mime_type,
        "sha256": hashlib.sha256(content).hexdigest(),
        "file_size": str(len(content)) if file_size_as_string else len(content),
        "id": media_id,
        "messaging_product": "whatsapp",
    }


# --------------------------------------------------------------------------- Cloud API limits


def _too_long(value, limit):
    return not isinstance(value, str) or not value or len(value) > limit


def _limit_broken(message_type, content):
    """The first Cloud API limit a send breaks (a subset of Meta's checks), else None."""
    if message_type == "text":
        return "text body over 4096 characters" if _too_long(content.get("body"), 4096) else None
    if message_type == "template":
        return "template name is required" if _too_long(content.get("name"), 512) else None
    if message_type != "interactive":
        return None
    kind = content.get("type")
    body = (content.get("body") or {}).get("text")
    if _too_long(body, 4096 if kind == "list" else 1024):
        return "interactive body missing or too long"
    for part in ("header", "footer"):
        if part in content and _too_long((content[part] or {}).get("text"), 60):
            return f"{part} text missing or over 60 characters"
    action = content.get("action") or {}
    if kind == "button":
        return _buttons_problem(action)
    if kind == "list":
        return _list_problem(action)
    if kind == "location_request_message" and action.get("name") != "send_location":
        return "location request action must be send_location"
    return None


def _buttons_problem(action):
    buttons = action.get("buttons") or []
    replies = [button.get("reply") or {} for button in buttons]
    titles = [reply.get("title") for reply in replies]
    if not 1 <= len(buttons) <= 3:
        return "1 to 3 buttons are required"
    if any(_too_long(title, 20) for title in titles) or len(set(titles)) != len(titles):
        return "button titles must be unique and at most 20 characters"
    if any(_too_long(reply.get("id"), 256) for reply in replies):
        return "button ids must be 1 to 256 characters"
    return None


def _list_problem(action):
    sections = action.get("sections") or []
    rows = [row for section in sections for row in (section.get("rows") or [])]
    if _too_long(action.get("button"), 20):
        return "list button missing or over 20 characters"
    if not 1 <= len(sections) <= 10 or not 1 <= len(rows) <= 10:
        return "1 to 10 sections and 1 to 10 rows in total are required"
    if len(sections) > 1 and any(_too_long(section.get("title"), 24) for section in sections):
        return "section titles are required (at most 24 characters) when there are several"
    ids = [row.get("id") for row in rows]
    if any(_too_long(row_id, 200) for row_id in ids) or len(set(ids)) != len(ids):
        return "row ids must be unique and 1 to 200 characters"
    if any(_too_long(row.get("title"), 24) for row in rows):
        return "row titles must be 1 to 24 characters"
    if any("description" in row and _too_long(row["description"], 72) for row in rows):
        return "row descriptions must be at most 72 characters"
    return None
