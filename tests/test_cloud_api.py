"""The Cloud API client against a real local HTTP server speaking the Graph API fixtures."""

import base64
import hashlib
import json
import socket
import time

import pytest

from mp15_grievance.tests import fake_graph_api
from mp15_grievance.tools import messages
from mp15_grievance.tools.cloud_api import (
    AUTH,
    BLOCKED,
    FAILED,
    MAX_ATTEMPTS,
    RETRY,
    SENT,
    WINDOW_CLOSED,
    CloudApiClient,
    CloudApiError,
    MediaInfo,
    MediaTooLarge,
    backoff_delay,
    classify_error,
)
from mp15_grievance.tools.webhook import extract_events, parse_body

ScriptedResponse = fake_graph_api.ScriptedResponse
TO = "919876543210"
HTML_502 = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"


@pytest.fixture
def graph():
    with fake_graph_api.FakeGraphApi() as server:
        yield server


@pytest.fixture
def client(graph):
    with CloudApiClient(graph.graph_url, graph.phone_number_id, graph.access_token, timeout=(2, 1)) as api:
        yield api


# --------------------------------------------------------------------------- sending


def test_send_text_is_accepted_with_a_fresh_wamid_and_the_exact_request(graph, client):
    payload = messages.text_message(TO, "आपकी शिकायत SNN-2025-004172 दर्ज हो गई है")
    first = client.send(payload)
    second = client.send(payload)
    assert (first.ok, first.disposition, first.http_status, first.error) == (True, SENT, 200, None)
    assert first.wa_message_id.startswith("wamid.") and first.wa_message_id != second.wa_message_id
    assert graph.issued_wamids == [first.wa_message_id, second.wa_message_id]
    # The fake builds wamids like Meta's outbound ones: the citizen's number is inside.
    assert b"919876543210" in base64.b64decode(first.wa_message_id.removeprefix("wamid."))
    request = graph.requests[0]
    assert (request.method, request.path) == ("POST", "/v21.0/106540352242922/messages")
    assert request.headers["authorization"] == f"Bearer {graph.access_token}"
    assert request.headers["content-type"] == "application/json"
    assert request.json == payload
    assert graph.sent_messages == [payload, payload]


def test_every_builder_payload_is_accepted_by_the_fake_graph_api(graph, client):
    rows = [messages.Row(f"cat_{index}", f"श्रेणी {index}", "विवरण " * 20) for index in range(10)]
    payloads = [
        messages.text_message(TO, "x" * 5000),
        messages.buttons_message(TO, "ब" * 2000, [("a", "हाँ, दर्ज करें"), ("b", "नहीं"), ("c", "बाद में देखेंगे अभी नहीं")]),
        messages.list_message(TO, "श्रेणी चुनें", "सभी श्रेणियाँ देखें यहाँ", [("पहला खंड", rows[:5]), ("दूसरा", rows[5:])]),
        messages.location_request_message(TO, "कृपया स्थान भेजें"),
        messages.template_message(TO, "grievance_status_update", "hi", ["SNN-2025-004172", "समाधान"]),
    ]
    results = [client.send(payload) for payload in payloads]
    assert [result.disposition for result in results] == [SENT] * len(payloads)


def test_fake_graph_api_refuses_payloads_over_the_limits_like_meta(client):
    payload = messages.buttons_message(TO, "body", [("a", "A")])
    payload["interactive"]["action"]["buttons"][0]["reply"]["title"] = "x" * 21
    result = client.send(payload)
    assert (result.ok, result.disposition, result.http_status, result.error.code) == (
        False,
        FAILED,
        400,
        131009,
    )


def test_mark_read_sends_a_read_receipt(graph, client):
    result = client.mark_read("wamid.HBgMOTE5ODc2NTQzMjEwFQIAEhgUM0E3NkI4RTBCNzJGRThDOUE2NzkA")
    assert (result.ok, result.disposition, result.wa_message_id) == (True, SENT, None)
    assert graph.sent_messages[0]["status"] == "read"
    assert client.mark_read("").disposition == FAILED


