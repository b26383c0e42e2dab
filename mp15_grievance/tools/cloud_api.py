"""A small WhatsApp Cloud API client that classifies every outcome instead of raising.

``send`` and ``mark_read`` return a ``SendResult`` whose ``disposition`` tells the
outbound queue what to do next:

- ``sent``: accepted by Meta (``wa_message_id`` set; delivery comes by webhook).
- ``retry``: transient (network, timeout, HTTP 5xx/429, throughput limits): back off.
- ``window_closed``: 131047, the 24-hour window is closed: send a template instead.
- ``failed``: permanent for this message (131026 undeliverable, 100 bad parameter ...).
- ``auth``: the token is expired or lacks permissions (190, HTTP 401): alert administrators,
  stop sending for this account.
- ``blocked``: the account is restricted or locked (368, 131031 ...): alert, stop sending.

``list_templates``, ``get_media`` and ``download_media`` raise ``CloudApiError`` (``MediaTooLarge`` past the limit).
Every request carries a timeout and follows no redirect; the access token never appears in errors or
reprs. Given ``allowed_prefixes`` (the Graph API allow-list), the client refuses a ``graph_url`` off
the list, and downloads media only from Meta's media hosts or an allow-listed prefix; without it,
media only from Meta's media hosts or the ``graph_url``'s own host.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from http.client import HTTPException
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import HTTPError as Urllib3Error

from .messages import read_receipt
from .urls import media_url_allowed, url_allowed
from .webhook import ApiError

SENT = "sent"
RETRY = "retry"
WINDOW_CLOSED = "window_closed"
FAILED = "failed"
AUTH = "auth"
BLOCKED = "blocked"
MAX_ATTEMPTS = 8

RETRY_CODES = frozenset(
    {
        1,  # API unknown
        2,  # API service (temporary)
        4,  # application request limit
        17,  # user request limit
        341,  # application limit
        613,  # calls to this API exceeded the rate limit
        80007,  # WABA rate limit
        130429,  # throughput exceeded
        131000,  # something went wrong
        131016,  # service unavailable
        131048,  # spam rate limit (quality): later may work
        131056,  # too many messages to the same user
        131057,  # account in maintenance mode
        133004,  # server temporarily unavailable
        133016,  # register/deregister rate limit
    }
)
WINDOW_CLOSED_CODES = frozenset({131047})
AUTH_CODES = frozenset({0, 3, 10, 190, 131005} | set(range(200, 300)))
BLOCKED_CODES = frozenset(
    {
        368,  # temporarily blocked for policy violations
        131031,  # account locked
        131037,  # display name not approved
        131042,  # payment issue
        131045,  # incorrect certificate / number not registered properly
        133010,  # phone number not registered
    }
)
FAILED_CODES = frozenset({100, 131008, 131009, 131021, 131026, 131049, 131050, 131051, 131052, 131053, 130472})

_RESPONSE_LIMIT = 1024 * 1024  # an API answer is a few hundred bytes
_SAFE_ID_RE = re.compile(r"[A-Za-z0-9_.-]{1,128}")
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class SendResult:
    ok: bool
    wa_message_id: str | None
    http_status: int | None
    error: ApiError | None
    disposition: str
    retry_after: float | None = None  # seconds, from a Retry-After header


@dataclass(frozen=True)
class MediaInfo:
    url: str
    mime_type: str | None
    sha256: str | None
    file_size: int | None


class CloudApiError(Exception):
    """A media call failed; ``disposition`` says whether retrying may help."""

    def __init__(self, error: ApiError, http_status: int | None = None, disposition: str = FAILED):
        super().__init__(error.summary())
        self.error = error
        self.http_status = http_status
        self.disposition = disposition


class GraphUrlNotAllowed(ValueError):
    """The account's Graph API URL is not on the allow-list: nothing is sent there."""


class MediaTooLarge(CloudApiError):
    def __init__(self, max_bytes: int, size: int | None = None):
        shown = f"{size} bytes" if size is not None else "more"
        error = ApiError(None, "Media too large", f"{shown} > limit of {max_bytes} bytes", None)
        super().__init__(error, None, FAILED)
        self.max_bytes = max_bytes
        self.size = size


