"""Open311 GeoReport v2: the fields of each answer, JSON and XML rendering, dates, and input validation.

Spec: https://wiki.open311.org/GeoReport_v2 — every answer exists as ``.json`` and ``.xml``; errors are
a list of ``{code, description}``; dates are ISO 8601 (ours carry India's +05:30 offset).
"""

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, time, timedelta, timezone

FORMATS = ("json", "xml")
IST = timezone(timedelta(hours=5, minutes=30), "IST")  # India keeps no summer time
MAX_SPAN = timedelta(days=90)
MAX_REQUESTS = 1000
MAX_DESCRIPTION_CHARS = 4000
MAX_FIELD_CHARS = 256
MAX_URL_CHARS = 2048
STATUSES = ("open", "closed")
# What XML 1.0 cannot carry (control characters but tab and newlines, lone surrogates, U+FFFE/U+FFFF).
XML_INVALID = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

SERVICE_FIELDS = ("service_code", "service_name", "description", "metadata", "type", "keywords", "group")
REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)
POST_RESPONSE_FIELDS = ("service_request_id", "service_notice", "account_id")
# Collection element names for XML: (root, item).
XML_NAMES = {
    "services": ("services", "service"),
    "requests": ("service_requests", "request"),
    "errors": ("errors", "error"),
}


class Open311Error(ValueError):
    """A request the API refuses: ``status`` is the HTTP status, the message its description."""

    def __init__(self, status, description):
        super().__init__(description)
        self.status = status
        self.description = description


def split_format(tail):
    """``("MP15-2026-000001", "json")`` from ``"MP15-2026-000001.json"``; the format is None when unknown."""
    stem, dot, extension = (tail or "").rpartition(".")
    if not dot or extension.lower() not in FORMATS or not stem:
        return tail, None
    return stem, extension.lower()


def iso8601(value):
    """A naive UTC datetime (as Odoo stores them) in ISO 8601 at +05:30, or None."""
    if not value:
        return None
    return value.replace(tzinfo=UTC).astimezone(IST).isoformat(timespec="seconds")


def parse_datetime(text, field):
    """A naive UTC datetime from ISO 8601 text; a date alone is midnight in Sagar, no offset means +05:30."""
    text = (text or "").strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            value = datetime.combine(datetime.fromisoformat(text).date(), time(0), IST)
        else:
            value = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError as error:
        raise Open311Error(400, f"{field} is not an ISO 8601 date (e.g. 2026-12-01T00:00:00+05:30).") from error
    if value.tzinfo is None:
        value = value.replace(tzinfo=IST)
    try:
        return value.astimezone(UTC).replace(tzinfo=None)
    except OverflowError as error:  # 0001-01-01 at +05:30 is still 0000 in UTC
        raise Open311Error(400, f"{field} is out of range.") from error


def round_coordinate(value, places=3):
    """A coordinate to ≈ 100 m (3 decimals); None for a missing one."""
    return None if value in (None, False, 0, 0.0) else round(float(value), places)


def _split_list(text):
    return [item.strip() for item in (text or "").split(",") if item.strip()]


def request_filters(params, now):
    """The filters of ``GET requests`` from its parameters: a dict, or Open311Error(400).

    ``service_request_id`` (comma list) wins over the others, as the spec says. Otherwise the window
    ``start_date``…``end_date`` spans at most 90 days (the last 90 days by default).
    """
    ids = _split_list(params.get("service_request_id"))
    if ids:
        return {"ids": ids[:MAX_REQUESTS]}
    statuses = _split_list(params.get("status"))
    unknown = [status for status in statuses if status not in STATUSES]
    if unknown:
        raise Open311Error(400, "status is open, closed or both (open,closed).")
    start = parse_datetime(params["start_date"], "start_date") if params.get("start_date") else None
    end = parse_datetime(params["end_date"], "end_date") if params.get("end_date") else None
    if start and end and end < start:
        raise Open311Error(400, "end_date is before start_date.")
    if start and end and end - start > MAX_SPAN:
        raise Open311Error(400, "start_date and end_date may be at most 90 days apart.")
    try:
        if not end:
            end = min(start + MAX_SPAN, now) if start else now
        if not start:
            start = end - MAX_SPAN
    except OverflowError as error:  # a window reaching past year 9999 or before year 1
        raise Open311Error(400, "start_date and end_date must be dates between the years 1 and 9999.") from error
    return {
        "service_codes": _split_list(params.get("service_code")),
        "statuses": statuses,
        "start": start,
        "end": end,
    }