@pytest.mark.parametrize(
    ("scripted", "disposition", "code"),
    [
        (ScriptedResponse.fixture("send_error_130429.json", status=429), RETRY, 130429),
        (ScriptedResponse.fixture("send_error_130429.json", status=400), RETRY, 130429),  # key on the code
        (ScriptedResponse.fixture("send_error_131026.json", status=400), FAILED, 131026),
        (ScriptedResponse.fixture("send_error_131047.json", status=400), WINDOW_CLOSED, 131047),
        (ScriptedResponse.fixture("send_error_190_token.json", status=401), AUTH, 190),
        (ScriptedResponse.fixture("send_error_190_token.json", status=400), AUTH, 190),
        (
            ScriptedResponse.json({"error": {"message": "(#131000) Something went wrong", "code": 131000}}, 500),
            RETRY,
            131000,
        ),
        (
            ScriptedResponse.json({"error": {"message": "(#131056) Pair rate limit", "code": 131056}}, 400),
            RETRY,
            131056,
        ),
        (
            ScriptedResponse.json({"error": {"message": "(#368) Temporarily blocked", "code": 368}}, 403),
            BLOCKED,
            368,
        ),
        (
            ScriptedResponse.json({"error": {"message": "(#131031) Account locked", "code": 131031}}, 400),
            BLOCKED,
            131031,
        ),
        (
            ScriptedResponse.json({"error": {"message": "(#100) Invalid parameter", "code": 100}}, 400),
            FAILED,
            100,
        ),
        (ScriptedResponse.json({"error": {"message": "(#999999) New", "code": 999999}}, 400), FAILED, 999999),
        (ScriptedResponse.json({"error": {"message": "(#999999) New", "code": 999999}}, 503), RETRY, 999999),
        (ScriptedResponse.json({"error": {"message": "odd", "code": "131047"}}, 400), WINDOW_CLOSED, 131047),
        (ScriptedResponse.raw(HTML_502, 502), RETRY, None),
        (ScriptedResponse.raw(b"", 500), RETRY, None),
        (ScriptedResponse.raw(b"Unauthorized", 401, "text/plain"), AUTH, None),
        (ScriptedResponse.raw(b"Not Found", 404, "text/plain"), FAILED, None),
        (ScriptedResponse.json({"error": "a string, not an object"}, 400), FAILED, None),
        (ScriptedResponse.json([1, 2, 3], 429), RETRY, None),
    ],
)
def test_errors_are_classified_not_raised(graph, client, scripted, disposition, code):
    graph.queue_responses(scripted)
    result = client.send(messages.text_message(TO, "hello"))
    assert (result.ok, result.wa_message_id) == (False, None)
    assert result.disposition == disposition
    assert result.http_status == scripted.status
    assert result.error.code == code
    assert client.send(messages.text_message(TO, "hello")).disposition == SENT  # scripts are one-shot


def test_graph_error_fields_are_read_with_and_without_error_data(graph, client):
    graph.queue_responses(
        ScriptedResponse.fixture("send_error_131026.json"),
        ScriptedResponse.fixture("send_error_190_token.json", 401),
    )
    undeliverable = client.send(messages.text_message(TO, "x")).error
    assert (undeliverable.title, undeliverable.details) == ("Message undeliverable", "Message Undeliverable.")
    assert undeliverable.fbtrace_id == "A0zirVNL4GU3wodpcLg8Ah0"
    expired = client.send(messages.text_message(TO, "x")).error
    assert expired.details is None and expired.subcode == 463
    assert expired.message.startswith("Error validating access token: Session has expired")


def test_html_502_keeps_a_readable_snippet(graph, client):
    graph.queue_responses(ScriptedResponse.raw(HTML_502, 502))
    error = client.send(messages.text_message(TO, "x")).error
    assert error.title == "HTTP 502" and "502 Bad Gateway" in error.message


def test_retry_after_header_is_reported(graph, client):
    body = fake_graph_api.fixture_bytes("send_error_130429.json")
    graph.queue_responses(ScriptedResponse(status=429, body=body, headers=(("Retry-After", "30"),)))
    result = client.send(messages.text_message(TO, "x"))
    assert (result.disposition, result.retry_after) == (RETRY, 30.0)


def test_timeout_is_a_retry_and_returns_promptly(graph, client):
    graph.queue_responses(ScriptedResponse.timeout(5))
    started = time.monotonic()
    result = client.send(messages.text_message(TO, "x"))
    assert time.monotonic() - started < 3
    assert (result.ok, result.disposition, result.http_status) == (False, RETRY, None)
    assert result.error.title == "Timeout"


