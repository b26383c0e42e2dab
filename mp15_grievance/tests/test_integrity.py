"""The figures the corporation judges departments by: only the system and the citizen set them."""

import re
import threading
import time
from datetime import timedelta

from freezegun import freeze_time

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..models.mp15_grievance import SYSTEM_FIELDS
from ..models.processing_batch import ProcessingBatch
from .common import Mp15Case, SeparateConnections
from .whatsapp_common import Citizen, ConversationHelpers, create_account, start_graph_and_account

# A value of the right type for each field the reports count.
SYSTEM_VALUES = {
    "name": "MP15-2026-999999",
    "channel": "api",
    "date_filed": "2020-01-01 00:00:00",
    "date_reopened": "2020-01-01 00:00:00",
    "sla_hours": 999,
    "sla_deadline": "2030-01-01 00:00:00",
    "sla_at_risk_at": "2030-01-01 00:00:00",
    "sla_escalate_at": "2030-01-01 00:00:00",
    "sla_state": "met",
    "escalation_level": 0,
    "date_first_update": "2020-01-01 00:00:00",
    "date_resolved": "2020-01-01 00:00:00",
    "date_closed": "2020-01-01 00:00:00",
    "closure": "citizen",
    "rating": "satisfied",
    "reopen_count": 0,
    "verification_state": "confirmed",
    "verifier_id": 2,
    "verified_user_id": 2,
    "sla_breach_user_id": 2,
    "sla_breach_department_id": 1,
    "phone_verified": True,
    "access_token": "chosen-by-staff",
}


