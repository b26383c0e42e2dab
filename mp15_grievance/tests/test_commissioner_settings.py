"""The commissioner's settings without the administrator's right, and bot texts side by side in Hindi and English."""

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import Mp15Case


@tagged("post_install", "-at_install")
class TestCommissionerSettings(Mp15Case):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.parameters = cls.env["ir.config_parameter"].sudo()
        cls.bot_text = cls.env.ref("mp15_grievance.bot_text_language_set")

    def _settings(self, user, **values):
        return self.env["mp15.grievance.settings"].with_user(user).create(values)

    # ------------------------------------------------------------------ settings

    def test_commissioner_is_no_system_administrator(self):
        self.assertFalse(self.manager.has_group("base.group_system"))
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(self.manager).create({})

    def test_commissioner_opens_the_stored_settings(self):
        self.parameters.set_param("mp15_grievance.sla_at_risk_percent", "70")
        self.parameters.set_param("mp15_grievance.verification_percent", "0")
        self.parameters.set_param("mp15_grievance.verifier_id", str(self.head_a.id))
        form = self.env["mp15.grievance.settings"].with_user(self.manager)
        values = form.default_get(list(form._fields))
        self.assertEqual(values["mp15_sla_at_risk_percent"], 70)
        self.assertEqual(values["mp15_verification_percent"], 0)
        self.assertEqual(values["mp15_verifier_id"], self.head_a.id)

    def test_commissioner_saves_the_settings(self):
        settings = self._settings(
            self.manager,
            mp15_sla_at_risk_percent=60,
            mp15_progress_update_hours=6,
            mp15_feedback_days=5,
            mp15_verification_percent=0,
            mp15_commissioner_id=self.manager.id,
            mp15_verifier_id=self.head_b.id,
        )
        action = settings.action_save()
        self.assertEqual(action["params"]["type"], "success")
        stored = {
            key: self.parameters.get_param(f"mp15_grievance.{key}")
            for key in (
                "sla_at_risk_percent",
                "progress_update_hours",
                "feedback_days",
                "verification_percent",
                "commissioner_id",
                "verifier_id",
            )
        }
        self.assertEqual(
            stored,
            {
                "sla_at_risk_percent": "60",
                "progress_update_hours": "6",
                "feedback_days": "5",
                "verification_percent": "0",
                "commissioner_id": str(self.manager.id),
                "verifier_id": str(self.head_b.id),
            },
        )
        self.assertEqual(self.env["mp15.grievance"]._at_risk_ratio(), 0.6)

    def test_a_new_at_risk_percent_moves_the_open_grievances_threshold(self):
        grievance = self._grievance()
        deadline, at_risk_before = grievance.sla_deadline, grievance.sla_at_risk_at
        self.parameters.set_param("mp15_grievance.sla_at_risk_percent", "75")
        self._settings(self.manager, mp15_sla_at_risk_percent=50).action_save()
        grievance.invalidate_recordset()
        self.assertEqual(grievance.sla_deadline, deadline)
        self.assertNotEqual(grievance.sla_at_risk_at, at_risk_before)
        self.assertEqual(
            grievance.sla_deadline - grievance.sla_at_risk_at, (grievance.sla_deadline - grievance.date_filed) / 2
        )

    def test_heads_and_officers_neither_see_nor_save_the_settings(self):
        form = self.env["mp15.grievance.settings"]
        settings = form.create({"mp15_sla_at_risk_percent": 50})
        for user in (self.head_a, self.officer_a, self.councillor_1):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    form.with_user(user).default_get(["mp15_sla_at_risk_percent"])
                with self.assertRaises(AccessError):
                    form.with_user(user).create({"mp15_sla_at_risk_percent": 50})
                with self.assertRaises(AccessError):
                    settings.with_user(user).action_save()
        self.assertNotEqual(self.parameters.get_param("mp15_grievance.sla_at_risk_percent"), "50")

    def test_an_invalid_value_is_refused_as_on_the_settings_page(self):
        message = "The at-risk threshold is a percentage between 1 and 99."
        with self.assertRaisesMessage(ValidationError, message):
            self._settings(self.manager, mp15_sla_at_risk_percent=100)
        with self.assertRaisesMessage(ValidationError, message):
            self.env["res.config.settings"].create({"mp15_sla_at_risk_percent": 100})
        with self.assertRaisesMessage(ValidationError, "within 24 hours of filing"):
            self._settings(self.manager, mp15_progress_update_hours=30)

    def test_the_settings_menu_is_the_commissioners(self):
        menu = self.env.ref("mp15_grievance.mp15_grievance_settings_menu")
        action = self.env.ref("mp15_grievance.mp15_grievance_settings_action")
        self.assertEqual(action.res_model, "mp15.grievance.settings")
        visible = self.env["ir.ui.menu"].with_user(self.manager)._visible_menu_ids()
        self.assertIn(menu.id, visible)
        self.assertNotIn(menu.id, self.env["ir.ui.menu"].with_user(self.head_a)._visible_menu_ids())

    # ------------------------------------------------------------------ bot texts

    def test_bot_text_shows_hindi_and_english_side_by_side(self):
        text = self.bot_text.with_user(self.manager)
        self.assertEqual(text.text_hi, self.bot_text.with_context(lang="hi_IN").text)
        self.assertEqual(text.text_en, self.bot_text.with_context(lang="en_US").text)
        self.assertNotEqual(text.text_hi, text.text_en)

    def test_editing_the_hindi_text_changes_only_hindi(self):
        english = self.bot_text.with_context(lang="en_US").text
        self.bot_text.with_user(self.manager).text_hi = "भाषा बदल गई।"
        self.bot_text.invalidate_recordset()
        self.assertEqual(self.bot_text.with_context(lang="hi_IN").text, "भाषा बदल गई।")
        self.assertEqual(self.bot_text.with_context(lang="en_US").text, english)
        self.assertEqual(self.env["mp15.bot.text"]._render("language_set", "hi_IN"), "भाषा बदल गई।")

    def test_editing_the_english_text_changes_only_english(self):
        hindi = self.bot_text.with_context(lang="hi_IN").text
        self.bot_text.with_user(self.manager).text_en = "Language changed."
        self.bot_text.invalidate_recordset()
        self.assertEqual(self.bot_text.with_context(lang="en_US").text, "Language changed.")
        self.assertEqual(self.bot_text.with_context(lang="hi_IN").text, hindi)

    def test_both_languages_in_one_save_may_take_a_new_placeholder(self):
        self.bot_text.with_user(self.manager).write(
            {"text_en": "Language changed, {name}.", "text_hi": "भाषा बदल गई, {name}।"}
        )
        self.bot_text.invalidate_recordset()
        self.assertEqual(self.bot_text.text_en, "Language changed, {name}.")
        self.assertEqual(self.bot_text.text_hi, "भाषा बदल गई, {name}।")

    def test_a_wrong_placeholder_in_hindi_is_refused(self):
        text = self.env.ref("mp15_grievance.bot_text_filed").with_user(self.manager)
        with self.assertRaisesMessage(ValidationError, "broken placeholder"):
            text.text_hi = "आपकी शिकायत {ref दर्ज हो गई है।"
        with self.assertRaisesMessage(ValidationError, "{sandarbh}"):
            text.text_hi = "आपकी शिकायत {sandarbh} दर्ज हो गई है।"
        with self.assertRaisesMessage(ValidationError, "broken placeholder"):
            text.text_en = "Your complaint {ref is filed."

    def test_the_language_dialog_is_checked_too(self):
        text = self.bot_text.with_user(self.manager)
        with self.assertRaisesMessage(ValidationError, "{sandarbh}"):
            text.update_field_translations("text", {"hi_IN": "भाषा {sandarbh} बदल गई।"})
        text.update_field_translations("text", {"hi_IN": "भाषा बदली।"})
        self.assertEqual(self.env["mp15.bot.text"]._render("language_set", "hi_IN"), "भाषा बदली।")
