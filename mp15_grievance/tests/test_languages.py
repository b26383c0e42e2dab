"""Each reader's language: escalations in the head's language, the citizen's link in the citizen's."""

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from .common import Mp15Case
from .fake_graph_api import FakeGraphApi
from .whatsapp_common import Citizen, ConversationHelpers, create_account

T0 = datetime(2026, 6, 1, 4, 30, 0)  # 10:00 in Sagar


@tagged("post_install", "-at_install", "mp15_languages")
class TestLanguages(HttpCase, Mp15Case):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("hi_IN")
        cls.env["ir.module.module"]._load_module_terms(["mp15_grievance"], ["hi_IN"])
        cls.env["ir.config_parameter"].sudo().set_param("mp15_grievance.commissioner_id", cls.manager.id)
        cls.head_a.lang = "en_US"  # Water Supply's head reads English
        cls.head_b.lang = "hi_IN"  # Public Works' head reads Hindi
        cls.manager.lang = "en_US"
        cls.escalation_type = cls.env.ref("mp15_grievance.mail_activity_type_escalation")

    def run_sla(self, at):
        """The scheduled action at ``at``, as OdooBot in Hindi runs it, until it reports nothing left."""
        cron = self.env["mp15.grievance"].with_context(lang="hi_IN")
        with freeze_time(at):
            for _attempt in range(20):
                _done, remaining = cron._cron_sla()
                if not remaining:
                    return
        self.fail("the SLA action never finished")

    def escalation(self, grievance, user):
        return grievance.activity_ids.filtered(
            lambda a: a.activity_type_id == self.escalation_type and a.user_id == user
        )

    def notes(self, grievance):
        return self.env["mail.message"].search(
            [("model", "=", grievance._name), ("res_id", "=", grievance.id), ("message_type", "=", "notification")]
        )

    def test_escalations_reach_each_head_in_their_language(self):
        with freeze_time(T0):
            water = self._grievance(category=self.category_a)
            roads = self._grievance(category=self.category_b)
        self.run_sla(T0 + timedelta(days=10))

        self.assertEqual(self.escalation(water, self.head_a).summary, "Deadline missed")
        self.assertEqual(self.escalation(roads, self.head_b).summary, "समय-सीमा पार")
        self.assertEqual(self.escalation(roads, self.manager).summary, "Twice past its deadline")
        # System notes on a grievance: in its responsible user's language, whoever ran the action.
        self.assertIn("Deadline missed: escalated to Head A", "".join(self.notes(water).mapped("body")))
        self.assertIn("समय-सीमा पार: ", "".join(self.notes(roads).mapped("body")))
        self.assertNotIn("Deadline missed", "".join(self.notes(roads).mapped("body")))

    def test_the_reference_is_named_once_in_what_the_head_receives(self):
        with freeze_time(T0):
            water = self._grievance(category=self.category_a)
        self.run_sla(T0 + timedelta(days=10))
        for activity in water.activity_ids.filtered(lambda a: a.activity_type_id == self.escalation_type):
            self.assertNotIn(water.name, activity.summary or "", "Odoo names the record beside the summary")
        assigned = self.env["mail.message"].search(
            [
                ("model", "=", water._name),
                ("res_id", "=", water.id),
                ("message_type", "=", "user_notification"),
                ("partner_ids", "in", self.head_a.partner_id.ids),
            ]
        )
        self.assertTrue(assigned, "the head is told the activity is theirs")
        for message in assigned:
            self.assertEqual(message.subject.count(water.name), 1, message.subject)
        self.assertIn(f'"{water.name}: Deadline missed" assigned to you', assigned.mapped("subject"))

    def test_emergency_alert_in_the_heads_language(self):
        fire = self._grievance(category=self.category_emergency, priority="2")
        emergency = self.env.ref("mp15_grievance.mail_activity_type_emergency")
        alert = fire.activity_ids.filtered(lambda a: a.activity_type_id == emergency)
        self.assertEqual(alert.user_id, self.head_b)
        self.assertEqual(alert.summary, emergency.with_context(lang="hi_IN").summary, "the head reads Hindi")
        self.assertNotEqual(alert.summary, emergency.with_context(lang="en_US").summary)
        self.assertNotIn(fire.name, alert.summary)

    def test_the_citizens_link_opens_the_portal_in_their_language(self):
        grievance = self._grievance()
        stage_hi = self.stage_new.with_context(lang="hi_IN").name
        self.assertNotEqual(stage_hi, "New")
        hindi_link = grievance._citizen_params("hi_IN")["link"]
        english_link = grievance._citizen_params("en_US")["link"]
        self.assertIn("/hi/my/grievances/", hindi_link)
        self.assertIn("/en/my/grievances/", english_link)
        self.assertIn("access_token=", hindi_link)

        # The browser (a fresh visitor) says English; the link says Hindi.
        url = urlsplit(hindi_link)
        page = self.url_open(f"{url.path}?{url.query}", headers={"Accept-Language": "en-US,en;q=0.9"})
        self.assertEqual(page.status_code, 200)
        self.assertIn(f'data-state="new">{stage_hi}<', page.text)

        # A browser that read the Hindi page before still gets the English citizen's link in English.
        url = urlsplit(english_link)
        page = self.url_open(f"{url.path}?{url.query}")
        self.assertEqual(page.status_code, 200)
        self.assertIn('data-state="new">New<', page.text)

    def test_the_resolve_activity_follows_its_assignee_into_their_language(self):
        resolve = self.env.ref("mp15_grievance.mail_activity_type_resolve")
        self.officer_a2.lang = "hi_IN"
        grievance = self._grievance(category=self.category_a)
        activity = grievance.activity_ids.filtered(lambda a: a.activity_type_id == resolve)
        self.assertEqual((activity.user_id, activity.summary), (self.head_a, resolve.summary))
        grievance.user_id = self.officer_a2
        activity = grievance.activity_ids.filtered(lambda a: a.activity_type_id == resolve)
        self.assertEqual(activity.user_id, self.officer_a2)
        self.assertEqual(activity.summary, resolve.with_context(lang="hi_IN").summary)

    def test_an_english_reader_keeps_english_ward_names_after_a_hindi_citizen_update(self):
        """The citizen's Hindi update names the ward in Hindi; the English head's form still says "Ward 901 · …"."""
        self.citizen.partner_id.lang = "hi_IN"
        grievance = self._grievance(category=self.category_a)
        spec = {"ward_id": {"fields": {"display_name": {}}}, "sla_time_left": {}}
        head = grievance.with_user(self.head_a).with_context(lang="en_US")
        (saved,) = head.web_save({"stage_id": self.stage_in_progress.id}, specification=spec)
        update = grievance.message_ids.filtered(lambda m: m.author_id == self.env.ref("base.partner_root"))[:1]
        self.assertIn(self.stage_in_progress.with_context(lang="hi_IN").name, update.body, "told in Hindi")
        self.assertEqual(saved["ward_id"]["display_name"], "Ward 901 · Teen Batti (test)")
        self.assertTrue(saved["sla_time_left"].startswith("due in"), saved["sla_time_left"])
        self.assertEqual(grievance.with_context(lang="hi_IN").ward_id.display_name, "वार्ड 901 · Teen Batti (test)")

    def test_odoos_own_words_reach_hindi_readers(self):
        """Odoo's web, mail and portal leave these words empty in Hindi: the addon's i18n_extra/hi.po fills them."""
        response = self.url_open("/web/webclient/translations/1?lang=hi_IN")
        terms = {m["id"]: m["string"] for module in response.json()["modules"].values() for m in module["messages"]}
        expected = {
            "Yesterday": "कल",
            "Search...": "खोजें...",
            "Send message": "संदेश भेजें",
            "Log note": "नोट लिखें",
            "The conversation is empty.": "अभी कोई बातचीत नहीं है।",
        }
        self.assertEqual({english: terms.get(english) for english in expected}, expected)
        self.assertIn("मेरा खाता", self.env.ref("portal.portal_layout").with_context(lang="hi_IN").arch_db)
        self.assertIn("My account", self.env.ref("portal.portal_layout").with_context(lang="en_US").arch_db)


