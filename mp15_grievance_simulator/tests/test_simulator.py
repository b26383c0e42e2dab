"""The WhatsApp simulator: Graph API stand-in, signed webhooks, transcript, chat page."""

import base64
import hashlib
import json
import shutil
import time
import unittest
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.mp15_grievance.tools import cloud_api, messages, webhook
from odoo.addons.mp15_grievance.tools.cloud_api import CloudApiClient, CloudApiError

from .common import SimulatorCase

GRAPH_PATH = "/mp15/simulator/graph"
WEBHOOK_PATH = "/mp15/whatsapp/webhook"
CITIZEN_A = "+919876543210"
DISPLAY_DIGITS = "918982600918"
COMPLAINT = "gali me street light 1 hafte se band hai"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@tagged("post_install", "-at_install")
class TestSimulator(SimulatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(cls.env, "sim_manager", groups="mp15_grievance.group_manager", name="Sim Manager")
        cls.officer = new_test_user(cls.env, "sim_officer", groups="mp15_grievance.group_officer")
        cls.head = new_test_user(cls.env, "sim_head", groups="mp15_grievance.group_head")
        cls.simulator = cls.env["mp15.whatsapp.simulator"].with_user(cls.manager)

    # ------------------------------------------------------------------ helpers

    def client(self, token=None):
        token = self.account.access_token if token is None else token
        return CloudApiClient(self.base_url() + GRAPH_PATH, self.account.phone_number_id, token, timeout=10)

    def post_graph(self, body, token=None, phone_number_id=None, authorization=None):
        headers = {"Content-Type": "application/json"}
        headers["Authorization"] = authorization or f"Bearer {self.account.access_token if token is None else token}"
        path = f"{GRAPH_PATH}/{phone_number_id or self.account.phone_number_id}/messages"
        return self.opener.post(self.base_url() + path, data=body, headers=headers, timeout=12)

    def post_webhook(self, prepared):
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": prepared["signature"]}
        return self.url_open(WEBHOOK_PATH, data=prepared["body"].encode(), headers=headers)

    def events(self, prepared):
        """The webhook body as the real webhook reads it: signed with the app secret, well formed."""
        body = prepared["body"].encode()
        self.assertTrue(body.isascii(), "the browser must send exactly the signed bytes")
        self.assertTrue(webhook.verify_signature(body, prepared["signature"], self.account.app_secret))
        payload = webhook.parse_body(body)
        self.assertEqual(payload["entry"][0]["id"], self.account.waba_id)
        events = webhook.extract_events(payload)
        self.assertEqual(events.ignored, [])
        return events

    def message_of(self, prepared):
        events = self.events(prepared)
        self.assertEqual(len(events.messages), 1)
        message = events.messages[0]
        self.assertEqual(message.phone_number_id, self.account.phone_number_id)
        self.assertEqual(message.display_phone_number, DISPLAY_DIGITS)
        self.assertEqual(message.waba_id, self.account.waba_id)
        self.assertEqual(message.wa_message_id, prepared["wa_message_id"])
        self.assertLessEqual(abs(message.timestamp - time.time()), 60)
        return message

    def bot_message(self, payload, phone=CITIZEN_A, state="sent"):
        """An outbound message as the sender leaves it once Meta (here: the simulator) took it."""
        return self.env["mp15.whatsapp.message"].create(
            {
                "account_id": self.account.id,
                "direction": "out",
                "state": state,
                "phone": phone,
                "message_type": payload["type"],
                "body": "bot",
                "payload": json.dumps(payload, ensure_ascii=False),
                "wa_message_id": f"wamid.TEST{time.time_ns()}" if state != "queued" else False,
            }
        )

    def last_message_id(self):
        return self.env["mp15.whatsapp.message"].search([], order="id desc", limit=1).id or 0

    def run_bot(self):
        """The two scheduled actions, as the cron workers run them after the webhook's trigger."""
        # A test may not commit; flushing keeps what a commit would make visible to the raw SQL.
        with patch.object(self.env.cr, "commit", self.env.cr.flush):
            self.env["mp15.whatsapp.conversation"]._cron_process()
            self.env["mp15.whatsapp.message"]._cron_send()
        self.env.invalidate_all()

    # ------------------------------------------------------------------ Graph API stand-in

    def test_graph_sends_with_the_simulator_token(self):
        payload = messages.text_message(CITIZEN_A, "आपकी शिकायत MP15-2026-000123 दर्ज हो गई है")
        response = self.post_graph(json.dumps(payload, ensure_ascii=False).encode())
        self.assertEqual(response.status_code, 200)
        answer = response.json()
        self.assertEqual(answer["messaging_product"], "whatsapp")
        self.assertEqual(answer["contacts"], [{"input": CITIZEN_A, "wa_id": "919876543210"}])
        wamid = answer["messages"][0]["id"]
        self.assertTrue(wamid.startswith("wamid."))
        self.assertIn(b"919876543210", base64.b64decode(wamid.removeprefix("wamid.")))

        every_kind = [
            messages.buttons_message(CITIZEN_A, "दर्ज करें?", [("yes", "हाँ"), ("no", "नहीं")]),
            messages.list_message(CITIZEN_A, "चुनें", "मेनू", [("", [messages.Row("new", "नई शिकायत")])]),
            messages.location_request_message(CITIZEN_A, "लोकेशन भेजें"),
            messages.template_message(CITIZEN_A, "grievance_status_update", "hi", ["MP15-2026-000123", "हल", "x"]),
        ]
        with self.client() as client:
            results = [client.send(payload) for payload in every_kind]
            receipt = client.mark_read("wamid.HBgMOTE5ODc2NTQzMjEwFQIAEhgUM0E2RUZFMThCQzZBRjYwRDVEQUMA")
        self.assertEqual([result.disposition for result in results], [cloud_api.SENT] * 4)
        wamids = {result.wa_message_id for result in results} | {wamid}
        self.assertEqual(len(wamids), 5, "every accepted message gets a fresh wamid")
        self.assertEqual(receipt.disposition, cloud_api.SENT)
        self.assertIsNone(receipt.wa_message_id)

    def test_graph_refuses_a_wrong_or_missing_token(self):
        body = json.dumps(messages.text_message(CITIZEN_A, "hello")).encode()
        for response in (
            self.post_graph(body, token="not-the-token"),
            self.post_graph(body, token=""),
            self.post_graph(body, authorization=f"Basic {self.account.access_token}"),
        ):
            self.assertEqual(response.status_code, 401)
            self.assertEqual(response.json()["error"]["code"], 190)
        with self.client("not-the-token") as client:
            result = client.send(messages.text_message(CITIZEN_A, "hello"))
        self.assertEqual(result.disposition, cloud_api.AUTH)
        self.assertEqual(result.error.code, 190)

    def test_graph_refuses_garbage_with_code_100(self):
        garbage = [
            b"",
            b"not json at all",
            b"[1, 2, 3]",
            b'{"to": "+919876543210", "type": "text", "text": {"body": "no product"}}',
            b'{"messaging_product": "whatsapp", "type": "text", "text": {"body": "no recipient"}}',
            b'{"messaging_product": "whatsapp", "to": "not a number", "type": "text", "text": {"body": "x"}}',
            b'{"messaging_product": "whatsapp", "to": "+919876543210", "type": "text"}',
            b'{"messaging_product": "whatsapp", "to": "+919876543210", "type": "telepathy", "telepathy": {}}',
            b'{"messaging_product": "whatsapp", "status": "read"}',
            b"\xff\xfe\x00 binary",
        ]
        for body in garbage:
            with self.subTest(body=body):
                response = self.post_graph(body)
                self.assertEqual(response.status_code, 400)
                self.assertEqual(response.json()["error"]["code"], 100)
        unknown_number = self.post_graph(
            json.dumps(messages.text_message(CITIZEN_A, "x")).encode(), phone_number_id="1"
        )
        self.assertEqual(unknown_number.status_code, 400)
        self.assertEqual(unknown_number.json()["error"]["code"], 100)

    def test_media_round_trip(self):
        prepared = self.simulator.prepare_webhook(
            "+91 98765 43210",
            "राजेश कुमार",
            "image",
            {
                "base64": base64.b64encode(PNG).decode(),
                "mimetype": "image/png",
                "filename": "pothole.png",
                "caption": "Teen Batti chowk",
            },
        )
        message = self.message_of(prepared)
        self.assertEqual(message.type, "image")
        self.assertEqual(message.caption, "Teen Batti chowk")
        self.assertEqual(message.media_mime_type, "image/png")
        self.assertEqual(message.media_sha256, base64.b64encode(hashlib.sha256(PNG).digest()).decode())
        self.env.flush_all()  # the client below does not go through the test opener, which flushes

        with self.client() as client:
            info = client.get_media(message.media_id)
            self.assertEqual(info.mime_type, "image/png")
            self.assertEqual(info.sha256, hashlib.sha256(PNG).hexdigest())
            self.assertEqual(info.file_size, len(PNG))
            self.assertTrue(info.url.startswith(f"{self.base_url()}/mp15/simulator/media/"))
            self.assertEqual(client.download_media(info.url, max_bytes=5 * 1024 * 1024), PNG)
            with self.assertRaises(CloudApiError) as unknown:
                client.get_media("1234567890123456")
            self.assertEqual(unknown.exception.http_status, 400)
        with self.client("not-the-token") as client, self.assertRaises(CloudApiError) as refused:
            client.get_media(message.media_id)
        self.assertEqual(refused.exception.disposition, cloud_api.AUTH)
        self.assertEqual(self.url_open(info.url).status_code, 401, "the download needs the bearer token too")
        bearer = {"Authorization": f"Bearer {self.account.access_token}"}
        self.assertEqual(self.url_open(f"{GRAPH_PATH}/abc%00def", headers=bearer).status_code, 400)

    # ------------------------------------------------------------------ signed webhooks

    def test_text_webhook_is_signed_and_meta_shaped(self):
        prepared = self.simulator.prepare_webhook("09876543210", "राजेश कुमार", "text", {"body": "पानी नहीं आ रहा"})
        message = self.message_of(prepared)
        self.assertEqual(prepared["phone"], CITIZEN_A)
        self.assertEqual((message.wa_id, message.profile_name), ("919876543210", "राजेश कुमार"))
        self.assertEqual((message.type, message.text), ("text", "पानी नहीं आ रहा"))
        self.assertIsInstance(message.raw["timestamp"], str)
        self.assertIn(b"919876543210", base64.b64decode(message.wa_message_id.removeprefix("wamid.")))
        other = self.simulator.prepare_webhook(CITIZEN_A, "राजेश कुमार", "text", {"body": "पानी नहीं आ रहा"})
        self.assertNotEqual(other["wa_message_id"], prepared["wa_message_id"])

    def test_button_and_list_replies_answer_a_bot_message(self):
        buttons = self.bot_message(
            messages.buttons_message(CITIZEN_A, "दर्ज करें?", [("confirm_submit", "हाँ, दर्ज करें"), ("cancel", "नहीं")])
        )
        prepared = self.simulator.prepare_webhook(
            CITIZEN_A, "राजेश कुमार", "button_reply", {"message_id": buttons.id, "reply_id": "confirm_submit"}
        )
        message = self.message_of(prepared)
        self.assertEqual((message.interactive_id, message.interactive_title), ("confirm_submit", "हाँ, दर्ज करें"))
        self.assertEqual(message.context_id, buttons.wa_message_id)
        self.assertEqual(message.raw["context"]["from"], DISPLAY_DIGITS)

        rows = [messages.Row("cat_water_supply", "पानी की आपूर्ति", "नल में पानी न आना, लीकेज, गंदा पानी")]
        menu = self.bot_message(messages.list_message(CITIZEN_A, "श्रेणी चुनें", "श्रेणियाँ", [("", rows)]))
        prepared = self.simulator.prepare_webhook(
            CITIZEN_A, "राजेश कुमार", "list_reply", {"message_id": menu.id, "reply_id": "cat_water_supply"}
        )
        message = self.message_of(prepared)
        self.assertEqual((message.interactive_id, message.interactive_title), ("cat_water_supply", "पानी की आपूर्ति"))
        self.assertEqual(message.raw["interactive"]["list_reply"]["description"], "नल में पानी न आना, लीकेज, गंदा पानी")
        self.assertEqual(message.context_id, menu.wa_message_id)

        queued = self.bot_message(messages.buttons_message(CITIZEN_A, "?", [("a", "A")]), state="queued")
        for kind, data in (
            ("button_reply", {"message_id": buttons.id, "reply_id": "made_up"}),
            ("list_reply", {"message_id": buttons.id, "reply_id": "confirm_submit"}),
            ("button_reply", {"message_id": queued.id, "reply_id": "a"}),
            ("button_reply", {"message_id": 0, "reply_id": "a"}),
            ("button_reply", {"message_id": "1", "reply_id": "a"}),
        ):
            with self.subTest(kind=kind, data=data), self.assertRaises(UserError):
                self.simulator.prepare_webhook(CITIZEN_A, "राजेश कुमार", kind, data)
        with self.assertRaises(UserError):
            self.simulator.prepare_webhook(
                "+919425012345", "Priya", "button_reply", {"message_id": buttons.id, "reply_id": "cancel"}
            )

    def test_location_webhook(self):
        prepared = self.simulator.prepare_webhook(
            CITIZEN_A, "राजेश कुमार", "location", {"latitude": 23.8388, "longitude": 78.7378, "name": "Teen Batti"}
        )
        message = self.message_of(prepared)
        self.assertEqual((message.type, message.latitude, message.longitude), ("location", 23.8388, 78.7378))
        self.assertEqual(message.location_name, "Teen Batti")
        typed = self.message_of(
            self.simulator.prepare_webhook(CITIZEN_A, "", "location", {"latitude": "23,8359", "longitude": "78.7365"})
        )
        self.assertEqual((typed.latitude, typed.longitude, typed.profile_name), (23.8359, 78.7365, "+91 98765 43210"))
        for data in ({"latitude": 123, "longitude": 78}, {"latitude": "north", "longitude": 78}, {}):
            with self.subTest(data=data), self.assertRaises(UserError):
                self.simulator.prepare_webhook(CITIZEN_A, "", "location", data)

    def test_refusals_are_clear(self):
        cases = [
            ("not a phone", "text", {"body": "x"}),
            ("+91 22 2456 7890", "text", {"body": "x"}),  # a Mumbai landline: no WhatsApp
            (CITIZEN_A, "text", {"body": "   "}),
            (CITIZEN_A, "sticker", {}),
            (CITIZEN_A, "image", {"base64": base64.b64encode(b"%PDF-1.4 not a photo").decode()}),
            (CITIZEN_A, "image", {"base64": "!!! not base64"}),
            (CITIZEN_A, "image", {"base64": base64.b64encode(b"\xff\xd8\xff" + bytes(5 * 1024 * 1024)).decode()}),
        ]
        for phone, kind, data in cases:
            with self.subTest(phone=phone, kind=kind), self.assertRaises(UserError) as refused:
                self.simulator.prepare_webhook(phone, "X", kind, data)
            self.assertTrue(str(refused.exception))
        with self.assertRaisesRegex(UserError, "not a phone number"):
            self.simulator.transcript("abc")

    def test_status_webhook_marks_a_bot_message_read(self):
        sent = self.bot_message(messages.text_message(CITIZEN_A, "नमस्ते"))
        for status in ("delivered", "read"):
            events = self.events(self.simulator.prepare_status(sent.wa_message_id, status))
            self.assertEqual(len(events.statuses), 1)
            update = events.statuses[0]
            self.assertEqual((update.wa_message_id, update.status), (sent.wa_message_id, status))
            self.assertEqual(
                (update.recipient_id, update.phone_number_id), ("919876543210", self.account.phone_number_id)
            )
        for wa_message_id, status in ((sent.wa_message_id, "failed"), ("wamid.unknown", "read")):
            with self.subTest(status=status), self.assertRaises(UserError):
                self.simulator.prepare_status(wa_message_id, status)

    def test_only_managers_may_simulate(self):
        sent = self.bot_message(messages.text_message(CITIZEN_A, "नमस्ते"))
        calls = [
            ("prepare_webhook", (CITIZEN_A, "X", "text", {"body": "x"})),
            ("prepare_status", (sent.wa_message_id, "read")),
            ("transcript", (CITIZEN_A,)),
            ("citizens", ()),
            ("check_citizen", (CITIZEN_A,)),
            ("simulator_account", ()),
        ]
        for user in (self.officer, self.head):
            simulator = self.env["mp15.whatsapp.simulator"].with_user(user)
            for method, args in calls:
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    getattr(simulator, method)(*args)

    # ------------------------------------------------------------------ through the real webhook

    def test_transcript_shows_both_directions(self):
        phone = "+919425012345"
        before = self.last_message_id()
        prepared = self.simulator.prepare_webhook(
            "9425012345", "Priya Sharma", "text", {"body": "Pothole near Teen Batti"}
        )
        response = self.post_webhook(prepared)
        self.assertEqual(response.status_code, 200)
        tampered = dict(prepared, body=prepared["body"].replace("Pothole", "Potholes"))
        with self.assertLogs("odoo.addons.mp15_grievance.models.mp15_whatsapp_message_ingest", "WARNING"):
            self.assertEqual(self.post_webhook(tampered).status_code, 403)
        bot = self.bot_message(
            messages.buttons_message(phone, "क्या यह सही है?", [("yes", "हाँ"), ("no", "नहीं")], footer="MP15"), phone=phone
        )

        entries = self.simulator.transcript(phone, after_id=before)
        self.assertEqual([entry["direction"] for entry in entries], ["in", "out"])
        citizen_said, bot_said = entries
        self.assertEqual(citizen_said["body"], "Pothole near Teen Batti")
        self.assertEqual(citizen_said["state"], "received")
        self.assertEqual(citizen_said["wa_message_id"], prepared["wa_message_id"])
        self.assertEqual(bot_said["id"], bot.id)
        self.assertEqual(bot_said["body"], "क्या यह सही है?")
        self.assertEqual(bot_said["footer"], "MP15")
        self.assertEqual(
            bot_said["interactive"], {"buttons": [{"id": "yes", "title": "हाँ"}, {"id": "no", "title": "नहीं"}]}
        )
        self.assertEqual(bot_said["state"], "sent")
        self.assertEqual(self.simulator.transcript(phone, after_id=citizen_said["id"]), [bot_said])
        self.assertIn({"phone": phone, "display": "+91 94250 12345", "name": "Priya Sharma"}, self.simulator.citizens())

    def test_end_to_end_text_to_bot_reply(self):
        self.assertEqual(
            self.account._effective_graph_url(),
            f"http://127.0.0.1:{self.http_port()}{GRAPH_PATH}",
            "the bot must send to this very server",
        )
        phone = "+917987123456"
        before = self.last_message_id()
        prepared = self.simulator.prepare_webhook(phone, "Mohd Imran", "text", {"body": COMPLAINT})
        self.assertEqual(self.post_webhook(prepared).status_code, 200)

        self.run_bot()

        entries = self.simulator.transcript(phone, after_id=before)
        self.assertEqual(entries[0]["body"], COMPLAINT)
        self.assertEqual(entries[0]["state"], "processed")
        replies = [entry for entry in entries if entry["direction"] == "out"]
        self.assertTrue(replies, "the bot answered")
        self.assertEqual({reply["state"] for reply in replies}, {"sent"})
        self.assertTrue(all(reply["wa_message_id"].startswith("wamid.") for reply in replies))
        self.assertTrue(all(reply["body"] for reply in replies))

    def test_a_question_is_answered_and_a_named_place_sets_the_ward(self):
        ward = self.env["mp15.ward"].create({"number": 951, "name": "Simulated ward"})
        self.env["mp15.place"].search([]).active = False  # demo places: this test knows its own
        self.env["mp15.place"].create({"name": "Gour Murti", "aliases": "गौर मूर्ति", "ward_id": ward.id})
        phone = "+917987123457"
        for text in ("property tax kitna baki hai?", "Gour Murti ke paas street light band hai"):
            before = self.last_message_id()
            self.assertEqual(
                self.post_webhook(
                    self.simulator.prepare_webhook(phone, "Ankit Jain", "text", {"body": text})
                ).status_code,
                200,
            )
            self.run_bot()
            replies = [
                entry for entry in self.simulator.transcript(phone, after_id=before) if entry["direction"] == "out"
            ]
            if text.startswith("property"):
                tax = self.env.ref("mp15_grievance.bot_answer_property_tax").with_context(lang="hi_IN")
                self.assertIn(tax.body, replies[-1]["body"], "the answer, not a complaint")
                self.assertEqual(
                    [button["id"] for button in replies[-1]["interactive"]["buttons"]], ["question:complain"]
                )
                self.assertFalse(replies[-1]["grievance"])
        conversation = self.env["mp15.whatsapp.conversation"].search(
            [("account_id", "=", self.account.id), ("phone", "=", phone)]
        )
        grievance = self.env["mp15.grievance"].search([("partner_id", "=", conversation.partner_id.id)])
        self.assertEqual(len(grievance), 1, "the question was not filed, the complaint was")
        self.assertEqual((grievance.ward_id, grievance.address), (ward, "Gour Murti"))

    @unittest.skipUnless(
        any(shutil.which(name) for name in ("chromium", "google-chrome", "chromium-browser")), "no Chromium"
    )
    def test_chat_page_tour(self):
        before = self.last_message_id()
        self.start_tour("/odoo/whatsapp-simulator", "mp15_whatsapp_simulator_send", login=self.manager.login)
        sent = self.env["mp15.whatsapp.message"].search([("id", ">", before), ("direction", "=", "in")])
        self.assertEqual(sent.mapped("body"), [COMPLAINT])
        # browser_js makes later requests without the test cookie fail; the sender's are such requests.
        self.http_request_strict_check = False
        self.run_bot()
        self.start_tour("/odoo/whatsapp-simulator", "mp15_whatsapp_simulator_reply", login=self.manager.login)
