"""Which URLs the addon may call: the Graph API allow-list and Meta's media hosts (no server-side request forgery).

A WhatsApp account's ``graph_url`` must start with a prefix of the allow-list (the system parameter
``mp15_grievance.graph_url_allowlist``, comma-separated). Media is downloaded only from Meta's media
hosts over https, or from an allow-listed prefix (tests and the simulator). A URL that hides another
host behind user info (``http://127.0.0.1:80@evil.example/``), a backslash or a control character
never matches, whatever its prefix.
"""

from urllib.parse import urlsplit

GRAPH_URL_ALLOWLIST_PARAM = "mp15_grievance.graph_url_allowlist"  # the system parameter (DESIGN §4)
DEFAULT_GRAPH_URL_ALLOWLIST = ("https://graph.facebook.com/",)
# Hosts (and their subdomains) that Graph API's media URLs point at: lookaside.fbsbx.com today,
# CDN hosts under fbcdn.net / whatsapp.net, and facebook.com itself.
META_MEDIA_DOMAINS = ("fbcdn.net", "fbsbx.com", "whatsapp.net", "facebook.com")


def parse_allowlist(value):
    """The prefixes of a comma-separated allow-list (blanks dropped), in order, without duplicates."""
    prefixes = (part.strip() for part in (value or "").split(","))
    return tuple(dict.fromkeys(prefix for prefix in prefixes if prefix))


def _split(url):
    """``urlsplit(url)`` when ``url`` is a plain http(s) URL whose host is what it seems, else None."""
    if not isinstance(url, str) or not url or len(url) > 2048:
        return None
    if "\\" in url or any(ord(char) <= 0x20 or ord(char) == 0x7F for char in url):
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or "@" in parts.netloc:
        return None
    try:
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return None
    return parts if parts.hostname else None


def url_allowed(url, prefixes):
    """Whether ``url`` starts with one of ``prefixes`` and is on that prefix's very host and scheme."""
    parts = _split(url)
    if parts is None:
        return False
    for prefix in prefixes or ():
        prefix = (prefix or "").strip()
        if not prefix or not url.startswith(prefix):
            continue
        allowed = urlsplit(prefix)
        if allowed.scheme == parts.scheme and allowed.hostname == parts.hostname:
            return True
    return False


def is_meta_media_url(url):
    """Whether ``url`` is an https URL on one of Meta's media hosts, on the default port."""
    parts = _split(url)
    if parts is None or parts.scheme != "https" or parts.port not in (None, 443):
        return False
    host = parts.hostname.rstrip(".")
    return any(host == domain or host.endswith("." + domain) for domain in META_MEDIA_DOMAINS)


def media_url_allowed(url, prefixes=()):
    """Whether a media download may go to ``url``: one of Meta's media hosts, or an allow-listed prefix."""
    return is_meta_media_url(url) or url_allowed(url, prefixes)
