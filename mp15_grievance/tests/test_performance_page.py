"""The public performance page: no login, Hindi and English, figures equal to the records, no personal data, cached."""

import re
from datetime import datetime, time, timedelta
from statistics import median

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import Mp15Case

PRIVATE_DESCRIPTION = "Gupta ji ke makaan number 42 ke paas naali band hai"
EXACT_LATITUDE, EXACT_LONGITUDE = 23.9512345, 78.9487654


@tagged("post_install", "-at_install", "mp15_performance_page")
class TestPerformancePage(HttpCase, Mp15Case):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        now = fields.Datetime.now()
        with freeze_time(now - timedelta(hours=5)):
            cls.resolved = cls._grievance(description=PRIVATE_DESCRIPTION, phone="+919812345677", channel="whatsapp")
            cls.open = cls._grievance(latitude=EXACT_LATITUDE, longitude=EXACT_LONGITUDE)
            cls.rejected = cls._grievance()
        with freeze_time(now - timedelta(hours=4)):
            cls.resolved.sudo().user_id = cls.officer_a
        with freeze_time(now - timedelta(hours=2)):
            cls.resolved.sudo().write({"stage_id": cls.stage_resolved.id, "resolution_note": "Drain cleared."})
            cls.rejected.sudo().write(
                {"stage_id": cls.env.ref("mp15_grievance.stage_rejected").id, "resolution_note": "Private drain."}
            )
        with freeze_time(now - timedelta(hours=1)):
            cls.resolved._record_feedback(True, channel="test")
        cls.Snapshot = cls.env["mp15.performance.snapshot"]

    def page(self, path="/grievances/performance/en", status=200, headers=None):
        response = self.url_open(path, headers=headers, allow_redirects=False)
        self.assertEqual(response.status_code, status, response.text[:300])
        return response

    def refreshed_page(self, path="/grievances/performance/en"):
        self.Snapshot._cron_refresh()
        return self.page(path)

    @staticmethod
    def expected_figures(grievances):
        """The SLA report's definitions, redone from the records by hand (rejected and archived ones count)."""
        now = fields.Datetime.now()
        counted = grievances

        def percent(pairs):
            applicable = [value for applies, value in pairs if applies]
            return round(100.0 * sum(applicable) / len(applicable), 1) if applicable else None

        hours = [(g.date_resolved - g.date_filed).total_seconds() / 3600 for g in counted if g.date_resolved]
        return {
            "filed": len(counted),
            "resolved": len(hours),
            "sla_compliance": percent(
                (
                    bool(g.date_resolved)
                    or (g.is_open and g.sla_deadline < now)
                    or (g.state == "rejected" and g.sla_state == "missed"),
                    bool(g.date_resolved) and g.date_resolved <= g.sla_deadline,
                )
                for g in counted
            ),
            "first_update_on_time": percent(
                (
                    bool(g.date_first_update) or now > g.date_filed + timedelta(hours=24),
                    bool(g.date_first_update) and g.date_first_update <= g.date_filed + timedelta(hours=24),
                )
                for g in counted
            ),
            "confirmed_by_citizen": percent(
                (bool(g.closure) or g.state == "rejected", g.closure == "citizen" and g.state != "rejected")
                for g in counted
            ),
            "reopened": percent((True, g.reopen_count > 0) for g in counted),
            "median_hours": round(median(hours), 1) if hours else None,
        }

    # ------------------------------------------------------------------ tests

    def test_the_page_answers_without_login_in_hindi_and_english(self):
        english = self.refreshed_page()
        self.assertTrue(english.text.lstrip().startswith("<!DOCTYPE html>"))
        self.assertIn('lang="en"', english.text)
        self.assertIn("Grievances: how Sagar Municipal Corporation is doing", english.text)
        self.assertIn("Water Supply (test)", english.text)
        self.assertIn("text/html", english.headers["Content-Type"])
        hindi = self.page("/grievances/performance")
        self.assertIn('lang="hi"', hindi.text)
        self.assertIn("वार्ड 901 · Teen Batti (test)", hindi.text)  # names in Hindi where they have one
        self.assertNotIn("Dec 20", hindi.text.split("<header>")[1].split("</header>")[0])  # Hindi month names
        self.assertEqual(self.page("/grievances/performance/hi").text, hindi.text)
        self.assertEqual(self.page("/grievances/performance?lang=en").text, english.text)
        self.page("/grievances/performance/fr", status=404)

    def test_the_hindi_page_reads_in_hindi(self):
        hindi = self.refreshed_page("/grievances/performance")
        self.assertIn("<h1>शिकायतें: सागर नगर निगम का कामकाज</h1>", hindi.text)
        self.assertIn("विभागों की मासिक ग्रेडिंग", hindi.text)
        self.assertNotIn("Month by month", hindi.text)

    def test_the_page_holds_no_personal_data(self):
        page = self.refreshed_page().text + self.page("/grievances/performance/hi").text
        grievances = self.env["mp15.grievance"].with_context(active_test=False).search([])
        self.assertIn(self.resolved, grievances)
        for grievance in grievances:
            self.assertNotIn(grievance.description, page)
            if grievance.phone:
                self.assertNotIn(grievance.phone, page)
                self.assertNotIn(grievance.phone[-10:], page)
            if grievance.partner_id.name and len(grievance.partner_id.name) > 5:
                self.assertNotIn(grievance.partner_id.name, page)
        self.assertNotIn("Rajesh Kumar", page)
        self.assertNotIn(str(EXACT_LATITUDE), page)
        self.assertNotIn("23.951", page, "not even rounded: the map places dots, it does not print coordinates")
        self.assertNotIn("<script", page)

    def test_the_figures_equal_the_records(self):
        self.Snapshot._cron_refresh()
        data = self.Snapshot.search([]).data
        row = next(row for row in data["departments"] if row["name"]["en"] == "Water Supply (test)")
        expected = self.expected_figures(self.resolved | self.open | self.rejected)
        self.assertEqual({key: row[key] for key in expected}, expected)
        # The rejected one is filed, and no citizen confirmed it.
        self.assertEqual((expected["filed"], expected["resolved"], expected["confirmed_by_citizen"]), (3, 1, 50.0))
        ward = next(row for row in data["wards"] if row["name"]["en"].endswith("Teen Batti (test)"))
        self.assertEqual(ward["filed"], 3)
        # All grievances of the window, month by month, add up to the totals.
        everything = (
            self.env["mp15.grievance"]
            .with_context(active_test=False)
            .search([("date_filed", ">=", fields.Datetime.now() - timedelta(days=400))])
        )
        self.assertEqual(sum(month["filed"] for month in data["months"]), data["totals"]["filed"])
        self.assertLessEqual(data["totals"]["filed"], len(everything))
        # The department's row on the page says the same.
        html = self.page().text
        cells = re.search(r"<td>Water Supply \(test\)</td>(.*?)</tr>", html, re.S).group(1)
        self.assertEqual(re.findall(r"<td>(.*?)</td>", cells)[:5], ["3", "1", "100.0%", "100.0%", "50.0%"])

    def test_a_crowd_reads_the_snapshot(self):
        self.refreshed_page()
        first = self.page()
        self.assertEqual(first.headers["Cache-Control"], "public, max-age=300")
        self.assertNotIn("Set-Cookie", first.headers)
        etag = first.headers["ETag"]
        self.page(headers={"If-None-Match": etag}, status=304)
        # New grievances appear at the next refresh, not before.
        self._grievance()
        self.assertEqual(self.page().text, first.text)
        self.Snapshot._cron_refresh()
        self.assertEqual(len(self.Snapshot.search([])), 1, "one snapshot is kept")
        second = self.page()
        self.assertNotEqual(second.headers["ETag"], etag)
        row = next(r for r in self.Snapshot.search([]).data["departments"] if r["name"]["en"] == "Water Supply (test)")
        self.assertEqual(row["filed"], 4, "the rejected one is filed too")

    def test_the_install_made_the_first_page_and_a_visit_never_computes_one(self):
        self.assertTrue(self.Snapshot.search([]), "the install computed the first snapshot")
        self.Snapshot.search([]).unlink()
        for path, lang in (("/grievances/performance", "hi"), ("/grievances/performance/en", "en")):
            page = self.page(path)
            self.assertIn(f'lang="{lang}"', page.text)
            self.assertIn("text/html", page.headers["Content-Type"])
        self.assertIn("The figures are being prepared. Please come back in a few minutes.", page.text)
        self.assertFalse(self.Snapshot.search([]), "a visitor only reads: the scheduled action computes")
        self.assertIn("Water Supply (test)", self.refreshed_page().text)

    def test_the_map_shows_open_grievances_by_category(self):
        self.Snapshot._cron_refresh()
        data = self.Snapshot.search([]).data["map"]
        water = next(category for category in data["categories"] if category["name"]["en"] == "No water (test)")
        self.assertEqual(water["open"], 1)
        self.assertTrue(data["svg"]["dots"])
        ward = next(entry for entry in data["wards"] if entry["name"] and "Teen Batti (test)" in entry["name"]["en"])
        self.assertEqual(ward["total"], 1)
        page = self.page().text
        self.assertIn("<circle", page)
        self.assertIn("No water (test) (1)", page)

    def test_the_last_graded_month_is_published(self):
        Grade = self.env["mp15.performance.grade"]
        Grade.search([]).unlink()  # a database that ran before holds some
        Grade._grade_month(Grade._last_month())
        this_month = self.resolved.date_filed.date()
        # This month once it is over: the grading day of the next month.
        with freeze_time(datetime.combine(this_month.replace(day=1) + relativedelta(months=1, days=7), time(0))):
            grades = Grade._grade_month(this_month)
        water = grades.filtered(lambda g: g.scope == "department" and g.department_id == self.department_a)
        page = self.refreshed_page().text
        self.assertIn("Monthly grading of departments", page)
        row = re.search(r"<td[^>]*>Water Supply \(test\)</td>.*?</tr>", page.split('id="grading"')[1], re.S).group(0)
        self.assertIn(f"{water.score:.2f}", row)
        self.assertIn(water.formula, row)
        self.assertNotIn("Officer A", page, "officers' grades are for their heads, not the public")
