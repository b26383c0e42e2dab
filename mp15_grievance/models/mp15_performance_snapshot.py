"""The public performance page, computed and rendered by a scheduled action so that a crowd reading it costs little."""

import hashlib
from datetime import datetime

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import public_charts
from ..tools.open311 import iso8601

# The page's languages: the path parameter, Odoo's language code and Babel's locale.
PAGE_LANGS = {"hi": ("hi_IN", "hi_IN"), "en": ("en_US", "en_IN")}
DEFAULT_PAGE_LANG = "hi"
MONTHS_SHOWN = 13  # this month and the 12 before
MAP_POINTS_LIMIT = 400  # the busiest places: enough for a city, and the page stays small


class Mp15PerformanceSnapshot(models.Model):
    """The latest figures (``data``) and the page they make in each language; the public route only reads."""

    _name = "mp15.performance.snapshot"
    _description = "Public Performance Page"
    _order = "id desc"
    _rec_name = "date_computed"

    date_computed = fields.Datetime(string="Computed on", required=True, readonly=True)
    data = fields.Json(readonly=True)
    html_hi = fields.Text(string="Page (Hindi)", readonly=True)
    html_en = fields.Text(string="Page (English)", readonly=True)
    etag_hi = fields.Char(readonly=True)
    etag_en = fields.Char(readonly=True)

    # ------------------------------------------------------------------ serving

    @api.model
    def _public_page(self, lang):
        """(html, etag) of the latest page in ``lang`` ("hi" or "en"): reads two columns of one row, never computes.

        Public on purpose: the page holds no personal data. The install computes the first snapshot and the
        scheduled action the next ones; should there be none yet, a short page says the figures are coming.
        """
        lang = lang if lang in PAGE_LANGS else DEFAULT_PAGE_LANG
        snapshot = self.sudo().search_fetch([], [f"html_{lang}", f"etag_{lang}"], limit=1)
        if not snapshot:
            return self._preparing_page(lang), f"preparing-{lang}"
        return snapshot[f"html_{lang}"], snapshot[f"etag_{lang}"]

    @api.model
    def _preparing_page(self, lang):
        """The page shown before the first snapshot exists (a visitor never triggers the computation)."""
        text = self.with_context(lang=PAGE_LANGS[lang][0]).env._(
            "The figures are being prepared. Please come back in a few minutes."
        )
        return str(
            Markup(
                '<!DOCTYPE html>\n<html lang="%s"><head><meta charset="utf-8"/>'
                '<meta name="viewport" content="width=device-width, initial-scale=1"/><title>%s</title></head>'
                "<body><p>%s</p></body></html>"
            )
            % (lang, text, text)
        )

    # ------------------------------------------------------------------ computing

    @api.model
    def _cron_refresh(self):
        self._refresh()

    @api.model
    def _refresh(self):
        """Compute the figures, render the page in both languages, keep only this snapshot (as the system)."""
        snapshots = self.sudo()
        data = self._compute_data()
        values = {"date_computed": fields.Datetime.now(), "data": data}
        for lang in PAGE_LANGS:
            html = self._render_page(data, lang)
            values[f"html_{lang}"] = html
            values[f"etag_{lang}"] = hashlib.sha256(html.encode()).hexdigest()[:20]
        snapshot = snapshots.create(values)
        snapshots.search([("id", "!=", snapshot.id)]).unlink()
        return snapshot

    @api.model
    def _names(self, records):
        """{id: {"hi": name, "en": name}} of translatable records."""
        names = {record.id: {} for record in records}
        for lang, (code, _locale) in PAGE_LANGS.items():
            for record in records.with_context(lang=code):
                names[record.id][lang] = record.display_name
        return names

    @api.model
    def _compute_data(self):
        """Everything the page shows, as JSON: figures per month, department and ward, grades, the map."""
        Grade = self.env["mp15.performance.grade"]
        Figures = self.env["mp15.performance.figures"]
        this_month = self.env["mp15.grievance"]._local_date().replace(day=1)
        first = this_month - relativedelta(months=MONTHS_SHOWN - 1)
        _first, start, _end = Grade._month_bounds(first)
        _this, _start, end = Grade._month_bounds(this_month)

        by_month = Figures._figures(start, end, ("month",))
        months = []
        for index in range(MONTHS_SHOWN):
            month = first + relativedelta(months=index)
            months.append({"month": month.isoformat(), **(by_month.get((month,)) or Figures._empty())})

        def grouped(key, model):
            figures = Figures._figures(start, end, (key,))
            records = self.env[model].sudo().with_context(active_test=False).browse([k[0] for k in figures if k[0]])
            names = self._names(records)
            rows = [{"name": names[k[0]], **row} for k, row in figures.items() if k[0]]
            return sorted(rows, key=lambda row: (-row["filed"], row["name"]["en"]))

        grades = Grade._published()
        grade_names = self._names(grades.department_id)
        return {
            "computed_at": iso8601(fields.Datetime.now()),
            "this_month": this_month.isoformat(),
            "first_month": first.isoformat(),
            "totals": Figures._figures(start, end).get((), Figures._empty()),
            "months": months,
            "departments": grouped("department_id", "mp15.department"),
            "wards": grouped("ward_id", "mp15.ward"),
            "grades": {
                "month": grades[:1].month.isoformat() if grades else None,
                "rows": [
                    {
                        "name": grade_names[grade.department_id.id],
                        "count": grade.grievance_count,
                        "score": grade.score,
                        "grade": grade.grade or "",
                        "rank": grade.rank,
                        "formula": grade.formula,
                    }
                    for grade in grades
                ],
            },
            "weights": Grade._weights(),
            "map": self._map_data(),
        }

    @api.model
    def _map_data(self):
        """Open grievances by category: points rounded to ≈ 100 m (3 decimals), and counts by ward."""
        self.env["mp15.grievance"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT round(latitude::numeric, 3)::float, round(longitude::numeric, 3)::float, category_id, count(*)
                  FROM mp15_grievance
                 WHERE active AND is_open AND coalesce(latitude, 0) != 0 AND coalesce(longitude, 0) != 0
                 GROUP BY 1, 2, 3
                 ORDER BY 4 DESC, 1, 2, 3
                 LIMIT %s
                """,
                MAP_POINTS_LIMIT,
            )
        )
        points = self.env.cr.fetchall()
        self.env.cr.execute(
            SQL(
                """
                SELECT ward_id, category_id, count(*) FROM mp15_grievance
                 WHERE active AND is_open GROUP BY 1, 2
                """
            )
        )
        by_ward_category = self.env.cr.fetchall()
        category_ids = sorted({row[1] for row in by_ward_category if row[1]} | {row[2] for row in points if row[2]})
        categories = self.env["mp15.grievance.category"].sudo().with_context(active_test=False).browse(category_ids)
        names = self._names(categories)
        colour = {category_id: index for index, category_id in enumerate(category_ids)}
        totals = {}
        for _ward, category_id, count in by_ward_category:
            totals[category_id] = totals.get(category_id, 0) + count
        wards = self.env["mp15.ward"].sudo().search_fetch([("has_boundary", "=", True)], ["boundary_geojson"])
        svg = public_charts.svg_map(
            wards.mapped("boundary_geojson"),
            [(lat, lon, colour.get(category_id, 0), count) for lat, lon, category_id, count in points],
        )
        ward_names = self._names(
            self.env["mp15.ward"]
            .sudo()
            .with_context(active_test=False)
            .browse({r[0] for r in by_ward_category if r[0]})
        )
        by_ward = {}
        for ward_id, category_id, count in by_ward_category:
            entry = by_ward.setdefault(ward_id or 0, {"name": ward_names.get(ward_id), "total": 0, "categories": {}})
            entry["total"] += count
            entry["categories"][str(category_id or 0)] = count
        return {
            "svg": svg,
            "truncated": len(points) == MAP_POINTS_LIMIT,
            "categories": [
                {
                    "id": category_id,
                    "name": names[category_id],
                    "colour": public_charts.PALETTE[colour[category_id] % len(public_charts.PALETTE)],
                    "open": totals.get(category_id, 0),
                }
                for category_id in category_ids
            ],
            "wards": sorted(by_ward.values(), key=lambda entry: -entry["total"]),
        }

    # ------------------------------------------------------------------ rendering

    @api.model
    def _render_page(self, data, lang):
        code, locale = PAGE_LANGS[lang]
        months = data["months"]

        def month_label(iso, pattern="MMM yyyy"):
            return babel_format_date(fields.Date.to_date(iso), pattern, locale=locale) if iso else ""

        top = max([m["filed"] for m in months] + [1])

        def percent(value):
            return "—" if value is None else f"{value:.1f}%"

        computed_at = datetime.fromisoformat(data["computed_at"]).replace(tzinfo=None)  # in Sagar
        values = {
            "doctype": Markup("<!DOCTYPE html>"),
            "data": data,
            "updated": babel_format_datetime(computed_at, "d MMM yyyy, h:mm a", locale=locale),
            "page_lang": lang,
            "months_newest_first": months[::-1],
            "palette": public_charts.PALETTE,
            "month_label": month_label,
            "percent": percent,
            # Filed and resolved on one scale, side by side; SLA met % on its own 0–100 scale.
            "filed_bars": public_charts.bar_heights([m["filed"] for m in months], top=top),
            "resolved_bars": public_charts.bar_heights([m["resolved"] for m in months], top=top),
            "sla_bars": public_charts.bar_heights([m["sla_compliance"] for m in months], top=100),
        }
        return str(self.env["ir.qweb"].with_context(lang=code)._render("mp15_grievance.performance_page", values))