def classify_error(http_status: int | None, code: int | None) -> str:
    """The disposition of a failed call: the Graph error code first, then the HTTP status."""
    if code is not None:
        for codes, disposition in (
            (WINDOW_CLOSED_CODES, WINDOW_CLOSED),
            (AUTH_CODES, AUTH),
            (BLOCKED_CODES, BLOCKED),
            (RETRY_CODES, RETRY),
            (FAILED_CODES, FAILED),
        ):
            if code in codes:
                return disposition
    if http_status is None:
        return RETRY  # no answer at all: network
    if http_status == 401:
        return AUTH
    if http_status in (408, 425, 429) or http_status >= 500:
        return RETRY
    return FAILED


def backoff_delay(attempt: int, *, base: float = 30, cap: float = 3600, jitter: float = 0.0) -> float:
    """Seconds to wait before attempt ``attempt + 1``: ``base * 2**(attempt-1)``, at most ``cap``.

    ``jitter`` in [0, 1) (e.g. ``random.random()``) shortens the delay by up to half, so
    the cap stays a true maximum and retries of many messages spread out.
    """
    if not 0.0 <= jitter < 1.0:
        raise ValueError("jitter must be in [0, 1)")
    exponent = min(max(attempt, 1) - 1, 60)
    return min(cap, base * 2**exponent) * (1.0 - jitter / 2.0)


PARALLEL_SENDS = 16  # messages the sender has in flight at once (its threads), and connections kept open for them