def test_unexpected_2xx_body_is_a_retry_not_a_success(graph, client):
    graph.queue_responses(ScriptedResponse.raw(b"<html>captive portal</html>", 200))
    result = client.send(messages.text_message(TO, "x"))
    assert (result.ok, result.disposition, result.error.title) == (False, RETRY, "Unexpected response")


def test_wrong_token_is_answered_with_190_and_classified_auth(graph):
    with CloudApiClient(graph.graph_url, graph.phone_number_id, "expired-token", timeout=(2, 1)) as api:
        result = api.send(messages.text_message(TO, "x"))
    assert (result.disposition, result.http_status, result.error.code) == (AUTH, 401, 190)
    assert [request.status for request in graph.requests] == [401]
    assert graph.sent_messages == [] and graph.issued_wamids == []


def test_unknown_phone_number_id_fails_with_graph_error_100(graph):
    with CloudApiClient(graph.graph_url, "999", graph.access_token, timeout=(2, 1)) as api:
        result = api.send(messages.text_message(TO, "x"))
    assert (result.disposition, result.error.code, result.error.subcode) == (FAILED, 100, 33)


def test_network_errors_are_retries_and_never_leak_the_token():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again below: nothing listens there
    with CloudApiClient(f"http://127.0.0.1:{port}/v21.0", "106540352242922", "SECRET-TOKEN-123") as api:
        result = api.send(messages.text_message(TO, "x"))
        assert (result.ok, result.disposition, result.http_status) == (False, RETRY, None)
        assert result.error.title == "Network error"
        assert "SECRET-TOKEN-123" not in repr(result) + repr(api)
        with pytest.raises(CloudApiError) as raised:
            api.get_media("1078521379481984")
        assert raised.value.disposition == RETRY and "SECRET-TOKEN-123" not in str(raised.value)


def test_unserialisable_payload_fails_without_a_request(graph, client):
    result = client.send({"messaging_product": "whatsapp", "to": TO, "bad": float("nan")})
    assert (result.ok, result.disposition) == (False, FAILED)
    assert graph.requests == []


@pytest.mark.parametrize(
    ("graph_url", "phone_number_id", "timeout"),
    [
        ("ftp://graph", "1", 5),
        ("", "1", 5),
        ("https://graph.facebook.com/v21.0", "1/../2", 5),
        ("https://g", "1", None),
    ],
)
def test_client_refuses_bad_configuration(graph_url, phone_number_id, timeout):
    with pytest.raises(ValueError):
        CloudApiClient(graph_url, phone_number_id, "token", timeout=timeout)


# --------------------------------------------------------------------------- media


def test_media_from_an_inbound_image_webhook_is_looked_up_and_downloaded(graph, client):
    (message,) = extract_events(parse_body(fake_graph_api.fixture_bytes("inbound_image.json"))).messages
    photo = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 700 + b"\xff\xd9"
    graph.add_media(message.media_id, photo, "image/jpeg")
    info = client.get_media(message.media_id)
    assert info == MediaInfo(
        url=f"{graph.base_url}/media-download/1078521379481984",
        mime_type="image/jpeg",
        sha256=hashlib.sha256(photo).hexdigest(),
        file_size=len(photo),
    )
    assert client.download_media(info.url, max_bytes=len(photo)) == photo
    download = graph.requests[-1]
    assert download.route == "download" and download.headers["authorization"] == f"Bearer {graph.access_token}"


def test_media_lookup_accepts_file_size_as_a_string(graph, client):
    graph.add_media("42", b"ogg", "audio/ogg", file_size_as_string=True)
    assert client.get_media("42").file_size == 3
    media = json.loads(fake_graph_api.fixture_bytes("media_url_response.json"))
    graph.queue_responses(ScriptedResponse.json({**media, "file_size": "184327"}), route="media")
    assert client.get_media("1078521379481984").file_size == 184327


def test_media_too_large_is_refused_by_declared_size(graph, client):
    graph.add_media("7", b"x" * 10_000, "image/jpeg")
    with pytest.raises(MediaTooLarge) as raised:
        client.download_media(client.get_media("7").url, max_bytes=9_999)
    assert (raised.value.size, raised.value.max_bytes, raised.value.disposition) == (10_000, 9_999, FAILED)