@tagged("post_install", "-at_install", "mp15_security")
class TestSystemKeptFields(Mp15Case):
    """Every field a report counts × every staff role × write, create and ``default_*``: refused."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.grievance = cls._grievance(phone="+919812300001")
        cls.grievance.user_id = cls.officer_a
        cls.staff = (cls.officer_a, cls.head_a, cls.manager)

    def run_sla(self):
        """The scheduler's way: call again while the action reports work."""
        for _call in range(50):
            done, remaining = self.env["mp15.grievance"]._cron_sla()
            if not (done or remaining):
                return

    def test_the_table_covers_every_system_field(self):
        self.assertEqual(set(SYSTEM_VALUES), set(SYSTEM_FIELDS) | {"access_token"})

    def test_no_staff_role_writes_a_system_field(self):
        for user in self.staff:
            for field, value in SYSTEM_VALUES.items():
                with self.subTest(user=user.login, field=field), self.assertRaises(AccessError):
                    self.grievance.with_user(user).write({field: value})
        self.assertEqual(self.grievance.sla_state, "on_track")
        self.assertFalse(self.grievance.rating)

    def test_no_staff_role_files_with_a_system_field(self):
        for user in self.staff:
            for field, value in SYSTEM_VALUES.items():
                with self.subTest(user=user.login, field=field), self.assertRaises(AccessError):
                    self.env["mp15.grievance"].with_user(user).create(
                        {"category_id": self.category_a.id, "description": "x", field: value}
                    )

    def test_no_staff_role_files_with_a_system_field_as_a_context_default(self):
        for user in self.staff:
            for field, value in SYSTEM_VALUES.items():
                if field == "name":
                    continue  # name "/" is how every filing asks for a reference
                Grievance = self.env["mp15.grievance"].with_user(user).with_context(**{f"default_{field}": value})
                with self.subTest(user=user.login, field=field), self.assertRaises(AccessError):
                    Grievance.create({"category_id": self.category_a.id, "description": "x"})

    def test_the_deadline_of_the_issue_cannot_be_moved(self):
        """The exploit as reported: an officer moved a deadline to 2030 over RPC."""
        deadline = self.grievance.sla_deadline
        with self.assertRaises(AccessError):
            self.grievance.with_user(self.officer_a).write({"sla_deadline": "2030-01-01 00:00:00"})
        self.assertEqual(self.grievance.sla_deadline, deadline)

    def test_a_filed_grievance_keeps_its_phone(self):
        for user in self.staff:
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.grievance.with_user(user).write({"phone": "+919812399999"})
        without = self._grievance(citizen=self.other_citizen)
        without.with_user(self.head_a).write({"phone": "+919812388888"})
        self.assertEqual(without.phone, "+919812388888", "a number can still be added where there was none")

    def test_the_flows_still_set_them(self):
        grievance = self._grievance(date_filed=fields.Datetime.now() - timedelta(hours=30))
        self.assertTrue(grievance.sla_deadline)
        self.run_sla()
        self.assertEqual(grievance.sla_state, "breached")
        self.assertGreaterEqual(grievance.escalation_level, 1)
        grievance.with_user(self.head_a).write(
            {
                "resolution_note": "Pipe repaired.",
                "delay_reason_id": self.env.ref("mp15_grievance.delay_reason_awaiting_material").id,
                "delay_reason": "The pipe came from Bhopal.",
                "stage_id": self.stage_resolved.id,
            }
        )
        self.assertEqual(grievance.sla_state, "missed")
        self.assertTrue(grievance.date_resolved)
        self.assertTrue(grievance._record_feedback(False, channel="test"))
        self.assertEqual((grievance.state, grievance.rating, grievance.reopen_count), ("new", "not_satisfied", 1))
        self.assertTrue(grievance.date_reopened)

    def test_staff_closure_is_not_a_citizen_confirmation(self):
        by_staff = self._grievance()
        by_staff.with_user(self.head_a).write({"resolution_note": "Done.", "stage_id": self.stage_closed.id})
        self.assertEqual((by_staff.closure, by_staff.rating), ("staff", False))

        by_citizen = self._grievance(channel="whatsapp")  # from the citizen's own number
        by_citizen.with_user(self.head_a).write({"resolution_note": "Done.", "stage_id": self.stage_resolved.id})
        by_citizen._record_feedback(True, channel="test")
        self.assertEqual((by_citizen.closure, by_citizen.rating), ("citizen", "satisfied"))

        silent = self._grievance()
        silent.with_user(self.head_a).write({"resolution_note": "Done.", "stage_id": self.stage_resolved.id})
        with freeze_time(fields.Datetime.now() + timedelta(days=8)):
            self.run_sla()
        self.assertEqual((silent.state, silent.closure), ("closed", "no_feedback"))

        reopened = self._grievance()
        reopened.with_user(self.head_a).write({"resolution_note": "Done.", "stage_id": self.stage_closed.id})
        reopened.with_user(self.head_a).write({"stage_id": self.stage_in_progress.id})
        self.assertFalse(reopened.closure, "an open grievance has no closure")

    def test_reports_show_confirmed_and_reopened_shares(self):
        confirmed = self._grievance(category=self.category_b, channel="whatsapp")
        confirmed.write({"resolution_note": "Done.", "stage_id": self.stage_resolved.id})
        confirmed._record_feedback(True, channel="test")
        by_staff = self._grievance(category=self.category_b)
        by_staff.write({"resolution_note": "Done.", "stage_id": self.stage_closed.id})
        reopened = self._grievance(category=self.category_b)
        reopened.write({"resolution_note": "Done.", "stage_id": self.stage_resolved.id})
        reopened._record_feedback(False, channel="test")
        self.env.flush_all()
        [row] = self.env["mp15.grievance.report"]._read_group(
            [
                ("department_id", "=", self.department_b.id),
                ("grievance_id", "in", (confirmed | by_staff | reopened).ids),
            ],
            ["department_id"],
            ["confirmed_by_citizen:avg", "reopened:avg"],
        )
        self.assertAlmostEqual(row[1], 50.0, msg="one of the two closed grievances was confirmed by its citizen")
        self.assertAlmostEqual(row[2], 100 / 3, places=3, msg="one of three was reopened")


