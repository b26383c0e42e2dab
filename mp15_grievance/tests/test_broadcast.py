"""Broadcasts against a real HTTP server speaking the Graph API: audience, approval, estimate, pace, limits, errors."""

import time
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..tools import messages
from .common import Mp15Case
from .fake_graph_api import DEFAULT_TEMPLATES, ScriptedResponse
from .whatsapp_common import WABA_ID, encode, envelope, inbound, sign, start_graph_and_account, status

WATER_BODY = "वार्ड {{1}} में {{2}} को पानी की सप्लाई बंद रहेगी। कारण: {{3}}"
WATER_PARAMETERS = "12\nरविवार\nपाइपलाइन की मरम्मत"


@tagged("post_install", "-at_install", "mp15_whatsapp")
class TestBroadcast(Mp15Case):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        start_graph_and_account(cls, hindi=False, waba_id=WABA_ID, rate_limit_mps=50)
        cls.manager_2 = new_test_user(
            cls.env, "test_commissioner_2", groups="mp15_grievance.group_manager", name="Deputy Commissioner"
        )
        Template = cls.env["mp15.whatsapp.template"]
        cls.water_hi = Template.create(
            {"name": "water_supply_notice", "language": "hi", "category": "utility", "status": "approved"}
            | {"account_id": cls.account.id, "body": WATER_BODY}
        )
        cls.water_en = Template.create(
            {"name": "water_supply_notice", "language": "en", "category": "utility", "status": "approved"}
            | {"account_id": cls.account.id, "body": "Water supply in ward {{1}} will be off on {{2}}. Reason: {{3}}"}
        )
        cls.scheme = Template.create(
            {"name": "scheme_announcement", "language": "hi", "category": "marketing", "status": "approved"}
            | {"account_id": cls.account.id, "body": "नगर निगम सागर की नई योजना: {{1}}"}
        )
        cls._serial = 0

    def setUp(self):
        super().setUp()
        self.graph.reset()

    # ------------------------------------------------------------------ helpers

    def new_citizen(self, ward=None, opted_in=True, lang=None):
        """A citizen with a WhatsApp number; ``lang`` set: they wrote to the bot within the hour, in it."""
        type(self)._serial += 1
        phone = f"+9198123004{self._serial:02d}"
        partner = self.env["res.partner"].create({"name": f"Citizen {self._serial}", "mp15_phone": phone})
        partner._mp15_set_announcements(opted_in, "bot", ward or self.ward_1)
        if lang:
            self.env["mp15.whatsapp.conversation"].create(
                {
                    "account_id": self.account.id,
                    "phone": phone,
                    "partner_id": partner.id,
                    "lang": lang,
                    "last_inbound_at": fields.Datetime.now() - timedelta(hours=1),
                }
            )
        return partner

    def draft(self, template=None, parameters=WATER_PARAMETERS, **values):
        template = template or self.water_hi
        return (
            self.env["mp15.broadcast"]
            .with_user(self.manager)
            .create(
                {
                    "name": "पानी की सप्लाई बंद",
                    "account_id": self.account.id,
                    "template_id": template.id,
                    "parameters": parameters,
                    **values,
                }
            )
        )

    def started(self, **values):
        """A broadcast drafted and submitted by one manager, approved by another, started."""
        broadcast = self.draft(**values)
        broadcast.action_submit()
        broadcast.with_user(self.manager_2).action_approve()
        self.env["mp15.broadcast"]._cron_run()
        self.assertEqual(broadcast.state, "sending")
        return broadcast

    def send(self, at=None):
        """The sender's scheduled action (at ``at``); its per-batch commits only flush inside a test."""
        with patch.object(self.env.cr, "commit", self.env.cr.flush):
            if at is None:
                self.env["mp15.whatsapp.message"]._cron_send()
            else:
                with freeze_time(at):
                    self.env["mp15.whatsapp.message"]._cron_send()
        self.env.invalidate_all()

    def deliver_statuses(self, *items, at=None):
        """Status webhooks through the webhook's own ingestion, then the processing action."""
        body = encode(envelope(statuses=items))
        self.assertEqual(self.env["mp15.whatsapp.message"]._webhook_ingest(body, sign(body)), 200)
        with patch.object(self.env.cr, "commit", self.env.cr.flush), freeze_time(at or fields.Datetime.now()):
            self.env["mp15.whatsapp.conversation"]._process_statuses()
        self.env.invalidate_all()

    def sent_to(self, partner):
        return [payload for payload in self.graph.sent_messages if payload.get("to") == partner.mp15_phone]

    def recipient(self, broadcast, partner):
        return broadcast.recipient_ids.filtered(lambda r: r.partner_id == partner)

    # ------------------------------------------------------------------ audience

    def test_only_opted_in_citizens_of_the_chosen_wards_get_it(self):
        hindi = self.new_citizen()
        english = self.new_citizen(lang="en")
        not_opted_in = self.new_citizen(opted_in=False)
        other_ward = self.new_citizen(ward=self.ward_2)
        stops_later = self.new_citizen()
        broadcast = self.started(
            ward_ids=[(6, 0, self.ward_1.ids)], template_en_id=self.water_en.id, parameters_en="12\nSunday\nRepairs"
        )
        self.assertEqual(broadcast.recipient_ids.partner_id, hindi | english | stops_later)
        stops_later._mp15_set_announcements(False, "keyword")  # STOP after approval: honoured at once

        self.send()
        self.assertFalse(self.sent_to(not_opted_in) + self.sent_to(other_ward) + self.sent_to(stops_later))
        [to_hindi] = self.sent_to(hindi)
        self.assertEqual(to_hindi["template"]["name"], "water_supply_notice")
        self.assertEqual(to_hindi["template"]["language"], {"code": "hi"})
        self.assertEqual(
            [parameter["text"] for parameter in to_hindi["template"]["components"][0]["parameters"]],
            ["12", "रविवार", "पाइपलाइन की मरम्मत"],
        )
        [to_english] = self.sent_to(english)
        self.assertEqual(to_english["template"]["language"], {"code": "en"})
        self.assertEqual(to_english["template"]["components"][0]["parameters"][1]["text"], "Sunday")
        self.assertEqual(self.recipient(broadcast, hindi).state, "sent")
        self.assertEqual(self.recipient(broadcast, stops_later).state, "skipped")
        self.assertEqual((broadcast.sent_count, broadcast.skipped_count, broadcast.queued_count), (2, 1, 0))
        self.env["mp15.broadcast"]._cron_run()
        self.assertEqual(broadcast.state, "done")

    def test_all_wards_by_default_and_only_citizens_with_grievances_of_the_chosen_categories(self):
        in_ward_1, in_ward_2 = self.new_citizen(), self.new_citizen(ward=self.ward_2)
        everyone = self.draft()
        self.assertGreaterEqual(everyone.recipient_count, 2)
        self._grievance(category=self.category_b, partner_id=in_ward_2.id)
        by_category = self.draft(category_ids=[(6, 0, self.category_b.ids)])
        self.assertEqual(by_category.recipient_count, 1)
        by_category.action_submit()
        by_category.with_user(self.manager_2).action_approve()
        self.assertEqual(by_category.recipient_ids.partner_id, in_ward_2)
        self.assertNotIn(in_ward_1, by_category.recipient_ids.partner_id)

    # ------------------------------------------------------------------ approval

    def test_a_second_manager_approves_and_nobody_else(self):
        self.new_citizen()
        broadcast = self.draft()
        with self.assertRaises(AccessError):
            broadcast.with_user(self.officer_a).action_submit()
        with self.assertRaises(AccessError):
            broadcast.write({"state": "scheduled"})  # only the buttons move it, even for its drafter
        with self.assertRaises(UserError):
            broadcast.with_user(self.manager_2).action_approve()  # a draft is not waiting for approval
        broadcast.action_submit()
        self.assertEqual((broadcast.state, broadcast.submitted_by_id), ("to_approve", self.manager))
        with self.assertRaisesMessage(AccessError, "Another manager must approve"):
            broadcast.action_approve()
        with self.assertRaises(AccessError):
            broadcast.with_user(self.head_a).action_approve()
        self.assertFalse(broadcast.recipient_ids, "nothing is queued before approval")
        with self.assertRaises(UserError):
            broadcast.write({"parameters": "13\nसोमवार\nमरम्मत"})  # what is approved is what was submitted

        broadcast.with_user(self.manager_2).action_approve()
        self.assertRecordValues(broadcast, [{"state": "scheduled", "approved_by_id": self.manager_2.id}])
        self.assertTrue(broadcast.recipient_ids)

    def test_what_meta_would_refuse_is_refused_before_approval(self):
        self.new_citizen()
        with self.assertRaisesMessage(UserError, "needs 3 parameters"):
            self.draft(parameters="12").action_submit()
        paused = self.water_hi.copy({"language": "en_US", "status": "paused"})
        with self.assertRaisesMessage(UserError, "not an approved"):
            self.draft(template=paused).action_submit()

    # ------------------------------------------------------------------ estimate

    def test_the_estimate_matches_the_recipients(self):
        closed = [self.new_citizen(), self.new_citizen(), self.new_citizen()]
        self.new_citizen(lang="hi")  # wrote an hour ago: free
        ward_1 = [(6, 0, self.ward_1.ids)]
        broadcast = self.draft(template=self.scheme, parameters="प्रधानमंत्री आवास योजना", ward_ids=ward_1)
        self.assertEqual((broadcast.recipient_count, broadcast.window_open_count), (4, 1))
        self.assertAlmostEqual(broadcast.estimated_cost, round(3 * 0.86, 2), msg="marketing, 3 outside the window")
        self.assertEqual(broadcast.estimated_duration, "under a minute")
        self.assertAlmostEqual(self.draft(ward_ids=ward_1).estimated_cost, round(3 * 0.115, 2), msg="utility")

        self.account.price_marketing = 1.0  # the price is the account's, not the code's
        broadcast.invalidate_recordset()
        self.assertAlmostEqual(broadcast.estimated_cost, 3.0)
        broadcast.action_submit()
        broadcast.with_user(self.manager_2).action_approve()
        recipients = broadcast.recipient_ids
        self.assertEqual(broadcast.recipient_count, len(recipients))
        self.assertAlmostEqual(broadcast.estimated_cost, float(len(recipients.filtered(lambda r: not r.in_window))))
        self.assertTrue(set(closed) <= set(recipients.partner_id))

        self.account.messaging_limit = 2
        self.assertIn("2 days", self.draft(ward_ids=ward_1).estimated_duration, "3 citizens, 2 a day")

    # ------------------------------------------------------------------ pace and limits

    def test_the_messaging_limit_splits_a_broadcast_over_two_days(self):
        self.account.messaging_limit = 3
        partners = [self.new_citizen() for _index in range(5)]
        start = fields.Datetime.now().replace(microsecond=0)
        with freeze_time(start):
            broadcast = self.started(ward_ids=[(6, 0, self.ward_1.ids)])
        self.send(at=start)
        self.assertEqual(len(self.graph.sent_messages), 3)
        self.assertEqual((broadcast.sent_count, broadcast.queued_count), (3, 2))
        with freeze_time(start + timedelta(minutes=1)):
            broadcast.invalidate_recordset()
            self.assertEqual(broadcast.continues_at, start + timedelta(hours=24), "shown on the form")
            self.assertEqual(self.env["mp15.whatsapp.message"]._count_broadcast_sendable(), 0, "no busy cron")
        self.send(at=start + timedelta(hours=12))
        self.assertEqual(len(self.graph.sent_messages), 3, "the limit holds for a moving 24 hours")

        self.send(at=start + timedelta(hours=24, minutes=1))
        self.assertEqual(len(self.graph.sent_messages), 5)
        self.assertEqual({payload["to"] for payload in self.graph.sent_messages}, {p.mp15_phone for p in partners})
        with freeze_time(start + timedelta(hours=24, minutes=2)):
            self.env["mp15.broadcast"]._cron_run()
            self.assertRecordValues(broadcast, [{"state": "done", "sent_count": 5, "continues_at": False}])

    def test_replies_and_updates_overtake_a_running_broadcast(self):
        self.account.rate_limit_mps = 5
        for _index in range(12):
            self.new_citizen()
        broadcast = self.started(ward_ids=[(6, 0, self.ward_1.ids)])
        Message = self.env["mp15.whatsapp.message"]
        replies = Message
        for index in range(3):  # queued after the broadcast started
            conversation = self.env["mp15.whatsapp.conversation"].create(
                {
                    "account_id": self.account.id,
                    "phone": f"+9198123009{index:02d}",
                    "last_inbound_at": fields.Datetime.now(),
                }
            )
            text = f"जवाब {index}"
            replies |= Message._queue(conversation, messages.text_message(conversation.phone, text), body=text)
        started = time.monotonic()
        self.send()
        self.assertGreaterEqual(time.monotonic() - started, 2, "15 messages at 5 per second take over 2 seconds")
        arrivals = sorted(
            ((request.received_at, request.json) for request in self.graph.requests), key=lambda item: item[0]
        )
        self.assertEqual(len(arrivals), 15)
        first_batch = [payload["to"] for _at, payload in arrivals[:5]]
        self.assertTrue(set(replies.mapped("phone")) <= set(first_batch), "the replies go in the first second")
        for (first, _p1), (sixth, _p6) in zip(arrivals, arrivals[5:], strict=False):
            self.assertGreaterEqual(sixth - first, 0.5, "the broadcast only uses the rate left over")
        self.assertEqual(set(replies.mapped("state")), {"sent"})
        self.assertEqual(broadcast.sent_count, 12)

    # ------------------------------------------------------------------ Meta's error codes

    def test_each_error_code_gets_its_handling(self):
        held_back, experiment, undeliverable, stopped = partners = [self.new_citizen() for _index in range(4)]
        broadcast = self.started(ward_ids=[(6, 0, self.ward_1.ids)])
        self.send()
        now = fields.Datetime.now()
        failures = {held_back: 131049, experiment: 130472, undeliverable: 131026, stopped: 131050}
        self.deliver_statuses(
            *(
                status(
                    self.recipient(broadcast, partner).message_id.wa_message_id,
                    "failed",
                    recipient=partner.mp15_phone.lstrip("+"),
                    errors=[{"code": code, "title": f"Meta error {code}"}],
                )
                for partner, code in failures.items()
            )
        )
        for partner in (experiment, undeliverable, stopped):
            self.assertRecordValues(
                self.recipient(broadcast, partner), [{"state": "failed", "error_code": failures[partner]}]
            )
        self.assertFalse(stopped.mp15_whatsapp_opt_in, "131050: the citizen stopped promotions")
        self.assertEqual(stopped.mp15_opt_in_source, "meta")
        self.assertTrue(experiment.mp15_whatsapp_opt_in)
        waiting = self.recipient(broadcast, held_back)
        self.assertRecordValues(waiting, [{"state": "queued", "error_code": 131049, "retried_held_back": True}])
        self.assertAlmostEqual((waiting.next_attempt_at - now).total_seconds(), 24 * 3600, delta=60)

        self.send(at=now + timedelta(hours=23))
        self.assertEqual(len(self.sent_to(held_back)), 1, "not before 24 hours")
        self.send(at=now + timedelta(hours=24, minutes=5))
        self.assertEqual(len(self.sent_to(held_back)), 2, "once more after 24 hours")
        self.assertEqual(waiting.state, "sent")
        self.deliver_statuses(
            status(waiting.message_id.wa_message_id, "failed", errors=[{"code": 131049, "title": "held back"}]),
            at=now + timedelta(hours=24, minutes=6),
        )
        self.assertEqual(waiting.state, "failed", "only once")
        self.send(at=now + timedelta(hours=50))
        self.assertEqual(len(self.sent_to(held_back)), 2)
        self.assertEqual(sum(len(self.sent_to(partner)) for partner in partners), 5)
        self.assertEqual(broadcast.failed_count, 4)
        self.assertIn("131026", broadcast.failure_summary)

    def test_throughput_errors_back_off_and_undeliverable_fails_at_once(self):
        for number, (reason, response, code, final) in enumerate(
            (
                ("130429", ScriptedResponse.fixture("send_error_130429.json", status=429), 130429, False),
                (
                    "131056",
                    ScriptedResponse.json({"error": {"code": 131056, "message": "pair rate"}}, 400),
                    131056,
                    False,
                ),
                ("131026", ScriptedResponse.fixture("send_error_131026.json"), 131026, True),
            )
        ):
            with self.subTest(reason):
                self.graph.reset()
                ward = self.env["mp15.ward"].create({"number": 950 + number, "name": f"Ward {reason} (test)"})
                partner = self.new_citizen(ward=ward)
                broadcast = self.started(ward_ids=[(6, 0, ward.ids)])
                self.graph.queue_responses(response)
                before = fields.Datetime.now()
                self.send()
                recipient = self.recipient(broadcast, partner)
                self.assertEqual(recipient.message_id.error_code, code)
                if final:
                    self.assertRecordValues(recipient, [{"state": "failed", "error_code": code}])
                    self.send(at=before + timedelta(hours=2))
                    self.assertEqual(len(self.graph.requests), 1, "not retried")
                    continue
                self.assertEqual(recipient.state, "queued")
                self.assertGreater(recipient.message_id.next_attempt_at, before, "backs off")
                conversation = self.env["mp15.whatsapp.conversation"].create(
                    {"account_id": self.account.id, "phone": partner.mp15_phone, "last_inbound_at": before}
                )
                text = messages.text_message(partner.mp15_phone, "आपकी शिकायत दर्ज हो गई है")
                reply = self.env["mp15.whatsapp.message"]._queue(conversation, text, body="दर्ज")
                self.send()
                self.assertEqual(reply.state, "sent", "a reply never waits behind a broadcast's retry")
                self.send(at=recipient.message_id.next_attempt_at + timedelta(seconds=1))
                self.assertEqual(recipient.state, "sent")
                self.assertEqual([payload["type"] for payload in self.sent_to(partner)], ["text", "template"])

    # ------------------------------------------------------------------ results

    def test_the_form_shows_what_happened(self):
        delivered, read, replied = [self.new_citizen() for _index in range(3)]
        broadcast = self.started(ward_ids=[(6, 0, self.ward_1.ids)])
        self.send()
        wamid = {partner: self.recipient(broadcast, partner).message_id.wa_message_id for partner in (delivered, read)}
        self.deliver_statuses(status(wamid[delivered], "delivered"), status(wamid[read], "read"))
        answer = inbound(replied.mp15_phone.lstrip("+"), "text", {"body": "कब तक?"}, at=time.time() + 5)
        body = encode(envelope(messages=[answer]))
        self.assertEqual(self.env["mp15.whatsapp.message"]._webhook_ingest(body, sign(body)), 200)
        read._mp15_set_announcements(False, "keyword")
        broadcast.invalidate_recordset()
        self.assertRecordValues(
            broadcast,
            [{"sent_count": 3, "delivered_count": 2, "read_count": 1, "reply_count": 1, "opted_out_count": 1}],
        )
        self.assertEqual(self.recipient(broadcast, read).state, "read")

    def test_cancelling_stops_what_has_not_gone_out(self):
        self.account.messaging_limit = 1
        self.new_citizen(), self.new_citizen()
        broadcast = self.started(ward_ids=[(6, 0, self.ward_1.ids)])
        self.send()
        broadcast.with_user(self.manager_2).action_cancel()
        self.send(at=fields.Datetime.now() + timedelta(days=2))
        self.assertEqual(len(self.graph.sent_messages), 1)
        self.assertEqual((broadcast.state, broadcast.sent_count, broadcast.skipped_count), ("cancelled", 1, 1))

    # ------------------------------------------------------------------ templates and consent

    def test_templates_are_synced_from_meta(self):
        many = [
            {"name": f"notice_{index:03d}", "language": "hi", "category": "UTILITY", "status": "APPROVED"}
            for index in range(110)
        ]
        self.graph.set_templates([*DEFAULT_TEMPLATES, *many])
        self.account.template_status_update = "grievance_status_update"  # named by hand before any sync
        self.account.with_user(self.manager).action_sync_templates()
        Template = self.env["mp15.whatsapp.template"]
        synced = Template.search([("account_id", "=", self.account.id)])
        self.assertEqual(len(synced), len(DEFAULT_TEMPLATES) + 110, "every page")
        request = next(request for request in self.graph.requests if request.route == "templates")
        self.assertTrue(request.path.startswith(f"/v21.0/{WABA_ID}/message_templates?"))
        self.assertEqual(request.headers["authorization"], "Bearer fake-graph-access-token")
        notice = synced.filtered(lambda t: t.name == "water_supply_notice" and t.language == "hi")
        self.assertEqual(notice, self.water_hi, "the existing record is updated")
        self.assertRecordValues(notice, [{"category": "utility", "status": "approved", "parameter_count": 3}])
        rejected = synced.filtered(lambda t: t.name == "property_tax_rebate")
        self.assertEqual((rejected.status, rejected.category), ("rejected", "marketing"))
        approved = Template.search([("account_id", "=", self.account.id), ("status", "=", "approved")])
        self.assertNotIn(rejected, approved)
        self.assertEqual(self.account.template_status_update_id.name, "grievance_status_update", "now a record")
        self.account.template_feedback_id = synced.filtered(lambda t: t.name == "grievance_feedback")
        self.assertEqual((self.account.template_feedback, self.account.template_language), ("grievance_feedback", "hi"))

        paused = dict(DEFAULT_TEMPLATES[4], status="PAUSED", quality_score={"score": "RED"})
        self.graph.set_templates([*DEFAULT_TEMPLATES[:4], paused])
        self.env["mp15.whatsapp.template"]._cron_sync()
        self.assertRecordValues(self.scheme, [{"status": "paused", "quality": "red"}])
        self.assertFalse(rejected.active, "no longer listed by Meta: archived")

    def test_consent_is_recorded_with_when_how_and_the_ward(self):
        partner = self.env["res.partner"].create({"name": "Sunita", "mp15_phone": "+919812300499"})
        self._grievance(ward=self.ward_2, partner_id=partner.id)
        self.assertEqual(partner._mp15_announcement_ward(), self.ward_2, "proposed from the last grievance")
        at = fields.Datetime.now().replace(microsecond=0)
        with freeze_time(at):
            partner._mp15_set_announcements(True, "bot", partner._mp15_announcement_ward())
        self.assertRecordValues(
            partner,
            [{"mp15_whatsapp_opt_in": True, "mp15_opt_in_source": "bot", "mp15_opt_in_date": at}],
        )
        self.assertEqual(partner.mp15_ward_id, self.ward_2)
        with freeze_time(at + timedelta(days=3)):
            front_desk = new_test_user(
                self.env, "test_front_desk", groups="mp15_grievance.group_officer,base.group_partner_manager"
            )
            partner.with_user(front_desk).mp15_whatsapp_opt_in = False  # the citizen said so on the phone
        self.assertRecordValues(partner, [{"mp15_opt_in_source": "office", "mp15_opt_in_date": at + timedelta(days=3)}])
        with self.assertRaises(ValueError):
            partner._mp15_set_announcements(True, "guess")
