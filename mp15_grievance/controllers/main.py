from odoo import http
from odoo.http import request

from ..tools.webhook import MAX_BODY_BYTES

READ_CHUNK = 64 * 1024
PLAIN_TEXT = [("Content-Type", "text/plain; charset=utf-8")]
REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 413: "Payload Too Large", 415: "Unsupported Media Type"}


class WhatsappWebhook(http.Controller):
    """Meta's webhook: verify, store, acknowledge. Processing happens in a scheduled action."""

    @http.route("/mp15/whatsapp/webhook", type="http", auth="public", methods=["GET"], csrf=False, save_session=False)
    def verify(self, **params):
        challenge = request.env["mp15.whatsapp.account"]._webhook_handshake(params)
        if challenge is None:
            return _answer(403)
        return request.make_response(challenge, PLAIN_TEXT)

    @http.route("/mp15/whatsapp/webhook", type="http", auth="public", methods=["POST"], csrf=False, save_session=False)
    def receive(self, **_params):
        httprequest = request.httprequest
        length = httprequest.content_length
        if length is not None and length > MAX_BODY_BYTES:
            return _answer(413)
        if httprequest.mimetype != "application/json":
            return _answer(415)  # Meta posts JSON; a form body would already be consumed by Odoo's form parser
        raw_body = _read_at_most(httprequest, MAX_BODY_BYTES + 1)
        if len(raw_body) > MAX_BODY_BYTES:
            return _answer(413)
        signature = httprequest.headers.get("X-Hub-Signature-256")
        return _answer(request.env["mp15.whatsapp.message"]._webhook_ingest(raw_body, signature))


def _answer(status):
    return request.make_response(REASONS[status], PLAIN_TEXT, status=status)


def _read_at_most(httprequest, size):
    """At most ``size`` bytes of the body (de-chunked), so a larger body is never read whole."""
    # Odoo's request wrapper does not expose werkzeug's guarded input stream; the wrapped request does.
    stream = httprequest._HTTPRequest__wrapped.stream
    chunks, received = [], 0
    while received < size:
        chunk = stream.read(min(READ_CHUNK, size - received))
        if not chunk:
            break
        chunks.append(chunk)
        received += len(chunk)
    return b"".join(chunks)
