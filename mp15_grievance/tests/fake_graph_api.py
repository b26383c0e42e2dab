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
(media URL), ``GET /media-download/{media_id}`` (media bytes), ``GET /{waba_id}/message_templates``
(the templates set by ``set_templates``, default ``DEFAULT_TEMPLATES``; paged by ``limit`` and ``after``).
Every route checks ``Authorization: Bearer <access_token>`` and answers a wrong token with the 190 error. The
answers' shapes (wamids, error bodies, media info) come from ``tools/graph_shapes.py``, which
the simulator addon's Graph routes answer with too.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import re
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit


def _load_graph_shapes():
    """``tools/graph_shapes.py``, the shapes this server answers with (shared with the simulator addon).

    Imported as part of the addon in Odoo tests; pure tests and benchmarks load this file by
    path (importing the addon would import Odoo), so they load the shapes by path too.
    """
    if __package__:
        from ..tools import graph_shapes

        return graph_shapes
    name = "mp15_graph_shapes"
    if name not in sys.modules:
        path = Path(__file__).resolve().parent.parent / "tools" / "graph_shapes.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


graph_shapes = _load_graph_shapes()

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures" / "whatsapp"
DEFAULT_PHONE_NUMBER_ID = "106540352242922"
DEFAULT_ACCESS_TOKEN = "fake-graph-access-token"
ROUTES = ("messages", "media", "download", "templates")
# What GET /{waba_id}/message_templates answers unless a test sets others (Meta's shape).
DEFAULT_TEMPLATES = (
    {
        "id": "1000000000000001",
        "name": "grievance_status_update",
        "language": "hi",
        "category": "UTILITY",
        "status": "APPROVED",
        "quality_score": {"score": "GREEN"},
        "components": [{"type": "BODY", "text": "आपकी शिकायत {{1}} की स्थिति: {{2}}। देखें: {{3}}"}],
    },
    {
        "id": "1000000000000002",
        "name": "grievance_feedback",
        "language": "hi",
        "category": "UTILITY",
        "status": "APPROVED",
        "quality_score": {"score": "GREEN"},
        "components": [{"type": "BODY", "text": "शिकायत {{1}} पर आपकी राय दें: {{2}}"}],
    },
    {
        "id": "1000000000000003",
        "name": "water_supply_notice",
        "language": "hi",
        "category": "UTILITY",
        "status": "APPROVED",
        "quality_score": {"score": "GREEN"},
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "नगर निगम सागर"},
            {"type": "BODY", "text": "वार्ड {{1}} में {{2}} को पानी की सप्लाई बंद रहेगी। कारण: {{3}}"},
        ],
    },
    {
        "id": "1000000000000004",
        "name": "water_supply_notice",
        "language": "en",
        "category": "UTILITY",
        "status": "APPROVED",
        "quality_score": {"score": "UNKNOWN"},
        "components": [{"type": "BODY", "text": "Water supply in ward {{1}} will be off on {{2}}. Reason: {{3}}"}],
    },
    {
        "id": "1000000000000005",
        "name": "scheme_announcement",
        "language": "hi",
        "category": "MARKETING",
        "status": "APPROVED",
        "quality_score": {"score": "YELLOW"},
        "components": [{"type": "BODY", "text": "नगर निगम सागर की नई योजना: {{1}}"}],
    },
    {
        "id": "1000000000000006",
        "name": "property_tax_rebate",
        "language": "hi",
        "category": "MARKETING",
        "status": "REJECTED",
        "components": [{"type": "BODY", "text": "संपत्ति कर में छूट {{1}} तक"}],
    },
)
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
    templates: list = field(default_factory=lambda: [dict(item) for item in DEFAULT_TEMPLATES])


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

    def set_templates(self, templates) -> None:
        """What ``GET /{waba_id}/message_templates`` lists from now on (dicts shaped as Meta's)."""
        with self._lock:
            self._state.templates = [dict(item) for item in templates]

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

    def _answer(self, method: str, route: str | None, resource: str, payload: object, query: str = "") -> tuple:
        """(status, body bytes, content type) of the normal answer."""
        if route == "templates":
            return self._answer_templates(query)
        if route == "messages" and method == "POST":
            if resource != self.phone_number_id:
                return _json(400, graph_shapes.unknown_object(method, resource))
            return self._answer_message(payload)
        if route == "media" and method == "GET":
            with self._lock:
                media = self._state.media.get(resource)
            if media is None:
                return _json(400, graph_shapes.unknown_object(method, resource))
            url = f"{self.base_url}/media-download/{resource}"
            info = graph_shapes.media_info(
                resource, url, media.mime_type, media.content, file_size_as_string=media.file_size_as_string
            )
            return _json(200, info)
        if route == "download" and method == "GET":
            with self._lock:
                media = self._state.media.get(resource)
            if media is None:
                return 404, b"", "text/plain"
            return 200, media.content, media.mime_type
        return _json(400, graph_shapes.unknown_path())

    def _answer_templates(self, query: str) -> tuple:
        """One page of templates, with Meta's cursor paging (``after`` is the index of the next one)."""
        params = parse_qs(query)
        limit = int((params.get("limit") or ["25"])[0])
        start = int((params.get("after") or ["0"])[0])
        with self._lock:
            templates = list(self._state.templates)
        page = templates[start : start + limit]
        body = {"data": page, "paging": {"cursors": {"before": str(start), "after": str(start + len(page))}}}
        if start + len(page) < len(templates):
            body["paging"]["next"] = f"{self.base_url}/{self.api_version}/message_templates?after={start + len(page)}"
        return _json(200, body)

    def _answer_message(self, payload: object) -> tuple:
        problem = graph_shapes.send_problem(payload)
        if problem:
            return _json(400, problem)
        if payload.get("status") == "read":
            return _json(200, graph_shapes.read_accepted())
        accepted = graph_shapes.send_accepted(payload["to"])
        with self._lock:
            self._state.wamids.append(accepted["messages"][0]["id"])
        return _json(200, accepted)


def _json(status: int, data: dict) -> tuple:
    return status, json.dumps(data).encode(), "application/json"


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
        url = urlsplit(self.path)
        route, resource = _route(method, url.path)

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
                status, content, content_type = fake._answer(method, route, resource, payload, url.query)
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
    if method == "GET" and len(parts) == 2 and parts[1] == "message_templates":
        return "templates", parts[0]
    if method == "GET" and len(parts) == 1:
        return "media", parts[0]
    return None, path
