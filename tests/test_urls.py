"""Where the Cloud API client may send requests: the Graph URL allow-list, Meta's media hosts, no redirects."""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mp15_grievance.tools.cloud_api import CloudApiClient, CloudApiError, GraphUrlNotAllowed
from mp15_grievance.tools.urls import (
    DEFAULT_GRAPH_URL_ALLOWLIST,
    is_meta_media_url,
    media_url_allowed,
    parse_allowlist,
    url_allowed,
)

LOCAL = ("http://127.0.0.1:",)
# The media URL Graph returns for a media id (../shared/fixtures/whatsapp/media_url_response.json).
FIXTURE_MEDIA_URL = (
    "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1078521379481984&ext=1764649076"
    "&hash=ATpBq6VswAl5LgZTJ-rYt6-K-Yd4CI64QK8NmVcYOqaB_"
)


def test_the_allowlist_is_read_from_a_comma_separated_parameter():
    assert parse_allowlist(" https://graph.facebook.com/ ,, http://127.0.0.1:,https://graph.facebook.com/") == (
        "https://graph.facebook.com/",
        "http://127.0.0.1:",
    )
    assert parse_allowlist("") == ()
    assert parse_allowlist(None) == ()
    assert DEFAULT_GRAPH_URL_ALLOWLIST == ("https://graph.facebook.com/",)


@pytest.mark.parametrize(
    "url",
    [
        "https://graph.facebook.com/v21.0",
        "https://graph.facebook.com/v22.0/",
        "https://graph.facebook.com/",
    ],
)
def test_graph_urls_on_the_default_allowlist(url):
    assert url_allowed(url, DEFAULT_GRAPH_URL_ALLOWLIST)


@pytest.mark.parametrize(
    "url",
    [
        "http://graph.facebook.com/v21.0",  # clear text
        "https://graph.facebook.com.evil.example/v21.0",
        "https://graph.facebook.com@evil.example/v21.0",
        "https://evil.example/https://graph.facebook.com/",
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:8069/web",
        "file:///etc/passwd",
        "https://graph.facebook.com/v21.0\r\nHost: evil.example",
        "https://graph.facebook.com\\@evil.example/",
        " https://graph.facebook.com/v21.0",
        "",
        None,
        42,
    ],
)
def test_urls_off_the_default_allowlist(url):
    assert not url_allowed(url, DEFAULT_GRAPH_URL_ALLOWLIST)


def test_a_local_prefix_allows_any_local_port_but_no_other_host():
    assert url_allowed("http://127.0.0.1:8069/mp15/simulator/graph", LOCAL)
    assert url_allowed("http://127.0.0.1:41234/v21.0", LOCAL)
    assert not url_allowed("http://127.0.0.1:8069@evil.example/v21.0", LOCAL)
    assert not url_allowed("http://127.0.0.1:80.evil.example/v21.0", LOCAL)
    assert not url_allowed("https://127.0.0.1:8069/v21.0", LOCAL)  # another scheme than the prefix's
    assert not url_allowed("http://127.0.0.2:8069/v21.0", LOCAL)
    assert not url_allowed("http://127.0.0.1:8069/v21.0", ())
    assert not url_allowed("http://127.0.0.1:8069/v21.0", None)


@pytest.mark.parametrize(
    "url",
    [
        FIXTURE_MEDIA_URL,
        "https://mmg.whatsapp.net/v/t62.7118-24/12345_n.jpg?ccb=11-4&oh=01_Q5AaI&oe=6789ABCD",
        "https://scontent.xx.fbcdn.net/v/t1.0-9/photo.jpg",
        "https://lookaside.facebook.com/whatsapp_business/attachments/?mid=1",
        "https://fbsbx.com/x",
        "https://LOOKASIDE.FBSBX.COM/x",
        "https://lookaside.fbsbx.com:443/x",
    ],
)
def test_meta_media_hosts_are_allowed(url):
    assert is_meta_media_url(url)
    assert media_url_allowed(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1",  # clear text
        "https://lookaside.fbsbx.com:8443/x",
        "https://fbsbx.com.evil.example/x",
        "https://evilfbsbx.com/x",
        "https://lookaside.fbsbx.com@evil.example/x",
        "https://evil.example/lookaside.fbsbx.com/x",
        "https://evil.example/?u=https://lookaside.fbsbx.com/",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://127.0.0.1:5432/",
        "http://localhost:8069/web/database/manager",
        "https://graph.facebook.com.evil.example/",
        "ftp://lookaside.fbsbx.com/x",
        "",
        None,
    ],
)
def test_other_media_urls_are_refused(url):
    assert not media_url_allowed(url)


