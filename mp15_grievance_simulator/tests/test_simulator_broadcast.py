"""The simulated citizen opts in to announcements through the bot's menu, then sees a broadcast arrive."""

from unittest.mock import patch

from odoo.tests import new_test_user, tagged

from .common import SimulatorCase

WEBHOOK_PATH = "/mp15/whatsapp/webhook"
CITIZEN = "+917987123470"


@tagged("post_install", "-at_install")
class TestSimulatorBroadcast(SimulatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(cls.env, "sim_manager", groups="mp15_grievance.group_manager", name="Sim Manager")
        cls.manager_2 = new_test_user(cls.env, "sim_manager_2", groups="mp15_grievance.group_manager")
        cls.simulator = cls.env["mp15.whatsapp.simulator"].with_user(cls.manager)
        cls.ward = cls.env["mp15.ward"].create({"number": 961, "name": "Simulated ward"})
        cls.notice = cls.env["mp15.whatsapp.template"].create(
            {"name": "water_supply_notice", "language": "hi", "category": "utility", "status": "approved"}
            | {"account_id": cls.account.id, "body": "वार्ड {{1}} में {{2}} को पानी की सप्लाई बंद रहेगी।"}
        )

    def run_bot(self):
        with patch.object(self.env.cr, "commit", self.env.cr.flush):
            self.env["mp15.whatsapp.conversation"]._cron_process()
            self.env["mp15.whatsapp.message"]._cron_send()
        self.env.invalidate_all()

    def last_reply(self, kind, data):
        """What the chat page does: the citizen's message through the webhook; the bot's last answer back."""
        before = self.env["mp15.whatsapp.message"].search([], order="id desc", limit=1).id
        prepared = self.simulator.prepare_webhook(CITIZEN, "Kavita", kind, data)
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": prepared["signature"]}
        self.assertEqual(self.url_open(WEBHOOK_PATH, data=prepared["body"].encode(), headers=headers).status_code, 200)
        self.run_bot()
        entries = self.simulator.transcript(CITIZEN, after_id=before)
        replies = [entry for entry in entries if entry["direction"] == "out"]
        self.assertTrue(replies, "the bot answered")
        return replies[-1]

    def option(self, entry, option_id):
        interactive = entry["interactive"]
        options = interactive.get("buttons") or [row for s in interactive.get("sections", []) for row in s["rows"]]
        self.assertIn(option_id, [option["id"] for option in options])
        return {"message_id": entry["id"], "reply_id": option_id}

    def test_opt_in_from_the_menu_then_a_broadcast_arrives_then_stop(self):
        menu = self.last_reply("text", {"body": "menu"})
        consent = self.last_reply("list_reply", self.option(menu, "menu:announce"))
        self.assertIn("STOP", consent["body"])
        ask_ward = self.last_reply("button_reply", self.option(consent, "announce:yes"))
        self.assertFalse(ask_ward["interactive"], "no ward known yet: the citizen types it")
        done = self.last_reply("text", {"body": "वार्ड 961"})
        self.assertIn(self.ward.with_context(lang="hi_IN").display_name, done["body"])
        partner = (
            self.env["mp15.whatsapp.conversation"]
            .search([("account_id", "=", self.account.id), ("phone", "=", CITIZEN)])
            .partner_id
        )
        self.assertRecordValues(
            partner, [{"mp15_whatsapp_opt_in": True, "mp15_opt_in_source": "bot", "mp15_ward_id": self.ward.id}]
        )

        broadcast = (
            self.env["mp15.broadcast"]
            .with_user(self.manager)
            .create(
                {
                    "name": "पानी की सप्लाई बंद",
                    "account_id": self.account.id,
                    "template_id": self.notice.id,
                    "parameters": "961\nरविवार",
                    "ward_ids": [(6, 0, self.ward.ids)],
                }
            )
        )
        broadcast.action_submit()
        broadcast.with_user(self.manager_2).action_approve()
        before = self.env["mp15.whatsapp.message"].search([], order="id desc", limit=1).id
        self.env["mp15.broadcast"]._cron_run()
        self.run_bot()
        [arrived] = self.simulator.transcript(CITIZEN, after_id=before)
        self.assertEqual((arrived["direction"], arrived["type"], arrived["state"]), ("out", "template", "sent"))
        self.assertEqual(arrived["body"], "वार्ड 961 में रविवार को पानी की सप्लाई बंद रहेगी।", "the template, filled")
        self.assertEqual(arrived["template"], "water_supply_notice")
        self.assertEqual(arrived["broadcast"], "पानी की सप्लाई बंद")

        self.last_reply("text", {"body": "STOP"})
        self.assertRecordValues(partner, [{"mp15_whatsapp_opt_in": False, "mp15_opt_in_source": "keyword"}])
