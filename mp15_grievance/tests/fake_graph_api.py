"""A fake WhatsApp Graph API: a real HTTP server on 127.0.0.1 for tests and benchmarks.

No Odoo import: pure tests, Odoo tests and benchmarks all use it. It answers with
the shapes of the fixtures in ``fixtures/whatsapp/`` (copied byte for byte from the
project's shared fixtures, so a clean clone has them)::

    with FakeGraphApi() as graph:
        client = CloudApiClient(graph.graph_url, graph.phone_number_id, graph.access_token)
        graph.queue_responses(ScriptedResponse.fixture("send_error_130429.json", status=429))
        client.send(payload)          # -> retry
        client.send(payload)          # -> sent, with a fresh wamid
        graph.sent_messages           # the JSON payloads received

Routes (an optional ``/v<major>.<minor>`` prefix is ignored):
``POST /{phone_number_id}/messages`` (messages and read receipts), ``GET /{media_id}``
(media URL), ``GET /media-download/{media_id}`` (media bytes). Every route checks
``Authorization: Bearer <access_token>`` and answers a wrong token with the 190 error.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures" / "whatsapp"
DEFAULT_PHONE_NUMBER_ID = "106540352242922"
DEFAULT_ACCESS_TOKEN = "fake-graph-access-token"
ROUTES = ("messages", "media", "download")
MAX_REQUEST_BYTES = 10 * 1024 * 1024

_VERSION_PREFIX_RE = re.compile(r"^/v\d+\.\d+(?=/)")


def fixture_bytes(name: str) -> bytes:
    """The exact bytes of a fixture file (sign these, never a re-serialisation)."""
    if Path(name).name != name:
        raise ValueError(f"fixture name must be a bare file name, got {name!r}")
    return (FIXTURES_DIR / name).read_bytes()


def load_fixture(name: str) -> dict | bytes:
    """A ``.json`` fixture parsed, any other fixture as bytes."""
    content = fixture_bytes(name)
    return json.loads(content) if name.endswith(".json") else content


@dataclass(frozen=True)
class ScriptedResponse:
    """The next answer of a route. ``body=None`` keeps the normal answer (useful with ``delay``)."""

    status: int = 200
    body: bytes | None = None
    content_type: str = "application/json"
    delay: float = 0.0
    headers: tuple[tuple[str, str], ...] = ()  # extra headers, e.g. (("Retry-After", "30"),)
    chunked: bool = False  # no Content-Length: the client must count the bytes itself

    @classmethod
    def fixture(cls, name: str, status: int = 400, delay: float = 0.0) -> ScriptedResponse:
        return cls(status, fixture_bytes(name), "application/json", delay)

    @classmethod
    def json(cls, data: object, status: int = 200, delay: float = 0.0) -> ScriptedResponse:
        return cls(status, json.dumps(data).encode(), "application/json", delay)

    @classmethod
    def raw(cls, body: bytes, status: int, content_type: str = "text/html; charset=utf-8") -> ScriptedResponse:
        return cls(status, body, content_type)

    @classmethod
    def timeout(cls, seconds: float) -> ScriptedResponse:
        """Answer normally, but only after ``seconds``: longer than the client's timeout."""
        return cls(delay=seconds)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # as received, with the query string
    route: str | None  # "messages", "media", "download" or None
    headers: dict  # lower-case names
    body: bytes
    json: object  # the parsed body, or None
    status: int  # what the fake answered
    received_at: float = 0.0  # time.monotonic() when the whole request had been read


@dataclass
class _Media:
    content: bytes
    mime_type: str
    file_size_as_string: bool = False


@dataclass
class _State:
    requests: list[RecordedRequest] = field(default_factory=list)
    queues: dict = field(default_factory=lambda: {route: deque() for route in ROUTES})
    media: dict = field(default_factory=dict)
    wamids: list[str] = field(default_factory=list)


