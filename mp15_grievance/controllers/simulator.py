from odoo import http
from odoo.http import request

MAX_SEND_BYTES = 1024 * 1024  # a send payload is a few KB
NO_STORE = [("Cache-Control", "no-store")]


class WhatsappSimulatorGraph(http.Controller):
    """Meta's Graph API as the simulator account's sender sees it: messages and media, on this server."""

    @http.route(
        "/mp15/simulator/graph/<string:phone_number_id>/messages",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def graph_messages(self, phone_number_id, **_params):
        # Odoo's request wrapper offers no stream: refuse by the declared length before reading.
        length = request.httprequest.content_length
        raw_body = b"" if (length or 0) > MAX_SEND_BYTES else request.httprequest.get_data()
        if (length or 0) > MAX_SEND_BYTES or len(raw_body) > MAX_SEND_BYTES:
            too_large = {"error": {"message": "Request entity too large", "type": "OAuthException", "code": 100}}
            return request.make_json_response(too_large, headers=NO_STORE, status=413)
        status, answer = request.env["mp15.whatsapp.simulator"]._graph_send(
            phone_number_id, request.httprequest.headers.get("Authorization"), raw_body
        )
        return request.make_json_response(answer, headers=NO_STORE, status=status)

    @http.route(
        "/mp15/simulator/graph/<string:media_id>",
        type="http",
        auth="public",
        methods=["GET"],
        csrf=False,
        save_session=False,
    )
    def graph_media(self, media_id, **_params):
        status, answer = request.env["mp15.whatsapp.simulator"]._graph_media_info(
            media_id, request.httprequest.headers.get("Authorization"), request.httprequest.host_url
        )
        return request.make_json_response(answer, headers=NO_STORE, status=status)

    @http.route(
        "/mp15/simulator/media/<string:media_id>",
        type="http",
        auth="public",
        methods=["GET"],
        csrf=False,
        save_session=False,
    )
    def media_download(self, media_id, **_params):
        status, content, mimetype = request.env["mp15.whatsapp.simulator"]._graph_media_content(
            media_id, request.httprequest.headers.get("Authorization")
        )
        headers = [("Content-Type", mimetype), ("Content-Length", str(len(content))), *NO_STORE]
        return request.make_response(content, headers, status=status)