def test_media_from_an_allowlisted_prefix_is_allowed():
    assert media_url_allowed("http://127.0.0.1:8069/mp15/simulator/media/123", LOCAL)
    assert not media_url_allowed("http://127.0.0.1:8069@evil.example/media/123", LOCAL)


# --------------------------------------------------------------------------- the client


class _RedirectingServer:
    """A local server whose every path but /secret redirects to /secret, counting who came there."""

    def __init__(self):
        hits = self.secret_hits = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/secret":
                    hits.append(self.headers.get("Authorization"))
                    body = b"internal secret"
                    self.send_response(200)
                else:
                    body = b""
                    self.send_response(302)
                    self.send_header("Location", f"http://127.0.0.1:{self.server.server_address[1]}/secret")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.do_GET()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def test_a_graph_url_off_the_allowlist_is_refused_before_any_request():
    with pytest.raises(GraphUrlNotAllowed, match=re.escape("allowed prefixes https://graph.facebook.com/")):
        CloudApiClient(
            "http://169.254.169.254/v21.0",
            "106540352242922",
            "token",
            allowed_prefixes=("https://graph.facebook.com/",),
        )
    with pytest.raises(GraphUrlNotAllowed):
        CloudApiClient("http://127.0.0.1:8069/v21.0", "106540352242922", "token", allowed_prefixes=())
    client = CloudApiClient("http://127.0.0.1:8069/v21.0", "106540352242922", "token", allowed_prefixes=LOCAL)
    client.close()


def test_media_is_not_downloaded_from_hosts_a_graph_answer_names():
    meta = CloudApiClient(
        "https://graph.facebook.com/v21.0", "106540352242922", "token", allowed_prefixes=DEFAULT_GRAPH_URL_ALLOWLIST
    )
    with _RedirectingServer() as server, meta:
        for url in (
            "https://evil.example/photo.jpg",
            "https://lookaside.fbsbx.com.evil.example/x",
            f"{server.base_url.replace('http:', 'https:')}/secret",
        ):
            with pytest.raises(CloudApiError, match="Media URL not allowed"):
                meta.download_media(url, max_bytes=100)
    assert server.secret_hits == []


def test_without_an_allowlist_media_comes_only_from_meta_or_the_graph_urls_own_host():
    server, other = _RedirectingServer(), _RedirectingServer()
    with server, other, CloudApiClient(f"{server.base_url}/v21.0", "106540352242922", "token") as api:
        with pytest.raises(CloudApiError, match="Media URL not allowed"):
            api.download_media(f"{other.base_url}/secret", max_bytes=100)
        assert api.download_media(f"{server.base_url}/secret", max_bytes=100) == b"internal secret"
    assert other.secret_hits == []


def test_media_downloads_follow_no_redirect():
    server = _RedirectingServer()
    with server, CloudApiClient(f"{server.base_url}/v21.0", "106540352242922", "token", allowed_prefixes=LOCAL) as api:
        with pytest.raises(CloudApiError) as raised:
            api.download_media(f"{server.base_url}/media/1", max_bytes=100)
        assert raised.value.http_status == 302
        assert api.download_media(f"{server.base_url}/secret", max_bytes=100) == b"internal secret"
    assert server.secret_hits == ["Bearer token"], "only the direct request reached /secret"


def test_sends_follow_no_redirect():
    server = _RedirectingServer()
    with server, CloudApiClient(f"{server.base_url}/v21.0", "106540352242922", "token", allowed_prefixes=LOCAL) as api:
        result = api.mark_read("wamid.HBgMOTE5ODc2NTQzMjEwFQIAEhgUM0E3NkI4RTBCNzJGRThDOUE2NzkA")
    assert not result.ok
    assert result.http_status == 302
    assert server.secret_hits == []