def test_media_too_large_is_refused_while_streaming_without_content_length(graph, client):
    graph.add_media("8", b"", "video/mp4")
    url = client.get_media("8").url
    graph.queue_responses(
        ScriptedResponse(body=b"v" * 200_000, content_type="video/mp4", chunked=True), route="download"
    )
    with pytest.raises(MediaTooLarge):
        client.download_media(url, max_bytes=100_000)
    graph.queue_responses(
        ScriptedResponse(body=b"v" * 50_000, content_type="video/mp4", chunked=True), route="download"
    )
    assert client.download_media(url, max_bytes=100_000) == b"v" * 50_000


def test_media_errors_raise_cloud_api_error_with_the_graph_error(graph, client):
    with pytest.raises(CloudApiError) as unknown:
        client.get_media("404404")
    assert (unknown.value.error.code, unknown.value.disposition) == (100, FAILED)
    graph.queue_responses(ScriptedResponse.raw(HTML_502, 502), route="media")
    with pytest.raises(CloudApiError) as bad_gateway:
        client.get_media("1078521379481984")
    assert (bad_gateway.value.http_status, bad_gateway.value.disposition) == (502, RETRY)
    with pytest.raises(CloudApiError) as missing_file:
        client.download_media(f"{graph.base_url}/media-download/nothing", max_bytes=10)
    assert missing_file.value.http_status == 404
    graph.queue_responses(ScriptedResponse.json({"id": "1"}), route="media")
    with pytest.raises(CloudApiError, match="Unexpected response"):
        client.get_media("1078521379481984")


def test_media_download_with_a_wrong_token_is_auth(graph):
    graph.add_media("9", b"data", "image/png")
    api = CloudApiClient(graph.graph_url, graph.phone_number_id, "wrong", timeout=(2, 1))
    with api, pytest.raises(CloudApiError) as raised:
        api.download_media(f"{graph.base_url}/media-download/9", max_bytes=100)
    assert (raised.value.disposition, raised.value.error.code) == (AUTH, 190)


@pytest.mark.parametrize("media_id", ["../messages", "", "a/b", "1?x=2", None])
def test_unsafe_media_ids_are_refused_before_any_request(graph, client, media_id):
    with pytest.raises(CloudApiError, match="Invalid media id"):
        client.get_media(media_id)
    assert graph.requests == []


def test_token_is_not_sent_over_plain_http_when_the_graph_url_is_https(graph):
    with CloudApiClient("https://graph.facebook.com/v21.0", "106540352242922", "token") as api:
        with pytest.raises(CloudApiError, match="Insecure media URL"):
            api.download_media(f"{graph.base_url}/media-download/1", max_bytes=10)
        with pytest.raises(CloudApiError, match="Invalid media URL"):
            api.download_media("file:///etc/passwd", max_bytes=10)
    assert graph.requests == []


# --------------------------------------------------------------------------- retry policy


def test_backoff_doubles_from_base_up_to_the_cap():
    assert [backoff_delay(attempt) for attempt in range(1, MAX_ATTEMPTS + 1)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
    ]
    assert backoff_delay(0) == backoff_delay(-3) == 30
    assert backoff_delay(10**6) == 3600
    assert backoff_delay(2, base=5, cap=8) == 8


def test_backoff_jitter_is_deterministic_and_never_exceeds_the_cap():
    assert backoff_delay(3, jitter=0.5) == 120 * 0.75
    assert backoff_delay(20, jitter=0.999) < 3600
    assert backoff_delay(20, jitter=0.999) > 1800
    for bad in (1.0, -0.1):
        with pytest.raises(ValueError):
            backoff_delay(1, jitter=bad)


@pytest.mark.parametrize(
    ("http_status", "code", "disposition"),
    [
        (None, None, RETRY),
        (429, None, RETRY),
        (500, None, RETRY),
        (503, None, RETRY),
        (408, None, RETRY),
        (401, None, AUTH),
        (403, None, FAILED),
        (400, None, FAILED),
        (400, 1, RETRY),
        (400, 2, RETRY),
        (400, 4, RETRY),
        (400, 80007, RETRY),
        (400, 133016, RETRY),
        (400, 131049, FAILED),
        (400, 131051, FAILED),
        (400, 131052, FAILED),
        (400, 131053, FAILED),
        (403, 10, AUTH),
        (403, 200, AUTH),
        (500, 190, AUTH),
        (200, 131047, WINDOW_CLOSED),
    ],
)
def test_classification_table(http_status, code, disposition):
    assert classify_error(http_status, code) == disposition