class FakeGraphApi:
    def __init__(
        self,
        *,
        access_token: str | None = DEFAULT_ACCESS_TOKEN,
        phone_number_id: str = DEFAULT_PHONE_NUMBER_ID,
        api_version: str = "v21.0",
    ):
        self.access_token = access_token  # None: accept any token
        self.phone_number_id = phone_number_id
        self.api_version = api_version
        self._lock = threading.Lock()
        self._state = _State()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeGraphApi:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.fake = self
        self._server = server
        self._stopping.clear()
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="fake-graph-api", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes delayed answers
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeGraphApi:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake Graph API is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def graph_url(self) -> str:
        """What an account's ``graph_url`` should be set to."""
        return f"{self.base_url}/{self.api_version}"

    # ------------------------------------------------------------------ scripting

    def queue_responses(self, *responses: ScriptedResponse, route: str = "messages") -> None:
        """The next answers of ``route`` in order; afterwards the route answers normally again."""
        if route not in ROUTES:
            raise ValueError(f"route must be one of {ROUTES}")
        with self._lock:
            self._state.queues[route].extend(responses)

    def add_media(self, media_id: str, content: bytes, mime_type: str, *, file_size_as_string: bool = False) -> None:
        with self._lock:
            self._state.media[media_id] = _Media(bytes(content), mime_type, file_size_as_string)

    def reset(self) -> None:
        """Forget requests, scripted answers and media."""
        with self._lock:
            self._state = _State()

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._state.requests)

    @property
    def sent_messages(self) -> list[dict]:
        """Payloads the fake accepted (2xx) on /messages, read receipts included, in order.

        Refused or scripted-error requests are only in ``requests``.
        """
        return [
            request.json
            for request in self.requests
            if request.route == "messages" and 200 <= request.status < 300 and isinstance(request.json, dict)
        ]

    @property
    def issued_wamids(self) -> list[str]:
        """The wamids handed out in accepted-send answers, in order."""
        with self._lock:
            return list(self._state.wamids)

    # ------------------------------------------------------------------ answering (server threads)

    def _next_scripted(self, route: str | None) -> ScriptedResponse | None:
        if route is None:
            return None
        with self._lock:
            queue = self._state.queues[route]
            return queue.popleft() if queue else None

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._state.requests.append(request)

    def _new_wamid(self, to: str) -> str:
        user = (to.removeprefix("+") if to.removeprefix("+").isdigit() else "0").encode()
        message_id = secrets.token_hex(9).upper().encode()
        # Same layout as Meta's outbound wamids (see the fixtures' README).
        raw = b"\x1c\x18" + bytes([len(user)]) + user + b"\x15\x02\x00\x11\x18"
        raw += bytes([len(message_id)]) + message_id + b"\x00"
        wamid = "wamid." + base64.b64encode(raw).decode()
        with self._lock:
            self._state.wamids.append(wamid)
        return wamid

    def _answer(self, method: str, route: str | None, resource: str, payload: object) -> tuple:
        """(status, body bytes, content type) of the normal answer."""
        if route == "messages" and method == "POST":
            if resource != self.phone_number_id:
                return _graph_error(
                    400, 100, f"Unsupported post request. Object with ID '{resource}' does not exist", 33
                )
            return self._answer_message(payload)
        if route == "media" and method == "GET":
            with self._lock:
                media = self._state.media.get(resource)
            if media is None:
                return _graph_error(
                    400, 100, f"Unsupported get request. Object with ID '{resource}' does not exist", 33
                )
            size = len(media.content)
            data = {
                "url": f"{self.base_url}/media-download/{resource}",
                "mime_type": media.mime_type,
                "sha256": hashlib.sha256(media.content).hexdigest(),
                "file_size": str(size) if media.file_size_as_string else size,
                "id": resource,
                "messaging_product": "whatsapp",
            }
            return 200, json.dumps(data).encode(), "application/json"
        if route == "download" and method == "GET":
            with self._lock:
                media = self._state.media.get(resource)
            if media is None:
                return 404, b"", "text/plain"
            return 200, media.content, media.mime_type
        return _graph_error(400, 2500, "Unknown path components")

    def _answer_message(self, payload: object) -> tuple:
        if not isinstance(payload, dict) or payload.get("messaging_product") != "whatsapp":
            return _graph_error(400, 100, "(#100) Invalid parameter", details="messaging_product is required")
        if payload.get("status") == "read":
            if not isinstance(payload.get("message_id"), str):
                return _graph_error(400, 100, "(#100) Invalid parameter", details="message_id is required")
            return 200, b'{"success": true}', "application/json"
        problem = _payload_problem(payload)
        if problem:
            return _graph_error(400, 131009, "(#131009) Parameter value is not valid", details=problem)
        to = payload["to"]
        if to.removeprefix("+").isdigit():
            contact = {"input": to, "wa_id": to.removeprefix("+")}
        else:  # a business-scoped user id
            contact = {"input": to, "wa_id": "", "user_id": to}
        data = {
            "messaging_product": "whatsapp",
            "contacts": [contact],
            "messages": [{"id": self._new_wamid(to)}],
        }
        return 200, json.dumps(data).encode(), "application/json"