@tagged("post_install", "-at_install", "mp15_security")
class TestConfirmedFromTheCitizensOwnNumber(ConversationHelpers, Mp15Case, HttpCase):
    """A "satisfied" counts as the citizen's only from their own number, not from one someone typed for them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        start_graph_and_account(
            cls, hindi=False, template_status_update="grievance_status_update", template_feedback="grievance_feedback"
        )

    def file_for_a_constituent(self, phone):
        action = (
            self.env["mp15.grievance.constituent"]
            .with_user(self.councillor_1)
            .create(
                {
                    "citizen_name": "Kamla Devi",
                    "phone": phone,
                    "category_id": self.category_a.id,
                    "description": "Hand pump broken",
                }
            )
            .action_file()
        )
        self.run_bot()
        return self.env["mp15.grievance"].browse(action["res_id"])

    def resolve_and_tap_satisfied(self, grievance, citizen):
        # Within the 24-hour window the question goes with its buttons (outside it, as a template).
        self.env["mp15.whatsapp.conversation"]._for_partner(
            grievance.partner_id
        ).last_inbound_at = fields.Datetime.now()
        grievance.with_user(self.head_a).write(
            {"resolution_note": "Pump repaired.", "stage_id": self.stage_resolved.id}
        )
        self.run_bot()
        question = self.env["mp15.whatsapp.message"].search(
            [("grievance_id", "=", grievance.id), ("message_type", "=", "interactive")], order="id desc", limit=1
        )
        citizen.tap(question, option_id=f"feedback:yes:{grievance.id}")
        self.assertEqual((grievance.state, grievance.rating), ("closed", "satisfied"))

    def confirmed_share(self, grievances):
        self.env.flush_all()
        [(share,)] = self.env["mp15.grievance.report"]._read_group(
            [("grievance_id", "in", grievances.ids)], [], ["confirmed_by_citizen:avg"]
        )
        return share

    def test_a_typed_number_does_not_confirm_until_it_writes_about_the_grievance(self):
        citizen = Citizen(self, "919812377001")
        typed = self.file_for_a_constituent(citizen.phone)
        self.assertFalse(typed.phone_verified)
        self.resolve_and_tap_satisfied(typed, citizen)
        self.assertEqual(typed.closure, "no_feedback", "whoever holds the typed number gave no citizen's word")
        self.assertEqual(self.confirmed_share(typed), 0.0)

        written = self.file_for_a_constituent(citizen.phone)
        confirmation = self.env["mp15.whatsapp.message"].search(
            [("grievance_id", "=", written.id), ("direction", "=", "out")], order="id", limit=1
        )
        citizen.say("हैंडपंप मंदिर के पीछे वाला है", quoting=confirmation)  # the number writes about it
        self.assertTrue(written.phone_verified)
        self.assertFalse(typed.phone_verified, "only the grievance written about")
        self.resolve_and_tap_satisfied(written, citizen)
        self.assertEqual(written.closure, "citizen")
        self.assertEqual(self.confirmed_share(typed | written), 50.0)

    def test_whatsapp_and_own_portal_filings_are_the_citizens_number_and_staff_typed_ones_are_not(self):
        citizen = Citizen(self, "919812377002")
        citizen.say("मेरे वार्ड में तीन दिन से पानी नहीं आ रहा है")
        self.assertTrue(citizen.grievances.phone_verified)
        self.citizen.partner_id.sudo().mp15_phone = "+919812377003"
        portal = (
            self.env["mp15.grievance"]
            .with_user(self.citizen)
            .create(
                {
                    "category_id": self.category_a.id,
                    "description": "x",
                    "ward_id": self.ward_1.id,
                    "partner_id": self.citizen.partner_id.id,
                    "phone": "+919812377003",  # as the portal files: their own registered number
                }
            )
        )
        self.assertTrue(portal.sudo().phone_verified)
        by_staff = (
            self.env["mp15.grievance"]
            .with_user(self.head_a)
            .create({"category_id": self.category_a.id, "description": "x", "phone": "+919812377004"})
        )
        self.assertFalse(by_staff.phone_verified)
        with self.assertRaises(AccessError):
            by_staff.with_user(self.head_a).write({"phone_verified": True})


@tagged("post_install", "-at_install", "mp15_security")
class TestCitizenOnlyFeedback(HttpCase, Mp15Case):
    """Feedback comes from the citizen alone: token link, own portal login, own WhatsApp number."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.resolved = cls._grievance(description="Pothole near the school", channel="whatsapp")
        cls.resolved.write({"stage_id": cls.stage_resolved.id, "resolution_note": "Filled."})
        cls.resolved.user_id = cls.officer_a
        cls.token = cls.resolved._portal_ensure_token()

    def csrf_token(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return re.search(r'csrf_token: "([^"]+)"', response.text).group(1)

    def test_staff_get_a_strangers_answer(self):
        """The exploit as reported: an officer gave "citizen satisfied" on their own grievance."""
        url = f"/my/grievances/{self.resolved.id}"
        for user in (self.officer_a, self.head_a, self.manager):
            with self.subTest(user=user.login):
                self.authenticate(user.login, user.login)
                page = self.url_open(url)
                self.assertEqual(page.status_code, 200, "staff may read the page")
                self.assertNotIn("o_mp15_feedback", page.text, "no feedback buttons for staff")
                response = self.url_open(
                    f"{url}/feedback",
                    data={"csrf_token": self.csrf_token(url), "satisfied": "1", "access_token": self.token},
                )
                self.assertEqual(response.status_code, 404)
        self.env.invalidate_all()
        self.assertEqual((self.resolved.state, self.resolved.rating), ("resolved", False))

    def test_the_token_holder_answers(self):
        url = f"/my/grievances/{self.resolved.id}?access_token={self.token}"
        self.assertIn("o_mp15_feedback", self.url_open(url).text)
        self.url_open(
            f"/my/grievances/{self.resolved.id}/feedback",
            data={"csrf_token": self.csrf_token(url), "satisfied": "1", "access_token": self.token},
        )
        self.env.invalidate_all()
        self.assertEqual((self.resolved.state, self.resolved.closure), ("closed", "citizen"))

    def test_the_owner_answers_from_their_login(self):
        self.authenticate(self.citizen.login, self.citizen.login)
        url = f"/my/grievances/{self.resolved.id}"
        self.url_open(f"{url}/feedback", data={"csrf_token": self.csrf_token(url), "satisfied": "0"})
        self.env.invalidate_all()
        self.assertEqual(self.resolved.rating, "not_satisfied")
        self.assertEqual(self.resolved.reopen_count, 1, "the citizen's own login reopens it")


@tagged("post_install", "-at_install", "mp15_security")
class TestTokenLinksStayTheCitizens(Mp15Case):
    def test_staff_cannot_read_the_token(self):
        grievance = self._grievance()
        grievance._portal_ensure_token()
        for user in (self.officer_a, self.head_a, self.manager, self.councillor_1):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                grievance.with_user(user).read(["access_token"])

    def test_staff_get_the_portal_url_without_the_token(self):
        grievance = self._grievance()
        token = grievance._portal_ensure_token()
        for user in (self.officer_a, self.head_a, self.manager):
            with self.subTest(user=user.login):
                url = grievance.with_user(user).get_portal_url()
                self.assertNotIn(token, url)
                self.assertEqual(url, f"/my/grievances/{grievance.id}")

    def test_staff_can_still_write_to_the_citizen(self):
        grievance = self._grievance(phone="+919812300002")
        grievance.user_id = self.officer_a
        grievance.with_user(self.officer_a).message_post(
            body="We will come tomorrow.",
            partner_ids=grievance.partner_id.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.assertIn("We will come tomorrow.", grievance.message_ids[0].body)

    def test_the_councillor_alert_carries_the_back_office_link(self):
        councillor = self.councillor_1.partner_id
        councillor.sudo().mp15_phone = "+919812300003"
        self.ward_1.councillor_id = councillor
        create_account(self.env)
        grievance = self._grievance(phone="+919812300004", date_filed=fields.Datetime.now() - timedelta(hours=60))
        token = grievance._portal_ensure_token()
        for _call in range(20):
            self.env["mp15.grievance"]._cron_sla()
        self.assertEqual(grievance.escalation_level, 2)
        alert = self.env["mp15.whatsapp.message"].search(
            [("direction", "=", "out"), ("phone", "=", councillor.mp15_phone)]
        )
        self.assertTrue(alert, "the councillor is alerted")
        self.assertNotIn(token, alert.payload)
        self.assertIn(f"res_id={grievance.id}", alert.payload)


@tagged("post_install", "-at_install", "mp15_security")
class TestWhoChangesWhat(Mp15Case):
    def test_only_managers_change_a_citizens_number(self):
        partner = self.citizen.partner_id
        contacts = self.env.ref("base.group_partner_manager")
        (self.officer_a | self.head_a | self.manager).groups_id = [Command.link(contacts.id)]  # may edit contacts
        for user in (self.officer_a, self.head_a):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                partner.with_user(user).write({"mp15_phone": "+919812377777"})
        partner.with_user(self.officer_a).write({"mobile": "+919812377777"})  # the rest of the contact stays theirs
        partner.with_user(self.manager).write({"mp15_phone": "+919812377777"})
        self.assertEqual(partner.mp15_phone, "+919812377777")

    def test_a_number_typed_for_a_citizen_is_adopted_only_when_no_contact_has_it_archived_ones_included(self):
        """Staff file for a citizen without a number: the typed number becomes theirs, unless another contact has
        it, archived or not (the number is unique across all contacts: the filing must not fail on it)."""
        Partner = self.env["res.partner"]
        Grievance = self.env["mp15.grievance"].with_user(self.manager)
        values = {"category_id": self.category_a.id, "description": "x", "ward_id": self.ward_1.id}
        new_number = Partner.create({"name": "Citizen without a number"})
        Grievance.create({**values, "partner_id": new_number.id, "phone": "+919812344401"})
        self.assertEqual(new_number.mp15_phone, "+919812344401")

        Partner.create({"name": "Archived contact", "mp15_phone": "+919812344402", "active": False})
        other = Partner.create({"name": "Another citizen without a number"})
        filed = Grievance.create({**values, "partner_id": other.id, "phone": "+919812344402"})
        self.assertEqual((filed.phone, filed.partner_id), ("+919812344402", other))
        self.assertFalse(other.mp15_phone, "the archived contact keeps its number")

    def test_citizens_file_no_emergency_and_only_from_their_own_number(self):
        self.citizen.partner_id.sudo().mp15_phone = "+919812366666"
        Grievance = self.env["mp15.grievance"].with_user(self.citizen)
        base = {"description": "x", "partner_id": self.citizen.partner_id.id}
        with self.assertRaises(AccessError):
            Grievance.create({**base, "category_id": self.category_emergency.id})
        with self.assertRaises(AccessError):
            Grievance.create({**base, "category_id": self.category_a.id, "phone": "+919812355555"})
        own = Grievance.create({**base, "category_id": self.category_a.id, "phone": "09812366666"})
        self.assertEqual(own.phone, "+919812366666")


@tagged("post_install", "-at_install")
class TestReferenceYears(Mp15Case):
    def test_this_and_next_years_references_are_open_before_anyone_files(self):
        sequence = self.env.ref("mp15_grievance.seq_mp15_grievance")
        year = fields.Date.today().year
        with freeze_time(f"{year + 3}-06-01 10:00:00"):
            self.env["mp15.grievance"]._cron_prepare_reference_years()
            self.env["mp15.grievance"]._cron_prepare_reference_years()  # a second run opens nothing twice
        starts = sorted(sequence.date_range_ids.mapped("date_from"))
        for opened in (year + 3, year + 4):
            self.assertEqual([d for d in starts if d.year == opened], [fields.Date.to_date(f"{opened}-01-01")])
        with freeze_time(f"{year + 4}-01-01 00:30:00"):
            self.assertRegex(self._grievance().name, rf"^MP15-{year + 4}-\d{{6}}$")


@tagged("post_install", "-at_install")
class TestFirstFilingOfAYearFromTwoProcesses(SeparateConnections, Mp15Case):
    """Two processes file the year's first grievance at once: both citizens are filed, nothing in error."""

    def test_the_second_process_retries_and_files(self):
        year = fields.Date.today().year + 10  # no process opened this year's references in advance
        phone = "+919812344444"
        with self.connect() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            account = create_account(env, phone_number_id=f"race{year}")
            conversation = env["mp15.whatsapp.conversation"]
            message = env["mp15.whatsapp.message"].create(
                {
                    "account_id": account.id,
                    "direction": "in",
                    "phone": phone,
                    "message_type": "text",
                    "body": "Ward 12 mein 3 din se paani nahi aa raha, nal sukha pada hai",
                    "state": "received",
                    "wa_message_id": f"wamid.race{year}",
                    "wa_timestamp": fields.Datetime.now(),
                }
            )
            cr.commit()  # pylint: disable=invalid-commit
        created = []
        errors = []
        first_has_filed = threading.Event()

        def first_process():
            """Files the year's first grievance and holds its transaction open for a moment."""
            try:
                with self.connect() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    grievance = env["mp15.grievance"].create(
                        {"category_id": env.ref("mp15_grievance.category_road").id, "description": "first"}
                    )
                    created.append(grievance.id)
                    first_has_filed.set()
                    time.sleep(1.0)
                    cr.commit()  # pylint: disable=invalid-commit
            except Exception as error:
                errors.append(error)

        # odoo.sql_db logs the unique violation the second process meets (and recovers from) as a bad query.
        with freeze_time(f"{year}-01-01 00:05:00", ignore=["odoo.sql_db"]), mute_logger("odoo.sql_db"):
            thread = threading.Thread(target=first_process)
            thread.start()
            first_has_filed.wait(timeout=30)
            with self.connect() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                batch = ProcessingBatch(env)
                handled = conversation.with_env(env)._process_citizen(account.id, phone, batch)
                batch.commit()
            thread.join(timeout=30)
        try:
            self.assertEqual(errors, [])
            self.assertEqual(handled, 1)
            with self.connect() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                stored = env["mp15.whatsapp.message"].browse(message.id)
                self.assertEqual(stored.state, "processed", stored.error_message)
                filed = env["mp15.grievance"].search([("phone", "=", phone)])
                self.assertRegex(filed.name, rf"^MP15-{year}-000002$")
                created.extend(filed.ids)
        finally:
            with self.connect() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["mp15.whatsapp.message"].search([("phone", "=", phone)]).unlink()
                env["mp15.whatsapp.conversation"].search([("phone", "=", phone)]).unlink()
                env["mp15.whatsapp.account"].browse(account.id).unlink()
                grievances = env["mp15.grievance"].browse(created).exists()
                env["mail.activity"].search([("res_model", "=", "mp15.grievance"), ("res_id", "in", created)]).unlink()
                grievances.message_ids.unlink()
                if grievances:
                    cr.execute("DELETE FROM mp15_grievance WHERE id IN %s", [tuple(grievances.ids)])
                sequence = env.ref("mp15_grievance.seq_mp15_grievance")
                sequence.date_range_ids.filtered(lambda r: r.date_from.year == year).unlink()
                cr.commit()  # pylint: disable=invalid-commit


@tagged("post_install", "-at_install")
class TestAMessageThatStillFails(Mp15Case):
    def test_the_administrators_are_alerted_and_the_citizen_told(self):
        account = create_account(self.env)
        phone = "+919812333333"
        conversation = self.env["mp15.whatsapp.conversation"].create({"account_id": account.id, "phone": phone})
        conversation.last_inbound_at = fields.Datetime.now()
        message = self.env["mp15.whatsapp.message"].create(
            {"account_id": account.id, "direction": "in", "phone": phone, "state": "received", "body": "hello"}
        )
        try:
            raise ValueError("the classifier broke")
        except ValueError:
            with self.assertLogs("odoo.addons.mp15_grievance.models.mp15_whatsapp_conversation", "ERROR"):
                conversation._give_up(message)
        self.assertEqual(message.state, "error")
        self.assertIn("the classifier broke", message.error_message)
        alert = self.env["mail.message"].search([("model", "=", message._name), ("res_id", "=", message.id)])
        self.assertIn(self.manager.partner_id, alert.partner_ids, "the commissioner's office hears of it")
        self.assertNotIn(phone, alert.body, "the alert names the number masked")
        told = self.env["mp15.whatsapp.message"].search([("direction", "=", "out"), ("phone", "=", phone)])
        self.assertIn("आपका संदेश हमें मिल गया है", told.body, "in the citizen's language")


@tagged("post_install", "-at_install", "mp15_security")
class TestVerificationCalls(Mp15Case):
    """A sample of yesterday's resolutions is checked with the citizen by someone who did not resolve it."""

    def resolve(self, grievance, officer):
        grievance.user_id = officer
        grievance.with_user(officer).write({"resolution_note": "Done.", "stage_id": self.stage_resolved.id})

    def test_each_department_gets_a_call_for_someone_else_to_make(self):
        self.env["ir.config_parameter"].set_param("mp15_grievance.verifier_id", self.officer_a.id)
        yesterday = fields.Datetime.now() - timedelta(days=1)
        with freeze_time(yesterday):
            water = self._grievance(category=self.category_a)
            self.resolve(water, self.officer_a)
            roads = [self._grievance(category=self.category_b) for _index in range(3)]
            for grievance in roads:
                self.resolve(grievance, self.officer_b)
        today = self._grievance(category=self.category_b)
        self.resolve(today, self.officer_b)
        self.env["mp15.grievance"]._cron_sample_verifications()
        self.assertEqual(water.verification_state, "pending", "5 % rounds up to one per department")
        self.assertNotEqual(water.verifier_id, self.officer_a, "the resolving officer never verifies their own")
        self.assertEqual(len([g for g in roads if g.verification_state == "pending"]), 1)
        self.assertFalse(today.verification_state, "only the day before is sampled")
        checked = next(g for g in roads if g.verification_state == "pending")
        self.assertEqual(checked.verifier_id, self.officer_a, "the verifier chosen in Settings calls")
        activity = checked.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mp15_grievance.mail_activity_type_verify")
        )
        self.assertEqual(activity.user_id, self.officer_a)

    def test_not_fixed_reopens_and_counts_against_the_resolving_officer(self):
        grievance = self._grievance(category=self.category_b)
        self.resolve(grievance, self.officer_b)
        grievance._ask_verification(self.manager)
        for user in (self.officer_b, self.head_b):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                grievance.with_user(user).action_verification_confirmed()
        grievance.with_user(self.manager).action_verification_not_fixed()
        self.assertEqual((grievance.state, grievance.reopen_count), ("in_progress", 1))
        self.assertEqual(grievance.verification_state, "not_fixed")
        self.assertFalse(grievance.activity_ids.filtered(lambda a: a.user_id == self.manager))
        self.env.flush_all()
        [row] = self.env["mp15.grievance.report"]._read_group(
            [("grievance_id", "=", grievance.id)], ["user_id"], ["verified_not_fixed_count:sum"]
        )
        self.assertEqual(row, (self.officer_b, 1))

    def test_staff_cannot_mark_a_grievance_verified(self):
        grievance = self._grievance()
        for user in (self.officer_a, self.head_a, self.manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                grievance.with_user(user).write({"verification_state": "confirmed"})
