"""Open311 GeoReport v2 at /open311/v2/: parse, call the client model, render JSON or XML."""

import functools
import logging

from odoo import fields, http
from odoo.http import request
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..tools import open311

_logger = logging.getLogger(__name__)

ROUTE = {"type": "http", "auth": "public", "csrf": False, "save_session": False, "sitemap": False}


def _spec_errors(endpoint):
    """Any unexpected failure answers the spec's ``[{code: 500, description}]`` in the asked format, never a page.

    Concurrency failures go up to Odoo, which retries the whole request.
    """

    @functools.wraps(endpoint)
    def wrapper(self, *args, **kwargs):
        try:
            return endpoint(self, *args, **kwargs)
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception:
            _logger.exception("Open311 %s %s failed", request.httprequest.method, request.httprequest.path)
            env = request.env
            env.cr.rollback()  # nothing half-done is committed
            env.reset()
            env.registry.reset_changes()
            fmt = kwargs.get("fmt") or open311.split_format(kwargs.get("tail"))[1]
            return self._error(500, "The server could not answer this request; please try again later.", fmt)

    return wrapper


class Open311(http.Controller):
    def _answer(self, body_and_type, status=200):
        body, content_type = body_and_type
        return request.make_response(body, headers=[("Content-Type", content_type)], status=status)

    def _error(self, status, description, fmt):
        return self._answer(open311.render_error(status, description, fmt), status=status)

    def _unknown_format(self):
        return self._error(404, "Add .json or .xml to the address.", "json")

    @http.route("/open311/v2/services.<string:fmt>", methods=["GET"], **ROUTE)
    @_spec_errors
    def services(self, fmt, **_params):
        if fmt not in open311.FORMATS:
            return self._unknown_format()
        return self._answer(open311.render("services", request.env["mp15.open311.client"]._open311_services(), fmt))

    @http.route("/open311/v2/services/<string:tail>", methods=["GET"], **ROUTE)
    @_spec_errors
    def service_definition(self, tail, **_params):
        code, fmt = open311.split_format(tail)
        if not fmt:
            return self._unknown_format()
        if not request.env["mp15.open311.client"]._open311_categories(code):
            return self._error(404, f"No service {code}.", fmt)
        return self._answer(open311.render_definition(code, fmt))

    @http.route("/open311/v2/requests.<string:fmt>", methods=["GET", "POST"], **ROUTE)
    @_spec_errors
    def requests(self, fmt, **params):
        if fmt not in open311.FORMATS:
            return self._unknown_format()
        Client = request.env["mp15.open311.client"]
        try:
            if request.httprequest.method == "POST":
                client = Client._authenticate(params.get("api_key"))
                if not client:
                    return self._error(403, "A valid api_key is required to file a request.", fmt)
                grievance = client._open311_file(open311.request_values(params))
                posted = {"service_request_id": grievance.name, "service_notice": None, "account_id": None}
                return self._answer(open311.render("posted", [posted], fmt))
            filters = open311.request_filters(params, fields.Datetime.now())
        except open311.Open311Error as error:
            return self._error(error.status, error.description, fmt)
        return self._answer(open311.render("requests", Client._open311_requests(filters), fmt))

    @http.route("/open311/v2/requests/<string:tail>", methods=["GET"], **ROUTE)
    @_spec_errors
    def request_one(self, tail, **_params):
        reference, fmt = open311.split_format(tail)
        if not fmt:
            return self._unknown_format()
        found = request.env["mp15.open311.client"]._open311_requests({"ids": [reference]})
        if not found:
            return self._error(404, f"No request {reference}.", fmt)
        return self._answer(open311.render("requests", found, fmt))