def _graph_error(status: int, code: int, message: str, subcode: int | None = None, details: str = "") -> tuple:
    error: dict = {"message": message, "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    error["fbtrace_id"] = secrets.token_urlsafe(16)
    return status, json.dumps({"error": error}).encode(), "application/json"


def _too_long(value: object, limit: int) -> bool:
    return not isinstance(value, str) or not value or len(value) > limit


def _payload_problem(payload: dict) -> str | None:
    """The first Cloud API limit a send payload breaks (a subset of Meta's checks), else None."""
    to, message_type = payload.get("to"), payload.get("type")
    if not isinstance(to, str) or not to or not isinstance(message_type, str):
        return "'to' and 'type' are required"
    content = payload.get(message_type)
    if not isinstance(content, dict):
        return f"'{message_type}' object is required"
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
        buttons = action.get("buttons") or []
        replies = [button.get("reply") or {} for button in buttons]
        titles = [reply.get("title") for reply in replies]
        if not 1 <= len(buttons) <= 3:
            return "1 to 3 buttons are required"
        if any(_too_long(title, 20) for title in titles) or len(set(titles)) != len(titles):
            return "button titles must be unique and at most 20 characters"
        if any(_too_long(reply.get("id"), 256) for reply in replies):
            return "button ids must be 1 to 256 characters"
    elif kind == "list":
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
    elif kind == "location_request_message" and action.get("name") != "send_location":
        return "location request action must be send_location"
    return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes: avoid 40 ms stalls
    server_version = "FakeGraphApi/1.0"

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass

    def handle(self) -> None:
        with contextlib.suppress(OSError):  # the client gave up (timeout test) or we are stopping
            return super().handle()
        return None

    def _serve(self, method: str) -> None:
        fake: FakeGraphApi = self.server.fake
        length_header = self.headers.get("Content-Length") or "0"
        if not length_header.isdigit() or int(length_header) > MAX_REQUEST_BYTES:
            self.close_connection = True
            self._send(413 if length_header.isdigit() else 400, b"", "text/plain")
            return
        length = int(length_header)
        body = self.rfile.read(length) if length else b""
        received_at = time.monotonic()
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            payload = None
        route, resource = _route(method, urlsplit(self.path).path)

        delay, extra_headers, chunked = 0.0, (), False
        authorized = fake.access_token is None or (self.headers.get("Authorization") == f"Bearer {fake.access_token}")
        if not authorized:
            status, content = 401, fixture_bytes("send_error_190_token.json")
            content_type = "application/json"
        else:
            scripted = fake._next_scripted(route)
            if scripted is not None:
                delay, extra_headers, chunked = scripted.delay, scripted.headers, scripted.chunked
            if scripted is not None and scripted.body is not None:
                status, content, content_type = scripted.status, scripted.body, scripted.content_type
            else:
                status, content, content_type = fake._answer(method, route, resource, payload)
        fake._record(
            RecordedRequest(
                method=method,
                path=self.path,
                route=route,
                headers={name.lower(): value for name, value in self.headers.items()},
                body=body,
                json=payload,
                status=status,
                received_at=received_at,
            )
        )
        if delay and fake._stopping.wait(delay):
            return  # the fake is stopping: drop the late answer
        self._send(status, content, content_type, extra_headers, chunked)

    def _send(self, status: int, content: bytes, content_type: str, extra_headers=(), chunked: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in extra_headers:
            self.send_header(name, value)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(content), 8192):
                piece = content[start : start + 8192]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)


def _route(method: str, path: str) -> tuple[str | None, str]:
    path = _VERSION_PREFIX_RE.sub("", path)
    parts = [part for part in path.split("/") if part]
    if method == "POST" and len(parts) == 2 and parts[1] == "messages":
        return "messages", parts[0]
    if method == "GET" and len(parts) == 2 and parts[0] == "media-download":
        return "download", parts[1]
    if method == "GET" and len(parts) == 1:
        return "media", parts[0]
    return None, path