class CloudApiClient:
    def __init__(
        self,
        graph_url: str,
        phone_number_id: str,
        access_token: str,
        *,
        timeout: float = 15,
        session: requests.Session | None = None,
        allowed_prefixes: tuple[str, ...] | None = None,
        connections: int = PARALLEL_SENDS,
    ):
        """``connections``: kept open to the Graph API, one per sending thread (requests keeps 10 by default
        and drops the rest after each answer, so a 16-thread sender reconnected for every message)."""
        parts = urlsplit(graph_url or "")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"graph_url must be an http(s) URL, got {graph_url!r}")
        if allowed_prefixes is not None and not url_allowed(graph_url, allowed_prefixes):
            raise GraphUrlNotAllowed(
                f"graph_url {graph_url!r} starts with none of the allowed prefixes {', '.join(allowed_prefixes)}"
            )
        if not isinstance(phone_number_id, str) or not _SAFE_ID_RE.fullmatch(phone_number_id):
            raise ValueError(f"invalid phone_number_id {phone_number_id!r}")
        if timeout is None:
            raise ValueError("a timeout is required")
        self.graph_url = graph_url.rstrip("/")
        self.phone_number_id = phone_number_id
        self.timeout = timeout
        if session is None:
            session = requests.Session()
            adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=connections)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        self.session = session
        self._access_token = access_token or ""
        if allowed_prefixes is None:
            allowed_prefixes = (f"{parts.scheme}://{parts.netloc}/",)
        self._media_prefixes = tuple(allowed_prefixes)

    def __repr__(self) -> str:
        return f"<CloudApiClient {self.graph_url}/{self.phone_number_id}>"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> CloudApiClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # ------------------------------------------------------------------ sending

    def send(self, payload: dict) -> SendResult:
        """POST a message payload; never raises for network, HTTP or JSON trouble."""
        try:
            body = json.dumps(payload, ensure_ascii=False, allow_nan=False).encode()
        except (TypeError, ValueError) as error:
            return SendResult(False, None, None, _local_error("Invalid payload", error), FAILED)
        url = f"{self.graph_url}/{self.phone_number_id}/messages"
        try:
            response = self._request("POST", url, data=body, headers=self._headers(json_body=True))
            with response:
                content = _read_limited(response, _RESPONSE_LIMIT)
        except _TRANSPORT_ERRORS as error:
            return SendResult(False, None, None, _transport_error(error), RETRY)
        status = response.status_code
        data = _json_or_none(content)
        if 200 <= status < 300:
            wa_message_id = _accepted_message_id(data)
            if wa_message_id or (isinstance(data, dict) and data.get("success") is True):
                return SendResult(True, wa_message_id, status, None, SENT)
            # Not the documented answer (a proxy page?): Meta did not say it took the message.
            error = ApiError(None, "Unexpected response", _snippet(content), None)
            return SendResult(False, None, status, error, RETRY)
        error = _graph_error(data, status, content)
        return SendResult(
            False,
            None,
            status,
            error,
            classify_error(status, error.code),
            _retry_after(response.headers.get("Retry-After")),
        )

    def mark_read(self, wa_message_id: str) -> SendResult:
        """Blue ticks on an inbound message."""
        try:
            payload = read_receipt(wa_message_id)
        except ValueError as error:
            return SendResult(False, None, None, _local_error("Invalid message id", error), FAILED)
        return self.send(payload)

    # ------------------------------------------------------------------ templates

    def list_templates(self, waba_id: str, *, page_size: int = 100, max_pages: int = 50) -> list[dict]:
        """Every message template of a WhatsApp Business Account, page by page; raises ``CloudApiError``.

        Pages are followed by their ``after`` cursor on our own URL, never by the ``next`` URL Meta
        sends (the token goes only where the allow-list lets it).
        """
        if not isinstance(waba_id, str) or not _SAFE_ID_RE.fullmatch(waba_id):
            raise ValueError(f"invalid WhatsApp Business Account id {waba_id!r}")
        url = f"{self.graph_url}/{waba_id}/message_templates"
        params = {"fields": "id,name,language,category,status,quality_score,components", "limit": page_size}
        templates: list[dict] = []
        for _page in range(max_pages):
            status, data, content = self._get_json(url, params)
            if not isinstance(data, dict) or not isinstance(data.get("data"), list):
                raise CloudApiError(ApiError(None, "Unexpected response", _snippet(content), None), status, RETRY)
            templates.extend(item for item in data["data"] if isinstance(item, dict))
            paging = data.get("paging") if isinstance(data.get("paging"), dict) else {}
            cursors = paging.get("cursors") if isinstance(paging.get("cursors"), dict) else {}
            after = _string(cursors.get("after"))
            if not after or not paging.get("next"):
                break
            params = {**params, "after": after}
        return templates

    def _get_json(self, url: str, params: dict | None = None) -> tuple[int, object, bytes]:
        """GET ``url``: (status, its JSON or None, the raw bytes); a transport error or a non-2xx answer raises."""
        try:
            response = self._request("GET", url, params=params, headers=self._headers())
            with response:
                content = _read_limited(response, _RESPONSE_LIMIT)
        except _TRANSPORT_ERRORS as error:
            raise CloudApiError(_transport_error(error), None, RETRY) from None
        status = response.status_code
        data = _json_or_none(content)
        if not 200 <= status < 300:
            error = _graph_error(data, status, content)
            raise CloudApiError(error, status, classify_error(status, error.code))
        return status, data, content

    # ------------------------------------------------------------------ media

    def get_media(self, media_id: str) -> MediaInfo:
        """The short-lived download URL and metadata of an inbound media id."""
        if not isinstance(media_id, str) or not _SAFE_ID_RE.fullmatch(media_id):
            raise CloudApiError(ApiError(None, "Invalid media id", repr(media_id)[:100], None))
        status, data, content = self._get_json(f"{self.graph_url}/{media_id}")
        url = data.get("url") if isinstance(data, dict) else None
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
            raise CloudApiError(ApiError(None, "Unexpected response", _snippet(content), None), status)
        return MediaInfo(
            url=url,
            mime_type=_string(data.get("mime_type")),
            sha256=_string(data.get("sha256")),
            file_size=_size(data.get("file_size")),
        )

    def download_media(self, url: str, *, max_bytes: int, max_seconds: float = 120.0) -> bytes:
        """The media bytes, streamed with the bearer token; stops past ``max_bytes``."""
        scheme = urlsplit(url).scheme if isinstance(url, str) else ""
        if scheme not in ("http", "https"):
            raise CloudApiError(ApiError(None, "Invalid media URL", repr(url)[:200], None))
        if scheme == "http" and self.graph_url.startswith("https:"):
            # The token must not travel in clear text just because a webhook said so.
            raise CloudApiError(ApiError(None, "Insecure media URL", url[:200], None))
        if not media_url_allowed(url, self._media_prefixes):
            # Only Meta's media hosts get the bearer token, whatever a Graph answer says.
            raise CloudApiError(ApiError(None, "Media URL not allowed", url[:200], None))
        deadline = time.monotonic() + max_seconds
        try:
            response = self._request("GET", url, headers=self._headers())
            with response:
                status = response.status_code
                if not 200 <= status < 300:
                    content = _read_limited(response, _RESPONSE_LIMIT)
                    error = _graph_error(_json_or_none(content), status, content)
                    raise CloudApiError(error, status, classify_error(status, error.code))
                declared = _size(response.headers.get("Content-Length"))
                if declared is not None and declared > max_bytes:
                    raise MediaTooLarge(max_bytes, declared)
                chunks = []
                received = 0
                for chunk in response.iter_content(_CHUNK):
                    received += len(chunk)
                    if received > max_bytes:
                        raise MediaTooLarge(max_bytes, declared)
                    if time.monotonic() > deadline:
                        error = ApiError(None, "Timeout", f"download slower than {max_seconds} s", None)
                        raise CloudApiError(error, status, RETRY)
                    chunks.append(chunk)
        except _TRANSPORT_ERRORS as error:
            raise CloudApiError(_transport_error(error), None, RETRY) from None
        return b"".join(chunks)

    def _request(self, method: str, url: str, **kwargs) -> requests.Response:
        # No redirects: a 3xx is an answer like any other, so no request reaches a host we did not check.
        return self.session.request(method, url, timeout=self.timeout, stream=True, allow_redirects=False, **kwargs)

    def _headers(self, *, json_body: bool = False) -> dict:
        headers = {"Authorization": f"Bearer {self._access_token}"}
        if json_body:
            headers["Content-Type"] = "application/json"
        return headers


