"""Simulator chats stay apart from real citizens, even from a number a real citizen files from."""

from unittest.mock import patch

from odoo.tests import new_test_user, tagged

from .common import SimulatorCase

WEBHOOK_PATH = "/mp15/whatsapp/webhook"
REAL_PHONE = "+919876500011"
COMPLAINT = "gali me street light 1 hafte se band hai"


@tagged("post_install", "-at_install")
class TestSimulatorKeepsOffRealCitizens(SimulatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        accounts = cls.env["mp15.whatsapp.account"]
        # The simulator is the only number: the case where a fallback onto it would be tempting.
        (accounts.search([]) - cls.account).active = False
        cls.manager = new_test_user(cls.env, "sim_real_manager", groups="mp15_grievance.group_manager")
        cls.simulator = cls.env["mp15.whatsapp.simulator"].with_user(cls.manager)
        cls.citizen = cls.env["res.partner"].create({"name": "Ramesh Yadav", "mp15_phone": REAL_PHONE})
        cls.real_grievance = cls.env["mp15.grievance"].create(
            {
                "category_id": cls.env.ref("mp15_grievance.category_water").id,
                "description": "No water in Shivaji ward for three days",
                "partner_id": cls.citizen.id,
                "phone": REAL_PHONE,
            }
        )

    def chat(self, text, name="Trainee"):
        """The chat page's round trip: a signed webhook from the simulated phone, then the bot's turn."""
        prepared = self.simulator.prepare_webhook(REAL_PHONE, name, "text", {"body": text})
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": prepared["signature"]}
        self.assertEqual(self.url_open(WEBHOOK_PATH, data=prepared["body"].encode(), headers=headers).status_code, 200)
        with patch.object(self.env.cr, "commit", self.env.cr.flush):
            self.env["mp15.whatsapp.conversation"]._cron_process()
            self.env["mp15.whatsapp.message"]._cron_send()
        self.env.invalidate_all()

    def test_a_chat_from_a_real_citizens_number_lands_on_a_simulated_citizen(self):
        self.chat(COMPLAINT)
        conversation = self.env["mp15.whatsapp.conversation"].search(
            [("account_id", "=", self.account.id), ("phone", "=", REAL_PHONE)]
        )
        simulated = conversation.partner_id
        self.assertTrue(simulated)
        self.assertNotEqual(simulated, self.citizen)
        self.assertTrue(simulated.mp15_simulated)
        self.assertIn("simulated", simulated.name)

        filed = self.env["mp15.grievance"].search([("partner_id", "=", simulated.id)])
        self.assertEqual(len(filed), 1, "the complaint was filed, for the simulated citizen")
        self.assertFalse(simulated.mp15_phone, "the real number stays the real citizen's")
        self.assertEqual(self.citizen.mp15_phone, REAL_PHONE)
        self.assertEqual(
            self.env["mp15.grievance"].search([("partner_id", "=", self.citizen.id)]),
            self.real_grievance,
            "nothing new lands on the real citizen",
        )

        # Asking for the real citizen's grievance by its reference reveals nothing of it.
        self.chat(self.real_grievance.name)
        sim_messages = self.env["mp15.whatsapp.message"].search([("account_id", "=", self.account.id)])
        self.assertFalse(sim_messages.filtered(lambda m: m.grievance_id == self.real_grievance))
        self.assertFalse(sim_messages.filtered(lambda m: m.partner_id == self.citizen))
        replies = " ".join(sim_messages.filtered(lambda m: m.direction == "out").mapped("body"))
        self.assertTrue(replies, "the bot answered on the simulator")
        self.assertNotIn("Shivaji", replies)

    def test_the_chat_page_does_not_name_the_real_citizen(self):
        self.assertEqual(self.simulator.check_citizen(REAL_PHONE)["name"], "")
        self.chat("namaste", name="Trainee")
        self.assertEqual(self.simulator.check_citizen(REAL_PHONE)["name"], "Trainee")
        self.assertNotIn("Ramesh", str(self.simulator.citizens()))

    def test_real_citizens_are_never_written_to_through_the_simulator(self):
        Conversation = self.env["mp15.whatsapp.conversation"]
        self.assertFalse(self.env["mp15.whatsapp.account"]._default_account())
        self.assertFalse(Conversation._for_partner(self.citizen))
        self.chat(COMPLAINT)  # a simulator conversation from the citizen's own number now exists
        self.assertFalse(Conversation._for_partner(self.citizen))
        self.assertFalse(Conversation.search([("partner_id", "=", self.citizen.id)]))
