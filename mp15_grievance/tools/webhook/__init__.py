"""WhatsApp Cloud API webhooks: signature and handshake, strict parsing, event extraction.

``parse_body`` refuses anything PostgreSQL or Python cannot safely hold;
``extract_events`` then accepts any dict and never raises: whatever it cannot
use is reported in ``WebhookEvents.ignored``.

  verification.py  the signature Meta puts on each body, the subscription handshake
  body.py          the body as a JSON object, or PayloadError
  events.py        InboundMessage / StatusUpdate out of any payload; status order; wamids in logs
  values.py        readers of single values (ids, digits, timestamps …) and Meta's ApiError
"""

from .body import MAX_BODY_BYTES, MAX_DEPTH, PayloadError, parse_body
from .events import (
    MAX_TEXT_LENGTH,
    MEDIA_TYPES,
    STATUS_RANK,
    InboundMessage,
    StatusUpdate,
    WebhookEvents,
    extract_events,
    mask_wamid,
    status_moves_forward,
)
from .values import ApiError
from .verification import signature, verify_handshake, verify_signature

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_DEPTH",
    "MAX_TEXT_LENGTH",
    "MEDIA_TYPES",
    "STATUS_RANK",
    "ApiError",
    "InboundMessage",
    "PayloadError",
    "StatusUpdate",
    "WebhookEvents",
    "extract_events",
    "mask_wamid",
    "parse_body",
    "signature",
    "status_moves_forward",
    "verify_handshake",
    "verify_signature",
]
