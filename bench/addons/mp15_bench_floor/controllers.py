from odoo import http
from odoo.http import request


class BenchFloor(http.Controller):
    """The webhook's route options, and one INSERT of the raw body: no signature, no parsing, no wake-up."""

    @http.route(
        "/mp15_bench_floor/store",
        type="http",
        auth="none",
        methods=["POST"],
        readonly=False,
        csrf=False,
        save_session=False,
    )
    def store(self, **_params):
        body = request.httprequest.get_data(cache=False).decode()
        request.env.cr.execute("INSERT INTO mp15_bench_floor_body (body) VALUES (%s)", [body])
        return request.make_response("OK", [("Content-Type", "text/plain; charset=utf-8")])