_TRANSPORT_ERRORS = (requests.RequestException, OSError, HTTPException, Urllib3Error)


def _read_limited(response: requests.Response, limit: int) -> bytes:
    content = bytearray()
    for chunk in response.iter_content(_CHUNK):
        content += chunk
        if len(content) > limit:
            break
    return bytes(content[:limit])


def _json_or_none(content: bytes) -> object:
    try:
        return json.loads(content)
    except (ValueError, RecursionError):
        return None


def _accepted_message_id(data: object) -> str | None:
    messages = data.get("messages") if isinstance(data, dict) else None
    first = messages[0] if isinstance(messages, list) and messages else None
    wa_message_id = first.get("id") if isinstance(first, dict) else None
    return wa_message_id if isinstance(wa_message_id, str) and wa_message_id else None


def _graph_error(data: object, status: int, content: bytes) -> ApiError:
    error = ApiError.from_dict(data.get("error")) if isinstance(data, dict) else None
    return error or ApiError(None, f"HTTP {status}", _snippet(content), None)


def _transport_error(error: Exception) -> ApiError:
    title = "Timeout" if isinstance(error, requests.Timeout) else "Network error"
    return ApiError(None, title, f"{type(error).__name__}: {str(error)[:300]}", None)


def _local_error(title: str, error: Exception) -> ApiError:
    return ApiError(None, title, str(error)[:300], None)


def _snippet(content: bytes) -> str:
    text = content[:300].decode("utf-8", "replace")
    return " ".join(text.split()) or "(empty body)"


def _string(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _size(value: object) -> int | None:
    """A byte count given as a number or a digit string (providers differ)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdecimal() and value.isascii() and len(value) <= 18:
        return int(value)
    return None


def _retry_after(value: object) -> float | None:
    if isinstance(value, str) and value.strip().isdecimal() and len(value) <= 6:
        return float(value)
    return None
