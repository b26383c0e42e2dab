"""The public performance page: the latest snapshot in Hindi or English, cacheable, without login."""

from odoo import http
from odoo.http import request

from ..models.mp15_performance_snapshot import DEFAULT_PAGE_LANG, PAGE_LANGS

CACHE_SECONDS = 300


class PerformancePage(http.Controller):
    @http.route(
        ["/grievances/performance", "/grievances/performance/<string:lang>"],
        type="http",
        auth="public",
        methods=["GET", "HEAD"],
        save_session=False,
        sitemap=False,
    )
    def performance_page(self, lang=None, **_kw):
        """``/grievances/performance`` (Hindi), ``…/en`` or ``…/hi``; ``?lang=en`` works too."""
        lang = lang or request.params.get("lang") or DEFAULT_PAGE_LANG
        if lang not in PAGE_LANGS:
            raise request.not_found()
        html, etag = request.env["mp15.performance.snapshot"]._public_page(lang)
        headers = [
            ("Cache-Control", f"public, max-age={CACHE_SECONDS}"),
            ("ETag", f'"{etag}"'),
            ("Content-Language", lang),
        ]
        if etag in request.httprequest.if_none_match:
            return request.make_response(b"", headers=headers, status=304)
        return request.make_response(html, headers=[("Content-Type", "text/html; charset=utf-8"), *headers])
