"""The outbound queue against a real HTTP server speaking the Graph API, and delivery statuses."""

import json
import time
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..tools import messages
from .common import Mp15Case
from .fake_graph_api import ScriptedResponse
from .whatsapp_common import encode, envelope, sign, start_graph_and_account, status

CITIZEN = "+919812300101"
OTHER_CITIZEN = "+919812300102"


@tagged("post_install", "-at_install", "mp15_whatsapp")
class TestWhatsappOutbound(Mp15Case):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        start_graph_and_account(
            cls,
            hindi=False,
            template_status_update="grievance_status_update",
            template_feedback="grievance_feedback",
            template_language="hi",
        )
        cls.grievance = cls._grievance(phone=CITIZEN)

    def setUp(self):
        super().setUp()
        self.graph.reset()

    # ------------------------------------------------------------------ helpers

    def conversation(self, phone=CITIZEN):
        Conversation = self.env["mp15.whatsapp.conversation"]
        return Conversation.search([("account_id", "=", self.account.id), ("phone", "=", phone)]) or (
            Conversation.create(
                {
                    "account_id": self.account.id,
                    "phone": phone,
                    "partner_id": self.grievance.partner_id.id if phone == CITIZEN else False,
                    "last_inbound_at": fields.Datetime.now(),
                }
            )
        )

    def queue(self, text, phone=CITIZEN, **kwargs):
        payload = messages.text_message(phone, text)
        return self.env["mp15.whatsapp.message"]._queue(self.conversation(phone), payload, body=text, **kwargs)

    def send(self, at=None):
        """The sender's scheduled action (at ``at``); its per-batch commits only flush inside a test."""
        with patch.object(self.env.cr, "commit", self.env.cr.flush):
            if at is None:
                self.env["mp15.whatsapp.message"]._cron_send()
            else:
                with freeze_time(at):
                    self.env["mp15.whatsapp.message"]._cron_send()
        self.env.invalidate_all()

    def process_statuses(self, at=None):
        """The statuses part of the processing action (at ``at``)."""
        with patch.object(self.env.cr, "commit", self.env.cr.flush), freeze_time(at or fields.Datetime.now()):
            self.env["mp15.whatsapp.conversation"]._process_statuses()
        self.env.invalidate_all()

    def deliver_statuses(self, *items):
        """Status webhooks as Meta posts them, through the webhook's own ingestion."""
        body = encode(envelope(statuses=items))
        self.assertEqual(self.env["mp15.whatsapp.message"]._webhook_ingest(body, sign(body)), 200)

    def sent_to(self, phone):
        return [payload for payload in self.graph.sent_messages if payload.get("to") == phone]

    # ------------------------------------------------------------------ success

    def test_a_queued_message_goes_out_and_keeps_its_wamid(self):
        message = self.queue("आपकी शिकायत दर्ज हो गई है")
        self.send()
        self.assertRecordValues(
            message, [{"state": "sent", "attempt_count": 1, "error_code": 0, "next_attempt_at": False}]
        )
        self.assertEqual(message.wa_message_id, self.graph.issued_wamids[0])
        self.assertTrue(message.date_sent)
        [request] = self.graph.requests
        self.assertEqual(request.path, "/v21.0/106540352242922/messages")
        self.assertEqual(request.headers["authorization"], "Bearer fake-graph-access-token")
        self.assertEqual(request.json["to"], CITIZEN, "E.164 with its +")
        self.assertEqual(request.json["text"]["body"], "आपकी शिकायत दर्ज हो गई है")
        self.send()
        self.assertEqual(len(self.graph.requests), 1, "sent once")

    # ------------------------------------------------------------------ retries

    def test_transient_failures_are_retried_later_and_later_then_sent(self):
        failures = [
            ("130429 with HTTP 429", ScriptedResponse.fixture("send_error_130429.json", status=429), 130429),
            ("130429 with HTTP 400", ScriptedResponse.fixture("send_error_130429.json", status=400), 130429),
            ("HTTP 500 page", ScriptedResponse.raw(b"<html><body>Internal Server Error</body></html>", 500), 0),
            ("131000 with HTTP 503", ScriptedResponse.json({"error": {"code": 131000, "message": "x"}}, 503), 131000),
        ]
        for reason, failure, code in failures:
            with self.subTest(reason):
                self.graph.reset()
                message = self.queue(f"retry after {reason}")
                self.graph.queue_responses(failure, failure)
                started = fields.Datetime.now()
                self.send()
                self.assertRecordValues(message, [{"state": "queued", "attempt_count": 1, "error_code": code}])
                self.assertTrue(message.error_message)
                first_delay = (message.next_attempt_at - started).total_seconds()
                self.assertTrue(14 <= first_delay <= 31, first_delay)

                self.send()  # too early: nothing goes out
                self.assertEqual(len(self.graph.requests), 1)

                retried_at = message.next_attempt_at + timedelta(seconds=1)
                self.send(at=retried_at)
                self.assertRecordValues(message, [{"state": "queued", "attempt_count": 2}])
                second_delay = (message.next_attempt_at - retried_at).total_seconds()
                self.assertTrue(29 <= second_delay <= 61, second_delay)
                self.assertGreaterEqual(second_delay, first_delay - 1, "each retry waits longer")

                self.send(at=message.next_attempt_at + timedelta(seconds=1))
                self.assertRecordValues(message, [{"state": "sent", "attempt_count": 3, "error_code": 0}])
                self.assertFalse(message.error_message)
                self.assertEqual(len(self.graph.requests), 3)

    def test_retry_after_header_is_respected(self):
        message = self.queue("Retry-After")
        self.graph.queue_responses(
            ScriptedResponse(429, b'{"error": {"code": 4, "message": "limit"}}', headers=(("Retry-After", "120"),))
        )
        started = fields.Datetime.now()
        self.send()
        self.assertEqual(message.state, "queued")
        self.assertAlmostEqual((message.next_attempt_at - started).total_seconds(), 120, delta=1)

    def test_network_errors_are_retried(self):
        message = self.queue("नेटवर्क")
        self.account.graph_url = "http://127.0.0.1:9/v21.0"  # nothing listens on the discard port
        self.send()
        self.assertRecordValues(message, [{"state": "queued", "attempt_count": 1}])
        self.assertIn("Network error", message.error_message)
        self.account.graph_url = self.graph.graph_url
        self.send(at=message.next_attempt_at + timedelta(seconds=1))
        self.assertEqual(message.state, "sent")

    def test_a_send_that_times_out_is_retried(self):
        # The client waits 15 s for Meta; the fake answers after 16 s. (Short timeouts: tests/test_cloud_api.py.)
        message = self.queue("धीमा जवाब")
        self.graph.queue_responses(ScriptedResponse.timeout(16))
        self.send()
        self.assertRecordValues(message, [{"state": "queued", "attempt_count": 1}])
        self.assertIn("Timeout", message.error_message)
        self.send(at=message.next_attempt_at + timedelta(seconds=1))
        self.assertEqual(message.state, "sent")

    def test_retries_stop_after_the_last_attempt(self):
        message = self.queue("never")
        message.attempt_count = 7
        self.graph.queue_responses(ScriptedResponse.raw(b"Bad gateway", 502))
        self.send()
        self.assertRecordValues(message, [{"state": "failed", "attempt_count": 8}])
        self.assertIn("HTTP 502", message.error_message)

    # ------------------------------------------------------------------ permanent failures

    def test_undeliverable_fails_with_code_and_reason_for_staff(self):
        message = self.queue("Not on WhatsApp", grievance=self.grievance)
        self.graph.queue_responses(ScriptedResponse.fixture("send_error_131026.json"))
        self.send()
        as_officer = message.with_user(self.officer_a).read(["state", "error_code", "error_message"])[0]
        self.assertEqual(as_officer["state"], "failed")
        self.assertEqual(as_officer["error_code"], 131026)
        self.assertEqual(as_officer["error_message"], "131026 Message undeliverable: Message Undeliverable.")
        self.send(at=fields.Datetime.now() + timedelta(hours=2))
        self.assertEqual(len(self.graph.requests), 1, "a permanent failure is not retried")

    def test_closed_window_sends_the_configured_template_instead(self):
        message = self.queue("Status changed", grievance=self.grievance, fallback_template="status_update")
        self.graph.queue_responses(ScriptedResponse.fixture("send_error_131047.json"))
        self.send()
        self.assertEqual(message.state, "sent")
        self.assertEqual(message.message_type, "template")
        self.assertEqual(message.wa_message_id, self.graph.issued_wamids[-1])
        refused, template = [request.json for request in self.graph.requests]
        self.assertEqual(refused["type"], "text")
        params = self.grievance._citizen_params(self.conversation()._odoo_lang())
        self.assertEqual(
            template,
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": CITIZEN,
                "type": "template",
                "template": {
                    "name": "grievance_status_update",
                    "language": {"code": "hi"},
                    "components": [
                        {
                            "type": "body",
                            "parameters": [
                                {"type": "text", "text": self.grievance.name},
                                {"type": "text", "text": params["stage"]},
                                {"type": "text", "text": params["link"]},
                            ],
                        }
                    ],
                },
            },
        )
        self.assertIn(f"/my/grievances/{self.grievance.id}", params["link"])

    def test_closed_window_without_a_template_fails_with_a_clear_reason(self):
        self.account.template_status_update = False
        without_template = self.queue("Status changed", grievance=self.grievance, fallback_template="status_update")
        plain_reply = self.queue("a bot reply", phone=OTHER_CITIZEN)
        self.graph.queue_responses(*[ScriptedResponse.fixture("send_error_131047.json")] * 2)
        self.send()
        for message in (without_template, plain_reply):
            self.assertEqual((message.state, message.error_code), ("failed", 131047))
            self.assertIn("24-hour window is closed and no approved template is set", message.error_message)
        self.assertEqual(len(self.graph.requests), 2)

    def test_template_names_must_be_what_meta_accepts(self):
        for values in (
            {"template_status_update": "Grievance Status Update"},
            {"template_feedback": "feedback-request"},
            {"template_language": "Hindi"},
        ):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                self.account.write(values)

    def test_expired_token_stops_sending_until_resumed(self):
        managers = self.env.ref("mp15_grievance.group_manager").users
        queued = self.queue("one") | self.queue("two", phone=OTHER_CITIZEN) | self.queue("three")
        self.account.access_token = "expired-token"
        self.send()
        self.assertIn("190", self.account.sending_blocked)
        self.assertEqual(set(queued.mapped("state")), {"queued"}, "nothing is lost")
        self.assertEqual(queued.mapped("error_code"), [190, 190, 0], '"three" waited behind "one"')
        activities = self.account.activity_ids
        self.assertTrue(activities)
        self.assertLessEqual(activities.user_id, managers)
        self.assertEqual(set(activities.mapped("summary")), {"WhatsApp sending stopped"})
        self.assertIn("Resume sending", activities[0].note)

        self.account.access_token = "fake-graph-access-token"
        requests_when_blocked = len(self.graph.requests)
        self.send(at=fields.Datetime.now() + timedelta(minutes=5))
        self.assertEqual(len(self.graph.requests), requests_when_blocked, "stopped until an administrator resumes")

        self.account.action_resume_sending()
        self.assertFalse(self.account.sending_blocked)
        self.send(at=fields.Datetime.now() + timedelta(minutes=5))
        self.assertEqual(set(queued.mapped("state")), {"sent"})

    # ------------------------------------------------------------------ pace and order

    def test_sending_respects_the_accounts_messages_per_second(self):
        self.account.rate_limit_mps = 5
        phones = [f"+9198123002{index:02d}" for index in range(12)]
        queued = self.env["mp15.whatsapp.message"]
        for phone in phones:
            queued |= self.queue("बारह नागरिक", phone=phone)
        started = time.monotonic()
        self.send()
        self.assertGreaterEqual(time.monotonic() - started, 2, "12 messages at 5 per second take over 2 seconds")
        self.assertEqual(set(queued.mapped("state")), {"sent"})
        arrivals = sorted(request.received_at for request in self.graph.requests)
        self.assertEqual(len(arrivals), 12)
        self.assertGreaterEqual(arrivals[-1] - arrivals[0], 1.5, "as the Graph API sees them (with some noise)")
        for first, sixth in zip(arrivals, arrivals[5:], strict=False):
            self.assertGreaterEqual(sixth - first, 0.5, "no 6 requests close together")

    def test_a_citizen_gets_messages_in_order_even_when_one_is_held_back(self):
        first = self.queue("1 पहला")
        second = self.queue("2 दूसरा")
        third = self.queue("3 तीसरा")
        self.graph.queue_responses(ScriptedResponse.raw(b"Service Unavailable", 503))
        self.send()
        self.assertEqual(len(self.graph.requests), 1, "the others wait behind the first")
        self.assertEqual((first.state, first.attempt_count), ("queued", 1))
        self.assertEqual((second.attempt_count, third.attempt_count), (0, 0))

        fourth = self.queue("4 चौथा")  # the bot writes again while the first waits for its retry
        someone_else = self.queue("another citizen", phone=OTHER_CITIZEN)
        self.send(at=fields.Datetime.now() + timedelta(seconds=10))
        self.assertEqual(someone_else.state, "sent", "other citizens are not held up")
        self.assertEqual(self.sent_to(CITIZEN), [], "nothing overtakes the first message")

        self.send(at=first.next_attempt_at + timedelta(seconds=1))
        self.assertEqual(set((first | second | third | fourth).mapped("state")), {"sent"})
        self.assertEqual(
            [payload["text"]["body"] for payload in self.sent_to(CITIZEN)], ["1 पहला", "2 दूसरा", "3 तीसरा", "4 चौथा"]
        )

    # ------------------------------------------------------------------ delivery statuses

    def sent_message(self, text="स्थिति", **kwargs):
        message = self.queue(text, **kwargs)
        self.send()
        self.assertEqual(message.state, "sent")
        return message

    def test_statuses_move_forward_and_never_back(self):
        message = self.sent_message()
        wamid, now = message.wa_message_id, int(time.time())
        self.deliver_statuses(status(wamid, "sent", at=now), status(wamid, "delivered", at=now + 1))
        self.process_statuses()
        self.assertEqual(message.state, "delivered")
        self.assertTrue(message.date_delivered)
        self.deliver_statuses(status(wamid, "read", at=now + 5))
        self.process_statuses()
        self.assertEqual(message.state, "read")
        read_at = message.date_read
        self.assertTrue(read_at)

        self.deliver_statuses(status(wamid, "delivered", at=now + 1), status(wamid, "sent", at=now))  # late
        self.deliver_statuses(status(wamid, "failed", at=now + 9, errors=[{"code": 131026, "title": "x"}]))
        self.process_statuses()
        self.assertEqual((message.state, message.date_read, message.error_code), ("read", read_at, 0))
        leftover = self.env["mp15.whatsapp.status"].search(
            [("wa_message_id", "=", wamid), ("state", "!=", "processed")]
        )
        self.assertFalse(leftover, "every status is recorded as processed, moved or not")

    def test_read_arriving_before_delivered_in_one_batch_ends_read(self):
        message = self.sent_message()
        wamid, now = message.wa_message_id, int(time.time())
        self.deliver_statuses(status(wamid, "read", at=now + 4), status(wamid, "delivered", at=now + 2))
        self.process_statuses()
        self.assertEqual(message.state, "read")
        self.assertTrue(message.date_delivered <= message.date_read)

    def test_played_counts_as_read(self):
        message = self.sent_message()
        self.deliver_statuses(status(message.wa_message_id, "delivered"), status(message.wa_message_id, "played"))
        self.process_statuses()
        self.assertEqual(message.state, "read")
        self.assertTrue(message.date_read)

    def test_failed_status_records_its_code(self):
        message = self.sent_message()
        error = {"code": 131026, "title": "Message undeliverable", "error_data": {"details": "Not on WhatsApp."}}
        self.deliver_statuses(status(message.wa_message_id, "failed", errors=[error]))
        self.process_statuses()
        self.assertRecordValues(message, [{"state": "failed", "error_code": 131026}])
        self.assertEqual(message.error_message, "131026 Message undeliverable: Not on WhatsApp.")

    def test_failed_131047_status_falls_back_to_the_template(self):
        message = self.sent_message(grievance=self.grievance, fallback_template="feedback")
        self.assertEqual(json.loads(message.payload)["type"], "text")
        failure = {"code": 131047, "title": "Re-engagement message"}
        self.deliver_statuses(status(message.wa_message_id, "failed", errors=[failure]))
        self.process_statuses()
        self.assertEqual((message.state, message.message_type), ("queued", "template"))
        self.send()
        self.assertEqual(message.state, "sent")
        template = self.graph.sent_messages[-1]["template"]
        self.assertEqual(template["name"], "grievance_feedback")
        self.assertEqual(template["components"][0]["parameters"][0]["text"], self.grievance.name)

    def test_status_arriving_before_its_send_is_committed_is_applied_later(self):
        wamid = "wamid.HBgMOTE5ODEyMzAwMTAxFQIAERgSQUJDREVGMDEyMzQ1Njc4OQA="
        self.deliver_statuses(status(wamid, "delivered"))
        self.process_statuses()
        early = self.env["mp15.whatsapp.status"].search([("wa_message_id", "=", wamid)])
        self.assertEqual(early.state, "received", "kept for the next run")

        message = self.queue("sent a moment ago")
        message.write({"state": "sent", "wa_message_id": wamid})  # what the sender commits after Meta's answer
        self.process_statuses()
        self.assertEqual((early.state, early.message_id), ("processed", message))
        self.assertEqual(message.state, "delivered")

        stray = "wamid.HBgMOTE5ODEyMzAwMTAxFQIAERgSWllYV1ZVVFNSUVBPTk1MSwA="
        self.deliver_statuses(status(stray, "read"))
        self.process_statuses(at=fields.Datetime.now() + timedelta(hours=2))
        orphan = self.env["mp15.whatsapp.status"].search([("wa_message_id", "=", stray)])
        self.assertEqual(orphan.state, "error", "after an hour nobody will claim it")
        self.assertIn("No outbound message", orphan.error_message)
