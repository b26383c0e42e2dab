"""Citizens the WhatsApp processing handles together between two commits (models/processing_batch.py).

The grievances filed in a batch get their bookkeeping (the Resolve activity, emergency alerts) once
for the whole batch, before its commit: every one of them must still end up with exactly what a
grievance filed on its own gets.
"""

from markupsafe import Markup

from odoo import SUPERUSER_ID, api
from odoo.tests import BaseCase, HttpCase, tagged
from odoo.tools import mute_logger

from ..models.processing_batch import ProcessingBatch
from .common import Mp15Case, SeparateConnections
from .test_whatsapp_conversation import NO_WATER_HI
from .whatsapp_common import Citizen, ConversationHelpers, start_graph_and_account

FIRE_HI = "हमारी गली में एक घर में आग लग गई है जल्दी आइए"


@tagged("post_install", "-at_install", "mp15_whatsapp")
class TestProcessingBatch(ConversationHelpers, Mp15Case, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        start_graph_and_account(cls)
        cls.env.ref("mp15_grievance.department_water_supply").head_id = cls.head_a
        cls.env.ref("mp15_grievance.department_fire_emergency").head_id = cls.head_b
        cls.resolve = cls.env.ref("mp15_grievance.mail_activity_type_resolve")
        cls.emergency = cls.env.ref("mp15_grievance.mail_activity_type_emergency")

    def test_citizens_filing_together_each_get_their_activity_reply_and_words_in_the_chatter(self):
        citizens = [Citizen(self, f"9198123470{number:02d}", f"Citizen {number}") for number in range(6)]
        for citizen in citizens:
            citizen.say(NO_WATER_HI, run=False)
        fire = Citizen(self, "919812347099", "Citizen on fire")
        fire.say(FIRE_HI, run=False)
        self.run_bot()  # one processing run for all seven

        for citizen in [*citizens, fire]:
            grievance = citizen.grievances
            self.assertEqual(len(grievance), 1, citizen.phone)
            resolve = grievance.activity_ids.filtered(lambda activity: activity.activity_type_id == self.resolve)
            self.assertEqual(len(resolve), 1, f"{grievance.name}: one Resolve activity")
            self.assertEqual(resolve.user_id, grievance._responsible_user())
            self.assertEqual(resolve.date_deadline, grievance._local_date(grievance.sla_deadline))
            # The chatter opens with the citizen's own words, not a "Grievance created" line.
            first = grievance.message_ids.sorted("id")[:1]
            self.assertIn(Markup.escape(NO_WATER_HI if citizen is not fire else FIRE_HI), first.body)
            told = self.env["mp15.whatsapp.message"].search(
                [("direction", "=", "out"), ("phone", "=", citizen.phone), ("grievance_id", "=", grievance.id)]
            )
            self.assertTrue(any(grievance.name in body for body in told.mapped("body")), "the reference was sent")

        filed_fire = fire.grievances
        self.assertEqual(filed_fire.priority, "2")
        alert = filed_fire.activity_ids.filtered(lambda activity: activity.activity_type_id == self.emergency)
        self.assertEqual(alert.user_id, self.head_b, "the fire head is alerted within the batch")
        self.assertFalse(
            (self.env["mp15.grievance"].search([("phone", "in", [c.phone for c in citizens])])).activity_ids.filtered(
                lambda activity: activity.activity_type_id == self.emergency
            ),
            "and nobody else",
        )

    def test_new_citizens_writing_together_get_one_contact_each(self):
        """Contacts of first-time citizens are created together, before their messages are handled: each gets
        exactly one, named from their WhatsApp profile; a number that already has a contact keeps it, also
        one staff archived (the citizen is answered and filed under it, not refused)."""
        Partner = self.env["res.partner"].with_context(active_test=False)
        newcomers = [Citizen(self, f"9198123480{number:02d}", f"Newcomer {number}") for number in range(3)]
        known = Citizen(self, "919812348050", "Profile name of a known citizen")
        known_contact = Partner.create({"name": "Known citizen", "mp15_phone": known.phone})
        archived = Citizen(self, "919812348051", "Profile name of an archived contact")
        archived_contact = Partner.create({"name": "Archived contact", "mp15_phone": archived.phone, "active": False})
        for citizen in [*newcomers, known, archived]:
            citizen.say(NO_WATER_HI, run=False)
        newcomers[0].say("और बिजली भी नहीं है", run=False)  # a second message: still one contact
        self.run_bot()

        for citizen in [*newcomers, known, archived]:
            contacts = Partner.search([("mp15_phone", "=", citizen.phone)])
            self.assertEqual(len(contacts), 1, citizen.phone)
            self.assertEqual(citizen.partner, contacts, f"{citizen.phone}: the conversation's contact")
            self.assertEqual(len(citizen.grievances), 1, f"{citizen.phone}: filed")
        self.assertEqual([c.partner.name for c in newcomers], ["Newcomer 0", "Newcomer 1", "Newcomer 2"])
        self.assertEqual((known.partner, known.partner.name), (known_contact, "Known citizen"))
        self.assertEqual(archived.partner, archived_contact)
        self.assertFalse(
            self.env["mp15.whatsapp.message"].search([("phone", "=", archived.phone), ("state", "=", "error")])
        )

    def test_a_grievance_undone_with_its_citizen_is_left_out_of_the_bookkeeping(self):
        """A citizen's savepoint rolled back takes their grievance away: the batch skips it, keeps the rest."""
        batch = ProcessingBatch(self.env)
        later = self.env["mp15.grievance"].with_context(mp15_bookkeeping_later=True)
        kept = later.create({"category_id": self.category_a.id, "description": "kept", "phone": "+919812347201"})
        self.assertFalse(kept.activity_ids, "nothing yet: the batch does it")
        batch.add_filed(kept)
        with self.env.cr.savepoint() as savepoint:
            undone = later.create({"category_id": self.category_a.id, "description": "undone"})
            batch.add_filed(undone)
            savepoint.rollback()
        self.env.invalidate_all()
        self.assertEqual(batch.finish(), kept)
        self.assertEqual(kept.activity_ids.activity_type_id, self.resolve)
        self.assertEqual(kept.activity_ids.user_id, self.head_a, "the department head, nobody assigned yet")
        self.assertEqual(batch.filed_ids, [], "the next batch starts empty")


@tagged("post_install", "-at_install", "mp15_whatsapp")
class TestProcessingBatchRetried(SeparateConnections, BaseCase):
    """A retryable error in the batch's bookkeeping rolls the batch back, to be handled again; never a
    grievance committed without its Resolve activity. Real, separate connections with committed rows."""

    def test_a_follower_added_by_another_process_meanwhile_rolls_the_batch_back(self):
        phone = "+919812347301"
        with self.connect() as cr, self.connect() as other_cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            batch = ProcessingBatch(env)
            water = env.ref("mp15_grievance.category_water")
            grievance = (
                env["mp15.grievance"]
                .with_context(mp15_bookkeeping_later=True)
                .create({"category_id": water.id, "description": "retry", "phone": phone})
            )
            head = grievance._responsible_user()
            self.assertTrue(head, "the demo water department has a head")
            batch.add_filed(grievance)
            batch.handled = 1
            # Another process makes the head a follower of that grievance and commits first: the Resolve
            # activity's subscription then meets a unique violation, which a fresh transaction cures.
            other_cr.execute(
                "INSERT INTO mail_followers (res_model, res_id, partner_id) VALUES ('mp15.grievance', %s, %s)",
                [grievance.id, head.partner_id.id],
            )
            other_cr.commit()  # pylint: disable=invalid-commit
            grievance_id = grievance.id
            try:
                with mute_logger("odoo.sql_db"):
                    batch.commit()
                env.invalidate_all()
                self.assertFalse(
                    env["mp15.grievance"].with_context(active_test=False).search([("phone", "=", phone)]),
                    "rolled back, to be filed again from its message; not committed without its activity",
                )
                self.assertEqual(batch.filed_ids, [])
            finally:
                other_cr.execute(
                    "DELETE FROM mail_followers WHERE res_model = 'mp15.grievance' AND res_id = %s", [grievance_id]
                )
                other_cr.commit()  # pylint: disable=invalid-commit
                cr.rollback()
                env["mp15.grievance"].with_context(active_test=False).search([("phone", "=", phone)]).unlink()
                cr.commit()  # pylint: disable=invalid-commit
