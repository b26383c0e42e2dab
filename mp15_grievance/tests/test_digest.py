"""Weekly digests: each councillor's wards and each head's department, by e-mail and WhatsApp, with an opt-out."""

import json
from datetime import datetime, timedelta

import polib

from odoo.tests import tagged
from odoo.tools import file_path

from ..models.mp15_digest import week_before
from .common import Mp15Case

# Monday 30 November 2026, 07:00 in Sagar: the digest of the week from Monday 23 to Sunday 29 November.
MONDAY = datetime(2026, 11, 30, 1, 30)
IN_WEEK = datetime(2026, 11, 24, 6, 0)
BEFORE_WEEK = datetime(2026, 11, 10, 6, 0)


@tagged("post_install", "-at_install", "mp15_digest")
class TestWeeklyDigest(Mp15Case):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.date_from, cls.date_to = week_before(MONDAY)
        for user in (cls.councillor_1, cls.head_a, cls.head_b):
            user.email = f"{user.login}@example.com"
        # Ward 1, department A: filed and resolved in the week, confirmed by its citizen.
        cls.fixed = cls._week_grievance(cls.category_a, cls.ward_1, IN_WEEK)
        cls.fixed.write(
            {
                "stage_id": cls.stage_closed.id,
                "date_resolved": datetime(2026, 11, 24, 10, 0),
                "date_closed": datetime(2026, 11, 25, 10, 0),
                "closure": "citizen",
                "resolution_note": "Pipe repaired",
                "sla_state": "met",
            }
        )
        # Ward 1, department A: filed in the week, still open, its deadline passed in the week.
        cls.late = cls._week_grievance(cls.category_a, cls.ward_1, IN_WEEK, sla_state="breached")
        # Ward 1, department B: filed weeks before, still open: the oldest of ward 1.
        cls.old = cls._week_grievance(cls.category_b, cls.ward_1, BEFORE_WEEK, sla_state="breached")
        # Ward 2, department A: the head's, not the councillor's.
        cls.elsewhere = cls._week_grievance(cls.category_a, cls.ward_2, IN_WEEK)

    @classmethod
    def _week_grievance(cls, category, ward, filed, **values):
        grievance = cls._grievance(category, ward)
        grievance.write({"date_filed": filed, "sla_deadline": filed + timedelta(hours=12), **values})
        return grievance

    def _digest(self, user, scope):
        return self.env["mp15.digest"].search(
            [("user_id", "=", user.id), ("scope", "=", scope), ("date_from", "=", self.date_from)]
        )

    def test_the_week_is_monday_to_sunday_in_sagar(self):
        self.assertEqual(self.date_from, datetime(2026, 11, 22, 18, 30))  # Monday 23 November, 00:00 IST
        self.assertEqual(self.date_to, datetime(2026, 11, 29, 18, 30))  # Monday 30 November, 00:00 IST
        # Sunday night in Sagar is still the week before.
        self.assertEqual(week_before(datetime(2026, 11, 29, 18, 0))[0], datetime(2026, 11, 15, 18, 30))

    def test_a_councillors_digest_counts_only_their_wards(self):
        self.env["mp15.digest"]._build_week(self.date_from, self.date_to)
        digest = self._digest(self.councillor_1, "ward")
        self.assertEqual(digest.ward_ids, self.ward_1)
        self.assertEqual(digest.filed_count, 2)  # fixed, late (old was filed before; elsewhere is ward 2)
        self.assertEqual(digest.resolved_count, 1)
        self.assertEqual(digest.breached_count, 1)  # late: its deadline passed in the week, unresolved
        self.assertEqual(digest.confirmed_count, 1)
        self.assertEqual(digest.open_count, 2)
        self.assertEqual(digest.oldest_open_ids.sorted("date_filed"), self.old | self.late)
        self.assertNotIn(self.elsewhere, digest.oldest_open_ids)

    def test_a_heads_digest_counts_their_department_in_every_ward(self):
        self.env["mp15.digest"]._build_week(self.date_from, self.date_to)
        digest_a = self._digest(self.head_a, "department")
        self.assertEqual(digest_a.department_ids, self.department_a)
        self.assertEqual(digest_a.filed_count, 3)  # fixed, late, elsewhere
        self.assertEqual(digest_a.open_count, 2)  # late, elsewhere
        self.assertEqual(digest_a.breached_count, 2)  # late, elsewhere: deadlines in the week, unresolved
        self.assertNotIn(self.old, digest_a.oldest_open_ids)
        digest_b = self._digest(self.head_b, "department")
        self.assertEqual(digest_b.filed_count, 0)
        self.assertEqual(digest_b.oldest_open_ids, self.old)

    def test_the_email_lists_the_week_and_links_the_oldest_open(self):
        digests = self.env["mp15.digest"]._build_week(self.date_from, self.date_to)
        digest = digests.filtered(lambda d: d.user_id == self.councillor_1)
        digest._send()
        mail = self.env["mail.mail"].search([("model", "=", "mp15.digest"), ("res_id", "=", digest.id)])
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.councillor_1.partner_id)
        self.assertIn(self.ward_1.display_name, mail.subject)
        body = mail.body_html
        for text in ("23.11.2026 – 29.11.2026", self.old.name, self.late.name, self.category_b.name):
            self.assertIn(text, body)
        self.assertIn(f"/odoo/action-mp15_grievance.mp15_grievance_action/{self.old.id}", body)
        self.assertIn("filed on 10.11.2026", body)
        self.assertNotIn(self.elsewhere.name, body)
        self.assertLess(body.index(self.old.name), body.index(self.late.name), "oldest first")

    def test_the_email_is_in_the_recipients_language(self):
        # The Hindi of the template as hi.po gives it (read from the file: Odoo loads a .po entry only
        # once the .pot lists it too, and the .pot is regenerated at release time).
        template = self.env.ref("mp15_grievance.mail_template_weekly_digest")
        translations = {
            entry.msgid: entry.msgstr
            for entry in polib.pofile(file_path("mp15_grievance/i18n/hi.po"))
            if "mail_template_weekly_digest" in str(entry.occurrences)
        }
        self.env["res.lang"]._activate_lang("hi_IN")
        hindi_template = template.with_context(lang="hi_IN")
        hindi_template.subject = translations[template.with_context(lang="en_US").subject]
        hindi_template.body_html = translations[template.with_context(lang="en_US").body_html]
        self.head_a.lang = "hi_IN"
        self.head_b.lang = "en_US"
        digests = self.env["mp15.digest"]._build_week(self.date_from, self.date_to)
        for digest in digests.filtered(lambda d: d.user_id in (self.head_a | self.head_b)):
            digest._send()
        mails = self.env["mail.mail"].search([("model", "=", "mp15.digest"), ("res_id", "in", digests.ids)])
        hindi = mails.filtered(lambda m: self.head_a.partner_id in m.recipient_ids)
        english = mails.filtered(lambda m: self.head_b.partner_id in m.recipient_ids)
        self.assertEqual(hindi.subject, "पिछले हफ़्ते की शिकायतें: Water Supply (test)")
        self.assertIn("सबसे पुरानी खुली शिकायतें", hindi.body_html)
        self.assertIn("24.11.2026 को दर्ज", hindi.body_html)
        self.assertEqual(english.subject, "Grievances last week: Public Works (test)")
        self.assertIn("The oldest open grievances", english.body_html)

    def test_whatsapp_goes_as_the_named_utility_template_to_a_mobile(self):
        self.corporation_account.template_weekly_digest = "weekly_grievance_digest"
        self.head_a.partner_id.mobile = "098260 12345"
        digests = self.env["mp15.digest"]._build_week(self.date_from, self.date_to)
        for digest in digests:
            digest._send()
        digest_a = digests.filtered(lambda d: d.user_id == self.head_a)
        message = digest_a.whatsapp_message_id
        self.assertEqual(message.phone, "+919826012345")
        self.assertEqual(message.state, "queued")
        payload = json.loads(message.payload)
        self.assertEqual(payload["template"]["name"], "weekly_grievance_digest")
        parameters = [p["text"] for p in payload["template"]["components"][0]["parameters"]]
        self.assertEqual(parameters[:5], [self.department_a.display_name, "3", "1", "2", "1"])
        # No mobile number, no WhatsApp: the councillor is e-mailed only.
        self.assertFalse(digests.filtered(lambda d: d.user_id == self.councillor_1).whatsapp_message_id)

    def test_no_whatsapp_without_a_template_name(self):
        self.corporation_account.template_weekly_digest = False
        self.head_a.partner_id.mobile = "+919826012345"
        digests = self.env["mp15.digest"]._build_week(self.date_from, self.date_to)
        for digest in digests:
            digest._send()
        self.assertFalse(digests.whatsapp_message_id)

    def test_councillors_and_heads_can_opt_out_in_their_preferences(self):
        # Their own preferences: a field they may write on themselves.
        self.councillor_1.with_user(self.councillor_1).write({"mp15_digest_opt_out": True})
        self.head_b.with_user(self.head_b).write({"mp15_digest_opt_out": True})
        digests = self.env["mp15.digest"]._build_week(self.date_from, self.date_to)
        self.assertNotIn(self.councillor_1, digests.user_id)
        self.assertNotIn(self.head_b, digests.user_id)
        self.assertIn(self.head_a, digests.user_id)

    def test_the_opt_out_is_in_the_preferences_of_councillors_and_heads_only(self):
        preferences = self.env.ref("base.view_users_form_simple_modif").id
        for user, shown in ((self.councillor_1, True), (self.head_a, True), (self.officer_a, False)):
            with self.subTest(user=user.login):
                arch = self.env["res.users"].with_user(user).get_view(preferences, "form")["arch"]
                self.assertEqual('name="mp15_digest_opt_out"' in arch, shown)

    def test_a_second_run_on_the_same_monday_sends_nothing_twice(self):
        first = self.env["mp15.digest"]._build_week(self.date_from, self.date_to)
        second = self.env["mp15.digest"]._build_week(self.date_from, self.date_to)
        self.assertTrue(first.filtered(lambda d: d.user_id == self.councillor_1))
        self.assertFalse(second)
