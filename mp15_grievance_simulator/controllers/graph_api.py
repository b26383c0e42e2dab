"""Meta's Graph API as the simulator account's sender sees it: messages and media, on this server."""

from odoo import http
from odoo.http import request

from odoo.addons.mp15_grievance.tools import graph_shapes

MAX_SEND_BYTES = 1024 * 1024  # a send payload is a few KB
NO_STORE = [("Cache-Control", "no-store")]


class WhatsappSimulatorGraph(http.Controller):
    """Every route checks the bearer token first, before it reads a byte of the body."""

    @http.route(
        "/mp15/simulator/graph/<string:phone_number_id>/messages",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def graph_messages(self, phone_number_id, **_params):
        simulator = request.env["mp15.whatsapp.simulator"]
        account = simulator._graph_account(request.httprequest.headers.get("Authorization"))
        if not account:
            return _json(401, graph_shapes.invalid_token())
        # Refused by the declared length, unread; a body without one (chunked) is not read either.
        length = request.httprequest.content_length
        if length is None:
            return _json(411, graph_shapes.error(100, "Content-Length required"))
        if length > MAX_SEND_BYTES:
            return _json(413, graph_shapes.too_large())
        raw_body = request.httprequest.get_data()  # at most the declared length: werkzeug stops there
        status, answer = simulator._graph_send(account, phone_number_id, raw_body)
        return _json(status, answer)

    @http.route(
        "/mp15/simulator/graph/<string:media_id>",
        type="http",
        auth="public",
        methods=["GET"],
        csrf=False,
        save_session=False,
    )
    def graph_media(self, media_id, **_params):
        simulator = request.env["mp15.whatsapp.simulator"]
        account = simulator._graph_account(request.httprequest.headers.get("Authorization"))
        if not account:
            return _json(401, graph_shapes.invalid_token())
        status, answer = simulator._graph_media_info(account, media_id, request.httprequest.host_url)
        return _json(status, answer)

    @http.route(
        "/mp15/simulator/media/<string:media_id>",
        type="http",
        auth="public",
        methods=["GET"],
        csrf=False,
        save_session=False,
    )
    def media_download(self, media_id, **_params):
        simulator = request.env["mp15.whatsapp.simulator"]
        account = simulator._graph_account(request.httprequest.headers.get("Authorization"))
        if not account:
            return _json(401, graph_shapes.invalid_token())
        status, content, mimetype = simulator._graph_media_content(account, media_id)
        headers = [("Content-Type", mimetype), ("Content-Length", str(len(content))), *NO_STORE]
        return request.make_response(content, headers, status=status)


def _json(status, answer):
    return request.make_json_response(answer, headers=NO_STORE, status=status)