@tagged("post_install", "-at_install", "mp15_languages")
class TestControlRoom(ConversationHelpers, HttpCase, Mp15Case):
    """The control room's number the emergency reply gives is the commissioner's setting, not a fixed text."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("hi_IN")
        cls.env["ir.module.module"]._load_module_terms(["mp15_grievance"], ["hi_IN"])
        cls.graph = FakeGraphApi().start()
        cls.addClassCleanup(cls.graph.stop)
        cls.env["mp15.whatsapp.account"].search([]).active = False
        cls.account = create_account(cls.env, graph_url=cls.graph.graph_url)

    def test_the_emergency_reply_gives_the_control_room_number_from_settings(self):
        settings = self.env["mp15.grievance.settings"].with_user(self.manager).create({})
        self.assertEqual(settings.mp15_control_room_phone, "07582-220000")
        self.assertTrue(settings.mp15_control_room_is_placeholder, "Settings say it is the demo's placeholder")

        first = Citizen(self, "919812345671")
        numbers = first.say("मेरे घर के पास आग लग गई है")[0]
        self.assertReplies(numbers, ["emergency_numbers"])
        self.assertIn("\n07582-220000 — ", numbers.body)
        self.assertNotIn("{control_room}", numbers.body)

        settings.mp15_control_room_phone = " 07582-244100 "
        settings.action_save()
        self.assertFalse(
            self.env["mp15.grievance.settings"].with_user(self.manager).create({}).mp15_control_room_is_placeholder
        )
        second = Citizen(self, "919812345672")
        numbers = second.say("मेरे घर के पास आग लग गई है")[0]
        self.assertIn("\n07582-244100 — ", numbers.body)
        self.assertNotIn("07582-220000", numbers.body)
        english = self.env["mp15.bot.text"]._render("emergency_numbers", "en_US")
        self.assertIn("07582-244100 — Sagar Municipal Corporation control room", english)
