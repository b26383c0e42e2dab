"""Announcements from the citizen's side: opting in and out on WhatsApp, then who a broadcast reaches."""

from unittest.mock import patch

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import Mp15Case
from .whatsapp_common import WABA_ID, Citizen, ConversationHelpers, start_graph_and_account


@tagged("post_install", "-at_install", "mp15_whatsapp")
class TestAnnouncementsBot(ConversationHelpers, Mp15Case, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        start_graph_and_account(cls, waba_id=WABA_ID, rate_limit_mps=50)
        cls.manager_2 = new_test_user(
            env, "test_commissioner_2", groups="mp15_grievance.group_manager", name="Deputy Commissioner"
        )
        cls.notice = env["mp15.whatsapp.template"].create(
            {"name": "water_supply_notice", "language": "hi", "category": "utility", "status": "approved"}
            | {"account_id": cls.account.id, "body": "वार्ड {{1}} में कल पानी की सप्लाई बंद रहेगी।"}
        )

    def setUp(self):
        super().setUp()
        self.graph.reset()

    def ward_title(self, ward):
        return ward.with_context(lang="hi_IN").display_name

    def opt_in_from_the_menu(self, citizen):
        """Menu → Announcements → Yes: the consent text, then the ward question (returned)."""
        *_welcome, menu = citizen.say("menu")  # the welcome first if it is the citizen's first message
        [consent] = citizen.tap(menu, option_id="menu:announce")
        self.assertReplies(consent, ["announce_consent"])
        self.assertEqual(
            [option["title"] for option in self.options(consent)],
            [self.text("button_announce_yes"), self.text("button_announce_no")],
        )
        self.assertFalse(citizen.partner.mp15_whatsapp_opt_in, "nothing recorded before the citizen agrees")
        [ward_question] = citizen.tap(consent, option_id="announce:yes")
        return ward_question

    # ------------------------------------------------------------------ opting in

    def test_opting_in_from_the_menu_records_the_bot_the_ward_and_the_date(self):
        sunita = Citizen(self, "919812345651", "Sunita Patel")
        sunita.say("नमस्ते")
        self._grievance(ward=self.ward_2, partner_id=sunita.partner.id)
        self.assertIn("सागर नगर निगम", self.text("announce_consent"))

        confirm = self.opt_in_from_the_menu(sunita)
        self.assertReplies(confirm, ["announce_confirm_ward"])
        self.assertIn(self.ward_title(self.ward_2), confirm.body, "the ward of her last complaint is proposed")
        ward_button = self.env["mp15.bot.text"]._render("button_announce_ward", "hi_IN", number=902)
        self.assertEqual(
            [option["title"] for option in self.options(confirm)],
            [ward_button, self.text("button_announce_other_ward")],
        )
        before = fields.Datetime.now().replace(microsecond=0)
        [done] = sunita.tap(confirm, title=ward_button)
        self.assertReplies(done, ["announce_done"])
        self.assertIn(self.ward_title(self.ward_2), done.body)
        self.assertRecordValues(
            sunita.partner,
            [{"mp15_whatsapp_opt_in": True, "mp15_opt_in_source": "bot", "mp15_ward_id": self.ward_2.id}],
        )
        self.assertGreaterEqual(sunita.partner.mp15_opt_in_date, before)

    def test_another_ward_by_its_number_or_by_a_pin(self):
        ramesh = Citizen(self, "919812345652", "Ramesh")
        ask = self.opt_in_from_the_menu(ramesh)
        self.assertReplies(ask, ["announce_ask_ward"])  # no ward known: asked at once
        [again] = ramesh.say("पता नहीं क्या")
        self.assertReplies(again, ["announce_invalid_ward"])
        [done] = ramesh.say("वार्ड 901")
        self.assertReplies(done, ["announce_done"])
        self.assertIn(self.ward_title(self.ward_1), done.body)
        self.assertRecordValues(ramesh.partner, [{"mp15_opt_in_source": "bot", "mp15_ward_id": self.ward_1.id}])

        # Later, from the menu again: already opted in; another ward, by a pin in ward 902.
        [menu] = ramesh.say("menu")
        [already] = ramesh.tap(menu, option_id="menu:announce")
        self.assertReplies(already, ["announce_already"])
        self.assertIn(self.ward_title(self.ward_1), already.body)
        [ask] = ramesh.tap(already, title=self.text("button_announce_other_ward"))
        self.assertReplies(ask, ["announce_ask_ward"])
        [done] = ramesh.pin(*self.POINT_WARD_2)
        self.assertIn(self.ward_title(self.ward_2), done.body)
        self.assertRecordValues(ramesh.partner, [{"mp15_whatsapp_opt_in": True, "mp15_ward_id": self.ward_2.id}])

    def test_a_ward_the_city_does_not_have_keeps_the_consent_for_the_whole_city(self):
        asha = Citizen(self, "919812345653", "Asha")
        self.opt_in_from_the_menu(asha)
        [done] = asha.say("वार्ड 777")
        self.assertIn(self.text("announce_whole_city"), done.body)
        self.assertRecordValues(asha.partner, [{"mp15_whatsapp_opt_in": True, "mp15_ward_id": False}])

    def test_no_to_the_consent_records_nothing(self):
        mohan = Citizen(self, "919812345654", "Mohan")
        _welcome, menu = mohan.say("menu")
        [consent] = mohan.tap(menu, option_id="menu:announce")
        [declined] = mohan.tap(consent, title=self.text("button_announce_no"))
        self.assertReplies(declined, ["announce_declined"])
        self.assertRecordValues(mohan.partner, [{"mp15_whatsapp_opt_in": False, "mp15_opt_in_source": False}])

    # ------------------------------------------------------------------ opting out

    def test_already_opted_in_is_told_so_and_the_stop_button_ends_it(self):
        geeta = Citizen(self, "919812345655", "Geeta")
        geeta.say("नमस्ते")
        geeta.partner._mp15_set_announcements(True, "office", self.ward_1)
        [menu] = geeta.say("menu")
        [already] = geeta.tap(menu, option_id="menu:announce")
        self.assertReplies(already, ["announce_already"])
        self.assertIn(self.ward_title(self.ward_1), already.body)
        [stopped] = geeta.tap(already, title=self.text("button_announce_stop"))
        self.assertReplies(stopped, ["opted_out"])
        self.assertRecordValues(geeta.partner, [{"mp15_whatsapp_opt_in": False, "mp15_opt_in_source": "bot"}])
        self.assertEqual(geeta.partner.mp15_ward_id, self.ward_1, "the ward stays for when she opts in again")

    def test_stop_and_start_are_recorded_as_keywords(self):
        vikas = Citizen(self, "919812345656", "Vikas")
        self.opt_in_from_the_menu(vikas)
        vikas.say("वार्ड 902")
        self.assertEqual(vikas.partner.mp15_opt_in_source, "bot")
        [stopped] = vikas.say("बंद")
        self.assertReplies(stopped, ["opted_out"])
        self.assertRecordValues(vikas.partner, [{"mp15_whatsapp_opt_in": False, "mp15_opt_in_source": "keyword"}])
        vikas.say("START")
        self.assertRecordValues(
            vikas.partner,
            [{"mp15_whatsapp_opt_in": True, "mp15_opt_in_source": "keyword", "mp15_ward_id": self.ward_2.id}],
        )

    # ------------------------------------------------------------------ who a broadcast reaches

    def test_a_broadcast_reaches_only_the_opted_in_citizen_of_that_ward(self):
        in_ward_1 = Citizen(self, "919812345657", "In ward 901")
        self.opt_in_from_the_menu(in_ward_1)
        in_ward_1.say("901")
        in_ward_2 = Citizen(self, "919812345658", "In ward 902")
        self.opt_in_from_the_menu(in_ward_2)
        in_ward_2.say("902")
        stopped = Citizen(self, "919812345659", "Stopped")
        self.opt_in_from_the_menu(stopped)
        stopped.say("901")
        stopped.say("STOP")
        declined = Citizen(self, "919812345660", "Declined")
        _welcome, menu = declined.say("menu")
        [consent] = declined.tap(menu, option_id="menu:announce")
        declined.tap(consent, option_id="announce:no")
        self.graph.reset()

        broadcast = (
            self.env["mp15.broadcast"]
            .with_user(self.manager)
            .create(
                {
                    "name": "पानी की सप्लाई बंद",
                    "account_id": self.account.id,
                    "template_id": self.notice.id,
                    "parameters": "901",
                    "ward_ids": [(6, 0, self.ward_1.ids)],
                }
            )
        )
        broadcast.action_submit()
        broadcast.with_user(self.manager_2).action_approve()
        self.env["mp15.broadcast"]._cron_run()
        self.assertEqual(broadcast.recipient_ids.partner_id, in_ward_1.partner)
        with patch.object(self.env.cr, "commit", self.env.cr.flush):
            self.env["mp15.whatsapp.message"]._cron_send()
        self.env.invalidate_all()
        templates = [payload for payload in self.graph.sent_messages if payload.get("type") == "template"]
        self.assertEqual([payload["to"] for payload in templates], [in_ward_1.phone])
        self.assertEqual(templates[0]["template"]["name"], "water_supply_notice")
