"""Is it Meta? The ``X-Hub-Signature-256`` of a webhook body and the subscription handshake."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping

_SIGNATURE_RE = re.compile(r"sha256=([0-9a-fA-F]{64})")


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
