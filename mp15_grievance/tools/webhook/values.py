"""Readers of webhook values: ids, digits, integers, timestamps, texts, URLs, each None when unusable; Meta's errors."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from ..messages import clip

FIELD_LIMIT = 1024  # captions, names, addresses, error texts
_ID_LIMIT = 512
_GRAPH_PREFIX_RE = re.compile(r"^\(#\d+\)\s*")
_INTEGER_RE = re.compile(r"-?[0-9]{1,18}")


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
        message = read_text(data.get("message"))
        title = read_text(data.get("title")) or read_text(data.get("error_user_title"))
        if title is None and message:
            title = _GRAPH_PREFIX_RE.sub("", message) or None
        error_data = data.get("error_data")
        details = read_text(error_data.get("details")) if isinstance(error_data, Mapping) else read_text(error_data)
        return cls(
            code=read_integer(data.get("code")),
            title=title,
            message=message,
            details=details or read_text(data.get("error_user_msg")),
            subcode=read_integer(data.get("error_subcode")),
            fbtrace_id=read_identifier(data.get("fbtrace_id")),
        )

    def summary(self) -> str:
        """One line for staff: ``131026 Message undeliverable: Message Undeliverable.``"""
        head = " ".join(part for part in (None if self.code is None else str(self.code), self.title) if part)
        tail = self.details or (self.message if self.message != self.title else None)
        if head and tail:
            return f"{head}: {tail}"
        return head or tail or "unknown error"


def read_errors(value: object) -> tuple[ApiError, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(error for error in map(ApiError.from_dict, value[:20]) if error is not None)


def read_text(value: object, limit: int | None = FIELD_LIMIT) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return clip(value, limit) if limit else value


def read_identifier(value: object) -> str | None:
    """An id as a string (Meta sends strings; tolerate integers); too long or empty -> None."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if 0 < len(value) <= _ID_LIMIT else None


def read_digits(value: object) -> str | None:
    """A phone number as digits only (``+`` dropped); anything else -> None."""
    value = read_identifier(value)
    if value is None:
        return None
    value = value.removeprefix("+")
    return value if value.isascii() and value.isdigit() and len(value) <= 20 else None


def read_integer(value: object) -> int | None:
    """An integer code; Meta sends numbers, some providers digit strings."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INTEGER_RE.fullmatch(value.strip()):
        return int(value)
    return None


def read_timestamp(value: object) -> int | None:
    """Unix seconds from Meta's string (or a number); absurd values -> None."""
    if isinstance(value, float) and math.isfinite(value):
        value = int(value)
    number = read_integer(value)
    return number if number is not None and 0 < number < 10**11 else None


def read_url(value: object) -> str | None:
    if isinstance(value, str) and value.startswith(("https://", "http://")) and len(value) <= 4096:
        return value
    return None


def preview(value: object) -> str:
    """A short, safe rendering for reasons: never repr() a container (it may be huge or deep)."""
    if value is None or isinstance(value, bool | int | float | str):
        return clip(repr(value), 80)
    return f"<{type(value).__name__}>"
