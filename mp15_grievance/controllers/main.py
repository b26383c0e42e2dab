"""The WhatsApp webhook: Meta's handshake, and each delivery verified, stored and acknowledged."""

from odoo import http
from odoo.http import request

from ..tools.webhook import MAX_BODY_BYTES

PLAIN_TEXT = [("Content-Type", "text/plain; charset=utf-8")]
REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 413: "Payload Too Large", 415: "Unsupported Media Type"}


class WhatsappWebhook(http.Controller):
    """Meta's webhook: verify, store, acknowledge. Processing happens in a scheduled action."""

    # auth="none" on both: Meta is nobody's session; "public" would look the public user up on every
    # delivery (a query per webhook) for a body that only its signature vouches for.
    @http.route("/mp15/whatsapp/webhook", type="http", auth="none", methods=["GET"], csrf=False, save_session=False)
    def verify(self, **params):
        challenge = request.env["mp15.whatsapp.account"].sudo()._webhook_handshake(params)
        if challenge is None:
            return _answer(403)
        return request.make_response(challenge, PLAIN_TEXT)

    # max_content_length: a body whose Content-Length is larger is answered 413 by werkzeug before any
    # of it is read; a chunked body is read up to the limit only. One byte over the limit, so that a
    # chunked body that passes it is told apart from one that fits exactly.
    @http.route(
        "/mp15/whatsapp/webhook",
        type="http",
        auth="none",
        methods=["POST"],
        readonly=False,  # auth="none" defaults to a read-only transaction (on the replica, if there is one)
        csrf=False,
        save_session=False,
        max_content_length=MAX_BODY_BYTES + 1,
    )
    def receive(self, **_params):
        httprequest = request.httprequest
        if httprequest.mimetype != "application/json":
            return _answer(415)  # Meta posts JSON; a form body would already be consumed by Odoo's form parser
        raw_body = httprequest.get_data(cache=False)
        if len(raw_body) > MAX_BODY_BYTES:
            return _answer(413)
        signature = httprequest.headers.get("X-Hub-Signature-256")
        return _answer(request.env["mp15.whatsapp.message"].sudo()._webhook_ingest(raw_body, signature))


def _answer(status):
    return request.make_response(REASONS[status], PLAIN_TEXT, status=status)
