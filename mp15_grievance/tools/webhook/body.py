"""The webhook body as JSON: refused (``PayloadError``, answer 400) when PostgreSQL or Python cannot safely hold it."""

from __future__ import annotations

import json
import math
import re

MAX_BODY_BYTES = 4 * 1024 * 1024  # Meta sends at most 3 MB
MAX_DEPTH = 64
# A JSON string token, terminated or not (so the scan never backtracks), or a bracket.
_JSON_TOKEN_RE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)|[\[\]{}]', re.DOTALL)
_SUSPECT_ESCAPE_RE = re.compile(r"\\u(?:[dD][89a-fA-F]|0000)")
_UNSTORABLE_RE = re.compile("[\ud800-\udfff\x00]")  # lone surrogates and NUL: PostgreSQL refuses both


class PayloadError(ValueError):
    """The webhook body is not a storable JSON object (answer 400)."""


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