def request_values(params):
    """What a ``POST requests`` says, checked: a dict, or Open311Error(400). The API key is checked before."""
    for field, value in params.items():
        if isinstance(value, str) and XML_INVALID.search(value):
            raise Open311Error(400, f"{field} holds control characters; send plain text.")
    values = {"service_code": (params.get("service_code") or "").strip()}
    if not values["service_code"]:
        raise Open311Error(400, "service_code is required.")
    latitude, longitude = (params.get("lat") or "").strip(), (params.get("long") or "").strip()
    address = (params.get("address_string") or "").strip()
    if latitude or longitude:
        try:
            values["lat"], values["long"] = float(latitude), float(longitude)
        except ValueError as error:
            raise Open311Error(400, "lat and long are decimal degrees (WGS84), both required.") from error
        if not (-90 <= values["lat"] <= 90 and -180 <= values["long"] <= 180) or values["lat"] == values["long"] == 0:
            raise Open311Error(400, "lat and long are not a point on Earth.")
    elif not address:
        raise Open311Error(400, "A location is required: lat and long, or address_string.")
    if len(address) > MAX_FIELD_CHARS:
        raise Open311Error(400, f"address_string is longer than {MAX_FIELD_CHARS} characters.")
    values["address_string"] = address or None
    description = (params.get("description") or "").strip()
    if not description:
        raise Open311Error(400, "description is required: say what the problem is.")
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise Open311Error(400, f"description is longer than {MAX_DESCRIPTION_CHARS} characters.")
    values["description"] = description
    media_url = (params.get("media_url") or "").strip()
    if media_url and (len(media_url) > MAX_URL_CHARS or not re.match(r"https?://[^\s/]+", media_url)):
        raise Open311Error(400, "media_url is an http or https address.")
    values["media_url"] = media_url or None
    for field in ("phone", "first_name", "last_name", "email", "device_id", "account_id"):
        value = (params.get(field) or "").strip()
        if len(value) > MAX_FIELD_CHARS:
            raise Open311Error(400, f"{field} is longer than {MAX_FIELD_CHARS} characters.")
        values[field] = value or None
    return values


# ---------------------------------------------------------------------------- rendering


def _text(value):
    """The text of an XML element; characters XML cannot carry (e.g. from an old WhatsApp message) are dropped."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return XML_INVALID.sub("", str(value))


def _xml(root_name, item_name, items, fields):
    root = ET.Element(root_name)
    for item in items:
        element = ET.SubElement(root, item_name) if item_name else root
        for field in fields:
            value = item.get(field)
            if isinstance(value, list):
                ET.SubElement(element, field)  # attributes: none are defined (metadata is false)
                continue
            ET.SubElement(element, field).text = _text(value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)


def render(kind, items, fmt):
    """(bytes, content type) for a list answer: ``services``, ``requests``, ``posted`` or ``errors``."""
    fields = {
        "services": SERVICE_FIELDS,
        "requests": REQUEST_FIELDS,
        "posted": POST_RESPONSE_FIELDS,
        "errors": ("code", "description"),
    }[kind]
    items = [{field: item.get(field) for field in fields} for item in items]
    if fmt == "json":
        return json.dumps(items, ensure_ascii=False).encode(), "application/json; charset=utf-8"
    root, item = XML_NAMES["requests" if kind == "posted" else kind]
    return _xml(root, item, items, fields), "text/xml; charset=utf-8"


def render_definition(service_code, fmt):
    """The definition of a service: no extra attributes (``metadata`` is false for every service)."""
    if fmt == "json":
        body = json.dumps({"service_code": service_code, "attributes": []}, ensure_ascii=False).encode()
        return body, "application/json; charset=utf-8"
    return _xml(
        "service_definition",
        None,
        [{"service_code": service_code, "attributes": []}],
        (
            "service_code",
            "attributes",
        ),
    ), "text/xml; charset=utf-8"


def render_error(status, description, fmt):
    """The spec's error list, in the asked format (JSON when the format itself is unknown)."""
    return render("errors", [{"code": status, "description": description}], fmt if fmt in FORMATS else "json")
