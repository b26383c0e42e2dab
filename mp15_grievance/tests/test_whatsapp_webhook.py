"""The webhook through the real HTTP stack: handshake, every fixture, redelivery, hostile inputs, racing workers."""

import contextlib
import inspect
import json
import select
import threading
import time
from datetime import UTC, datetime

import psycopg2

import odoo
from odoo import SUPERUSER_ID, api
from odoo.service import server as odoo_server
from odoo.tests import BaseCase, HttpCase, TransactionCase, tagged

from ..models.ir_cron import notify_cron_workers
from ..models.processing_lanes import PROCESS_CRONS, processing_lane
from .common import SeparateConnections
from .fake_graph_api import FIXTURES_DIR, fixture_bytes
from .whatsapp_common import (
    APP_SECRET,
    MESSAGE_LOGGER,
    VERIFY_TOKEN,
    WEBHOOK_PATH,
    create_account,
    encode,
    envelope,
    inbound,
    new_wamid,
    sign,
    status,
)

MIB = 1024 * 1024
CITIZEN = "919812300011"
OTHER_PHONE_NUMBER_ID = "100000000000077"  # a second number, with its own app secret
RACE_PHONE_NUMBER_ID = "100000000000078"
RUN_PHONE_NUMBER_ID = "100000000000079"

# (messages, statuses) each fixture stores; Graph API answers are not webhooks and store nothing.
FIXTURE_ROWS = {
    "inbound_audio_voice.json": (1, 0),
    "inbound_batch_multi.json": (3, 1),
    "inbound_contacts.json": (1, 0),
    "inbound_document.json": (1, 0),
    "inbound_image.json": (1, 0),
    "inbound_interactive_button_reply.json": (1, 0),
    "inbound_interactive_list_reply.json": (1, 0),
    "inbound_location.json": (1, 0),
    "inbound_location_bare.json": (1, 0),
    "inbound_reaction.json": (1, 0),
    "inbound_reply_with_context.json": (1, 0),
    "inbound_sticker.json": (1, 0),
    "inbound_text_english.json": (1, 0),
    "inbound_text_hindi.json": (1, 0),
    "inbound_text_hinglish.json": (1, 0),
    "inbound_unsupported.json": (1, 0),
    "media_url_response.json": (0, 0),
    "send_error_130429.json": (0, 0),
    "send_error_131026.json": (0, 0),
    "send_error_131047.json": (0, 0),
    "send_error_190_token.json": (0, 0),
    "send_response_ok.json": (0, 0),
    "status_delivered.json": (0, 1),
    "status_failed_131047.json": (0, 1),
    "status_played.json": (0, 1),
    "status_read.json": (0, 1),
    "status_sent.json": (0, 1),
    "status_with_conversation_pricing.json": (0, 1),
}

INJECTIONS = [
    "'); DROP TABLE mp15_whatsapp_message; --",
    "1' OR '1'='1",
    "Robert'); DELETE FROM res_partner WHERE ('1'='1",
    "<script>alert('xss')</script>",
    '<img src=x onerror="alert(1)">',
    "{{ 7*7 }} ${7*7} <%= 7*7 %> %s %(ref)s {ref}",
    "पानी\\'; SELECT pg_sleep(10); --",
]


def _utc(unix_seconds):
    return datetime.fromtimestamp(unix_seconds, UTC).replace(tzinfo=None)


@tagged("post_install", "-at_install", "mp15_whatsapp")
class TestWhatsappWebhook(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = create_account(cls.env)
        cls.other_account = create_account(
            cls.env,
            name="Another number (test)",
            phone_number_id=OTHER_PHONE_NUMBER_ID,
            app_secret="app-secret-of-another-number",
            verify_token="verify-token-of-another-number",
        )

    # ------------------------------------------------------------------ helpers

    def post(self, body, signature=True, content_type="application/json", headers=None):
        """POST ``body`` to the webhook, signed with the account's app secret unless told otherwise."""
        sent_headers = {"Content-Type": content_type} if content_type else {}
        if signature is True:
            signature = sign(body if isinstance(body, bytes) else b"", APP_SECRET)
        if signature:
            sent_headers["X-Hub-Signature-256"] = signature
        sent_headers.update(headers or {})
        response = self.opener.post(self.base_url() + WEBHOOK_PATH, data=body, headers=sent_headers, timeout=30)
        self.assertLess(response.status_code, 500, response.text)
        return response

    def rows(self):
        """(inbound+outbound messages, statuses) in the database: what a request stored."""
        self.env.cr.execute(
            "SELECT (SELECT count(*) FROM mp15_whatsapp_message), (SELECT count(*) FROM mp15_whatsapp_status)"
        )
        return self.env.cr.fetchone()

    def message(self, wamid):
        return self.env["mp15.whatsapp.message"].search([("wa_message_id", "=", wamid)])

    def assertStores(self, expected_rows, body, expected_status=200, **post_kwargs):
        before = self.rows()
        response = self.post(body, **post_kwargs)
        self.assertEqual(response.status_code, expected_status, response.text)
        after = self.rows()
        self.assertEqual((after[0] - before[0], after[1] - before[1]), expected_rows)
        return response

    def assertRefused(self, expected_status, body, **post_kwargs):
        return self.assertStores((0, 0), body, expected_status, **post_kwargs)

    # ------------------------------------------------------------------ handshake

    def test_handshake_echoes_the_challenge_only_for_our_verify_token(self):
        query = (FIXTURES_DIR / "verification_request.txt").read_text().strip()
        response = self.url_open(f"{WEBHOOK_PATH}?{query}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.text, "1904357226")
        self.assertTrue(response.headers["Content-Type"].startswith("text/plain"))

        refused = [
            query.replace(VERIFY_TOKEN, "sagar-grievance-wrong"),
            query.replace(f"&hub.verify_token={VERIFY_TOKEN}", ""),
            query.replace(VERIFY_TOKEN, ""),
            query.replace("hub.mode=subscribe", "hub.mode=unsubscribe"),
            query.replace("hub.challenge=1904357226&", ""),
            "",
        ]
        for query_string in refused:
            with self.subTest(query=query_string):
                response = self.url_open(f"{WEBHOOK_PATH}?{query_string}")
                self.assertEqual(response.status_code, 403)
                self.assertNotIn("1904357226", response.text)

        self.account.active = False
        self.assertEqual(self.url_open(f"{WEBHOOK_PATH}?{query}").status_code, 403, "archived: no longer verified")

    # ------------------------------------------------------------------ fixtures

    def test_every_fixture_signed_over_its_exact_bytes_is_stored_once(self):
        names = sorted(path.name for path in FIXTURES_DIR.glob("*.json"))
        self.assertEqual(names, sorted(FIXTURE_ROWS), "a new fixture needs its expected rows here")
        for name in names:
            body = fixture_bytes(name)
            with self.subTest(fixture=name):
                self.assertStores(FIXTURE_ROWS[name], body)
                self.assertStores((0, 0), body)  # Meta's redelivery: answered 200, nothing twice

    def test_fixture_values_are_stored_as_sent(self):
        for name in (
            "inbound_text_hindi.json",
            "inbound_interactive_list_reply.json",
            "inbound_location.json",
            "inbound_image.json",
            "inbound_document.json",
            "inbound_reaction.json",
            "inbound_contacts.json",
            "status_failed_131047.json",
            "status_played.json",
        ):
            self.assertEqual(self.post(fixture_bytes(name)).status_code, 200)

        hindi = self.message("wamid.HBgMOTE5ODc2NTQzMjEwFQIAEhgUM0E3NkI4RTBCNzJGRThDOUE2NzkA")
        self.assertRecordValues(
            hindi,
            [
                {
                    "direction": "in",
                    "state": "received",
                    "account_id": self.account.id,
                    "phone": "+919876543210",
                    "message_type": "text",
                    "body": "मेरे वार्ड में तीन दिन से पानी नहीं आ रहा है",
                    "profile_name": "राजेश कुमार",
                    "wa_timestamp": _utc(1764646964),
                }
            ],
        )
        self.assertEqual(json.loads(hindi.payload)["text"]["body"], hindi.body)

        picked = self.message("wamid.HBgMOTE5ODc2NTQzMjEwFQIAEhgUM0E2RUZFMThCQzZBRjYwRDVEQUMA")
        self.assertEqual((picked.interactive_id, picked.body), ("cat_water_supply", "पानी की आपूर्ति"))
        self.assertEqual(picked.context_wa_message_id, "wamid.HBgMOTE5ODc2NTQzMjEwFQIAERgSRDY5RUZFRUI2RjZBODY5RTdCAA==")

        pin = self.message("wamid.HBgMOTE5ODc2NTQzMjEwFQIAEhgUM0E2OTM3OUMyMjFEODVDQzFERDcA")
        self.assertAlmostEqual(pin.latitude, 23.8388176, places=6)
        self.assertAlmostEqual(pin.longitude, 78.7377930, places=6)
        self.assertIn("Katra Bazar, Sagar, Madhya Pradesh 470002", pin.location_address)

        photo = self.message("wamid.HBgMOTE5NDI1MDEyMzQ1FQIAEhggREY4OERFQjMwRUMwRDA1OTI1RUIyNjc0MEE0OUE2RDQA")
        self.assertEqual(
            (photo.message_type, photo.media_id, photo.media_mime_type), ("image", "1078521379481984", "image/jpeg")
        )
        self.assertIn("Pothole near Teen Batti chowk", photo.body)

        letter = self.message("wamid.HBgMOTE2MjYwMTIzNDU2FQIAEhggRUIwNEI3QTA1N0FFRUVENTMyOTcwMzNBRTBGMEJCQTIA")
        self.assertEqual(
            (letter.media_filename, letter.media_mime_type), ("shikayat_patra_ward_14.pdf", "application/pdf")
        )

        reaction = self.message("wamid.HBgMOTE5ODc2NTQzMjEwFQIAEhgUM0EyREM3MUU4QTg1MDRDNjEyQkUA")
        self.assertEqual((reaction.message_type, reaction.body), ("reaction", "[reaction] 🙏"))

        card = self.message("wamid.HBgMOTE4ODcxMjM0NTY3FQIAEhgUM0FENzU0RjYwRjhGOTJDNzIwOTgA")
        self.assertIn("Ramesh Yadav: +91 94251 87654", card.body)

        Status = self.env["mp15.whatsapp.status"]
        failed = Status.search(
            [("wa_message_id", "=", "wamid.HBgMOTE2MjYwMTIzNDU2FQIAERgSRTYzN0Y1NEEwOENGRDY4OTQ0AA==")]
        )
        self.assertEqual((failed.status, failed.error_code, failed.state), ("failed", 131047, "received"))
        self.assertIn("24 hours", failed.error_message)
        played = Status.search([("account_id", "=", self.account.id), ("status", "=", "played")])
        self.assertEqual(len(played), 1)

    def test_batch_of_three_messages_and_a_status_in_one_post(self):
        self.assertStores((3, 1), fixture_bytes("inbound_batch_multi.json"))
        stored = self.env["mp15.whatsapp.message"].search(
            [("account_id", "=", self.account.id), ("direction", "=", "in")], order="wa_timestamp"
        )
        self.assertEqual(
            [(m.phone, m.profile_name, m.message_type) for m in stored],
            [
                ("+919425012345", "Priya Sharma", "text"),
                ("+917987123456", "Mohd Imran", "text"),
                ("+919425012345", "Priya Sharma", "location"),
            ],
        )
        self.assertEqual(stored[1].body, "नाली चोक है, सड़क पर गंदा पानी बह रहा है")
        trigger = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", self.env.ref("mp15_grievance.ir_cron_process_whatsapp").id)], order="id desc", limit=1
        )
        self.assertTrue(trigger, "processing is handed to the scheduled action at once")

    def test_a_redelivered_message_inside_a_new_batch_is_skipped_and_the_rest_stored(self):
        first = inbound(CITIZEN, "text", {"body": "नाली जाम है"})
        self.assertStores((1, 0), encode(envelope([first])))
        second = inbound(CITIZEN, "text", {"body": "बहुत बदबू आ रही है"})
        self.assertStores((1, 0), encode(envelope([first, second])))
        self.assertEqual(len(self.message(first["id"])), 1)

    # ------------------------------------------------------------------ signatures

    def test_unsigned_or_wrongly_signed_bodies_are_refused_and_nothing_stored(self):
        body = fixture_bytes("inbound_text_hindi.json")
        other_secret = sign(body, "an-attacker-secret")
        tampered = body.replace("तीन".encode(), "चार".encode())
        reserialised = json.dumps(json.loads(body)).encode()
        cases = [
            ("missing", body, None),
            ("empty", body, ""),
            ("zeros", body, "sha256=" + "0" * 64),
            ("another secret", body, other_secret),
            ("over other bytes", tampered, sign(body)),
            ("over re-serialised JSON", body, sign(reserialised)),
            ("sha1 scheme", body, "sha1=" + sign(body)[7:47]),
            ("no scheme", body, sign(body)[7:]),
            ("truncated", body, sign(body)[:-1]),
            ("trailing junk", body, sign(body) + "00"),
            ("two signatures", body, f"{sign(body)},{sign(body)}"),
            ("not hex", body, "sha256=" + "z" * 64),
            ("non-ASCII", body, "sha256=" + "é" * 64),
        ]
        for reason, sent, signature in cases:
            with self.subTest(reason), self.assertLogs(MESSAGE_LOGGER, "WARNING") as logs:
                self.assertRefused(403, sent, signature=signature)
            self.assertIn("signature", logs.output[0])

    def test_a_body_signed_by_another_account_for_our_number_stores_nothing(self):
        body = fixture_bytes("inbound_text_hindi.json")
        with self.assertLogs(MESSAGE_LOGGER, "WARNING") as logs:
            self.assertRefused(200, body, signature=sign(body, self.other_account.app_secret))
        self.assertIn("unknown phone number id 106540352242922", logs.output[0])

    def test_unknown_phone_number_id_is_answered_200_and_ignored(self):
        body = encode(envelope([inbound(CITIZEN, "text", {"body": "hello"})], phone_number_id="999999999999999"))
        with self.assertLogs(MESSAGE_LOGGER, "WARNING") as logs:
            self.assertRefused(200, body)
        self.assertIn("unknown phone number id 999999999999999", logs.output[0])
        status_body = encode(envelope(statuses=[status(new_wamid(), "read")], phone_number_id="999999999999999"))
        with self.assertLogs(MESSAGE_LOGGER, "WARNING"):
            self.assertRefused(200, status_body)

    # ------------------------------------------------------------------ hostile bodies

    def test_bodies_that_are_not_a_json_object_are_refused_with_400(self):
        deep = b'{"object": ' + b"[" * 1000 + b"]" * 1000 + b"}"
        cases = [
            ("not JSON", b"hub.mode=subscribe&hub.challenge=1"),
            ("empty", b""),
            ("truncated JSON", fixture_bytes("inbound_text_hindi.json")[:-3]),
            ("JSON array", b'[{"object": "whatsapp_business_account", "entry": []}]'),
            ("JSON string", b'"whatsapp_business_account"'),
            ("1000-deep nesting", deep),
            ("NaN", b'{"object": "whatsapp_business_account", "entry": [], "x": NaN}'),
            ("Infinity", b'{"object": "whatsapp_business_account", "entry": [], "x": -Infinity}'),
            ("huge number", b'{"object": "whatsapp_business_account", "entry": [], "x": 1e999}'),
            ("lone surrogate", encode(envelope([inbound(CITIZEN, "text", {"body": "टूटा \ud800 अक्षर"})]))),
            ("lone surrogate escape", b'{"object": "whatsapp_business_account", "entry": [], "x": "\\udc00"}'),
            ("NUL character", b'{"object": "whatsapp_business_account", "entry": [], "x": "a\\u0000b"}'),
            ("not UTF-8", b'{"object": "whatsapp_business_account", "x": "\xff\xfe"}'),
        ]
        for reason, body in cases:
            with self.subTest(reason), self.assertLogs(MESSAGE_LOGGER, "WARNING") as logs:
                self.assertRefused(400, body)
            self.assertIn("malformed body", logs.output[0])

    def test_wrong_content_types_are_refused_with_415(self):
        body = fixture_bytes("inbound_text_hindi.json")
        for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None):
            with self.subTest(content_type=content_type):
                self.assertRefused(415, body, content_type=content_type)

    def test_bodies_over_4_mib_are_refused_with_413(self):
        def padded(size):
            head, tail = b'{"object": "whatsapp_business_account", "pad": "', b'"}'
            return head + b"x" * (size - len(head) - len(tail)) + tail

        big = padded(4 * MIB + 1)
        self.assertRefused(413, big)

        def chunks():
            yield big[: 3 * MIB]
            yield big[3 * MIB :]

        self.assertRefused(413, chunks(), signature=sign(big))
        at_limit = padded(4 * MIB)
        self.assertRefused(200, at_limit)  # at the limit: read, verified, nothing in it to store
        self.assertRefused(200, iter([at_limit[: 3 * MIB], at_limit[3 * MIB :]]), signature=sign(at_limit))

    def test_shapes_without_what_we_need_are_answered_200_and_store_nothing(self):
        no_id = inbound(CITIZEN, "text", {"body": "x"})
        del no_id["id"]
        no_sender = inbound(CITIZEN, "text", {"body": "x"})
        del no_sender["from"]
        cases = [
            ("another object", {"object": "page", "entry": []}),
            ("no entry", {"object": "whatsapp_business_account"}),
            ("entry not a list", {"object": "whatsapp_business_account", "entry": {"id": "1"}}),
            ("no changes", {"object": "whatsapp_business_account", "entry": [{"id": "1"}]}),
            ("no value", {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages"}]}]}),
            (
                "other field",
                {
                    "object": "whatsapp_business_account",
                    "entry": [{"changes": [{"field": "account_update", "value": {}}]}],
                },
            ),
            ("message without id", envelope([no_id])),
            ("message without sender", envelope([no_sender])),
            (
                "messages not a list",
                {**envelope(), "entry": [{"changes": [{"field": "messages", "value": {"messages": "hi"}}]}]},
            ),
            ("status without status", envelope(statuses=[{"id": new_wamid(), "timestamp": "1764646964"}])),
            ("status without id", envelope(statuses=[{"status": "read"}])),
            (
                "no metadata",
                {
                    "object": "whatsapp_business_account",
                    "entry": [
                        {
                            "changes": [
                                {"field": "messages", "value": {"messages": [inbound(CITIZEN, "text", {"body": "x"})]}}
                            ]
                        }
                    ],
                },
            ),
            (
                "value errors only",
                {
                    "object": "whatsapp_business_account",
                    "entry": [
                        {
                            "changes": [
                                {
                                    "field": "messages",
                                    "value": {"errors": [{"code": 131000, "title": "Something went wrong"}]},
                                }
                            ]
                        }
                    ],
                },
            ),
        ]
        for reason, payload in cases:
            with self.subTest(reason):
                if reason == "no metadata":
                    with self.assertLogs(MESSAGE_LOGGER, "WARNING"):  # no phone number id: not ours
                        self.assertRefused(200, encode(payload))
                elif reason == "value errors only":
                    with self.assertLogs(MESSAGE_LOGGER, "WARNING") as logs:  # Meta's own error: logged
                        self.assertRefused(200, encode(payload))
                    self.assertIn("131000", logs.output[0])
                else:
                    self.assertRefused(200, encode(payload))

    def test_odd_but_real_messages_are_stored_for_the_bot_to_answer(self):
        hologram = inbound(CITIZEN, "hologram", {"id": "1", "colour": "blue"})
        self.assertStores((1, 0), encode(envelope([hologram])))
        stored = self.message(hologram["id"])
        self.assertEqual((stored.message_type, stored.body, stored.state), ("hologram", "[hologram]", "received"))

        unknown_status = status(new_wamid(), "deleted")
        self.assertStores((0, 1), encode(envelope(statuses=[unknown_status])))
        self.assertEqual(
            self.env["mp15.whatsapp.status"].search([("wa_message_id", "=", unknown_status["id"])]).status, "deleted"
        )

        for latitude, longitude in ((123.0, 78.7), (23.8, -181.0), ("north", 78.7), (None, None)):
            with self.subTest(latitude=latitude, longitude=longitude):
                pin = inbound(CITIZEN, "location", {"latitude": latitude, "longitude": longitude})
                self.assertStores((1, 0), encode(envelope([pin])))
                stored = self.message(pin["id"])
                self.assertEqual((stored.latitude, stored.longitude), (0.0, 0.0), "no coordinates kept")
                self.env.cr.execute("SELECT latitude FROM mp15_whatsapp_message WHERE id = %s", [stored.id])
                self.assertIsNone(self.env.cr.fetchone()[0])

    def test_65_kb_text_is_stored_clipped_to_whatsapps_4096_characters(self):
        long_text = inbound(CITIZEN, "text", {"body": "पानी नहीं आ रहा " * 4100})
        self.assertStores((1, 0), encode(envelope([long_text])))
        self.assertGreater(len(encode(envelope([long_text]))), 65 * 1024)
        stored = self.message(long_text["id"])
        self.assertLessEqual(len(stored.body), 4096)
        self.assertTrue(stored.body.startswith("पानी नहीं आ रहा पानी"))

    def test_injection_strings_are_stored_verbatim_as_data(self):
        sent = [inbound(CITIZEN, "text", {"body": text}) for text in INJECTIONS]
        named = inbound("919812300012", "text", {"body": "x"})
        payload = envelope([*sent, named], names={"919812300012": INJECTIONS[0]})
        self.assertStores((len(INJECTIONS) + 1, 0), encode(payload))
        for message, text in zip(sent, INJECTIONS, strict=True):
            self.assertEqual(self.message(message["id"]).body, text)
        self.assertEqual(self.message(named["id"]).profile_name, INJECTIONS[0])


@tagged("post_install", "-at_install", "mp15_whatsapp")
class TestWebhookRace(SeparateConnections, odoo.tests.BaseCase):
    """Meta delivers the same message twice at once to two workers: it is stored once.

    Real, separate database connections with committed rows; cleaned up afterwards.
    """

    def waiting_inserts(self, cr):
        cr.execute(
            """
            SELECT count(*) FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock'
               AND query LIKE '%%INSERT INTO%%mp15_whatsapp_message%%'
            """
        )
        return cr.fetchone()[0]

    def test_two_workers_racing_on_one_wamid_store_it_once(self):
        wamid = new_wamid()
        with self.connect() as cr:  # committed: both workers must see the account
            env = api.Environment(cr, SUPERUSER_ID, {})
            secret, number = "app-secret-of-the-race", RACE_PHONE_NUMBER_ID
            account_id = create_account(env, phone_number_id=number, app_secret=secret, verify_token="race").id
            cr.commit()  # pylint: disable=invalid-commit
            process_cron_ids = tuple(env.ref(xmlid).id for xmlid in PROCESS_CRONS)
            cr.execute("SELECT coalesce(max(id), 0) FROM ir_cron_trigger")
            last_trigger = cr.fetchone()[0]
        message = inbound(CITIZEN, "text", {"body": "दो बार आया संदेश"}, wamid=wamid)
        body = encode(envelope([message], phone_number_id=number))
        signature = sign(body, secret)
        outcome = {}

        def worker_two():
            try:
                with self.connect() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    outcome["status"] = env["mp15.whatsapp.message"]._webhook_ingest(body, signature)
                    cr.commit()  # pylint: disable=invalid-commit
            except Exception as error:  # reported by the assertions below
                outcome["error"] = error

        thread = threading.Thread(target=worker_two)
        first = self.connect()
        try:
            worker_one = api.Environment(first, SUPERUSER_ID, {})
            self.assertEqual(worker_one["mp15.whatsapp.message"]._webhook_ingest(body, signature), 200)
            thread.start()  # while the first worker's transaction is still open
            with self.connect() as observer:
                deadline = time.monotonic() + 60  # a loaded CI machine can take a while to start the thread
                while not self.waiting_inserts(observer) and thread.is_alive() and time.monotonic() < deadline:
                    time.sleep(0.05)
                self.assertEqual(
                    self.waiting_inserts(observer), 1, f"the second insert waits for the first ({outcome or 'running'})"
                )
            self.assertTrue(thread.is_alive())
            first.commit()
            thread.join(timeout=30)
            self.assertFalse(thread.is_alive())
            self.assertEqual(outcome, {"status": 200}, "the second delivery is acknowledged, not an error")
            with self.connect() as cr:
                cr.execute("SELECT count(*) FROM mp15_whatsapp_message WHERE wa_message_id = %s", [wamid])
                self.assertEqual(cr.fetchone()[0], 1)
                cr.execute(
                    "SELECT count(*) FROM ir_cron_trigger WHERE id > %s AND cron_id IN %s",
                    [last_trigger, process_cron_ids],
                )
                self.assertEqual(cr.fetchone()[0], 1, "only the delivery that stored the message triggers processing")
        finally:
            first.close()  # rolls back if the test failed before the commit: the second worker goes on
            if thread.is_alive() or thread.ident:
                thread.join(timeout=30)
            with self.connect() as cr:
                cr.execute("DELETE FROM mp15_whatsapp_message WHERE wa_message_id = %s", [wamid])
                cr.execute("DELETE FROM ir_cron_trigger WHERE id > %s", [last_trigger])
                api.Environment(cr, SUPERUSER_ID, {})["mp15.whatsapp.account"].browse(account_id).unlink()
                cr.commit()  # pylint: disable=invalid-commit


@tagged("post_install", "-at_install", "mp15_whatsapp")
class TestCronWakeUp(BaseCase):
    @contextlib.contextmanager
    def cron_worker_listening(self):
        """A connection to the "postgres" database listening as Odoo's cron workers do."""
        _name, info = odoo.sql_db.connection_info_for("postgres")
        listener = psycopg2.connect(**info)
        try:
            listener.autocommit = True
            with listener.cursor() as cr:
                cr.execute("LISTEN cron_trigger")
            yield listener
        finally:
            listener.close()

    def heard(self, listener, wanted, seconds=5):
        """(channel, payload) of the notifications ``listener`` receives until ``wanted`` came or time is up."""
        heard = []
        deadline = time.monotonic() + seconds
        while len(heard) < wanted and time.monotonic() < deadline:
            if select.select([listener], [], [], 0.5)[0]:
                listener.poll()
                heard += [(notify.channel, notify.payload) for notify in listener.notifies]
                listener.notifies.clear()
        return heard

    def test_the_cron_workers_hear_the_wake_up(self):
        """Odoo's cron workers LISTEN on the postgres database; the webhook's notification reaches them.

        It is the notification ir.cron's own _notifydb sends (channel and payload): when Odoo changes
        that, or what its cron workers listen to, this fails (see ir.cron._mp15_trigger_now).
        """
        self.assertEqual(inspect.getsource(odoo_server).count('LISTEN cron_trigger")'), 2)
        with self.cron_worker_listening() as listener:
            dbname = odoo.tests.get_db_name()
            notify_cron_workers(dbname)
            notify_cron_workers(dbname)  # the kept connection serves again
            with odoo.modules.registry.Registry(dbname).cursor() as cr:
                api.Environment(cr, SUPERUSER_ID, {})["ir.cron"]._notifydb()  # Odoo's own, for comparison
            self.assertEqual(self.heard(listener, 3), [("cron_trigger", dbname)] * 3)

    def test_a_message_stored_while_its_lane_runs_brings_another_run(self):
        """The processing lane is running (a cron worker holds its job) and has looked at its queue for the last
        time when a webhook stores a message: once the run ends, as Odoo ends it, the lane must be ready again.
        A webhook that left out its trigger because one was due already lost such messages until the cron
        workers' next poll, a minute later."""
        dbname = odoo.tests.get_db_name()
        registry = odoo.modules.registry.Registry(dbname)
        secret, number = "app-secret-of-the-run", RUN_PHONE_NUMBER_ID
        citizen = "919812300021"
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            account_id = create_account(env, phone_number_id=number, app_secret=secret, verify_token="run").id
            lane = env.ref(PROCESS_CRONS[processing_lane("+" + citizen)])
            schedule = {"active": lane.active, "nextcall": lane.nextcall}
            lane.write({"active": True, "nextcall": datetime(2999, 1, 1)})
            lane._trigger()  # what woke the run
        body = encode(envelope([inbound(citizen, "text", {"body": "नाली जाम है"})], phone_number_id=number))
        try:
            with registry.cursor() as cron_cr:
                job = registry["ir.cron"]._acquire_one_job(cron_cr, lane.id)
                self.assertTrue(job, "the lane is ready and nobody else holds it")
                # ... the run works and looks at the queue a last time: empty. Then the webhook:
                with registry.cursor() as cr:
                    self.assertEqual(
                        api.Environment(cr, SUPERUSER_ID, {})["mp15.whatsapp.message"]._webhook_ingest(
                            body, sign(body, secret)
                        ),
                        200,
                    )
                api.Environment(cron_cr, job["user_id"], {})["ir.cron"]._reschedule_later(job)  # the run ends
            with registry.cursor() as cr:
                ready = {job["id"] for job in registry["ir.cron"]._get_all_ready_jobs(cr)}
            self.assertIn(lane.id, ready, "the message stored during the run gets a run of its own")
        finally:
            with registry.cursor() as cr:
                cr.execute("DELETE FROM mp15_whatsapp_message WHERE account_id = %s", [account_id])
                cr.execute("DELETE FROM ir_cron_trigger WHERE cron_id = %s", [lane.id])
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["mp15.whatsapp.account"].browse(account_id).unlink()
                env["ir.cron"].browse(lane.id).write(schedule)

    def test_a_job_released_with_work_left_wakes_the_cron_workers(self):
        """After its ten runs a job with work left is released still ready: a worker must take it again at once,
        not at its next poll up to a minute later (a long broadcast paused a minute every ten sender runs).

        A real cron worker's steps: acquire the job, process it (Odoo runs it ten times, each time told
        that work remains), commit; a worker listening hears about it after the release.
        """
        dbname = odoo.tests.get_db_name()
        registry = odoo.modules.registry.Registry(dbname)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cron = env["ir.cron"].create(
                {
                    "name": "mp15 test: always more to do",
                    "model_id": env.ref("base.model_ir_cron").id,
                    "state": "code",
                    "code": "env['ir.cron']._notify_progress(done=1, remaining=1)",
                    "interval_number": 1,
                    "interval_type": "days",
                    "nextcall": datetime(2000, 1, 1),
                }
            )
            cron_id = cron.id
        try:
            with self.cron_worker_listening() as listener:
                with registry.cursor() as cron_cr:
                    job = registry["ir.cron"]._acquire_one_job(cron_cr, cron_id)
                    self.assertTrue(job, "the job is ready and nobody else holds it")
                    registry["ir.cron"]._process_job(odoo.sql_db.db_connect(dbname), cron_cr, job)
                self.assertIn(("cron_trigger", dbname), self.heard(listener, 1))
            with registry.cursor() as cr:
                ready = {job["id"] for job in registry["ir.cron"]._get_all_ready_jobs(cr)}
            self.assertIn(cron_id, ready, "released, not rescheduled: work is left")
        finally:
            with registry.cursor() as cr:
                api.Environment(cr, SUPERUSER_ID, {})["ir.cron"].browse(cron_id).unlink()


@tagged("post_install", "-at_install", "mp15_whatsapp")
class TestCronTriggerShortcut(TransactionCase):
    """ir.cron._mp15_trigger_now() does what ir.cron._trigger() does for now: these fail when Odoo changes that."""

    def test_it_writes_the_row_odoo_writes_and_the_cron_workers_see_it(self):
        Trigger = self.env["ir.cron.trigger"].sudo()
        stored = {name for name, field in Trigger._fields.items() if field.store}
        self.assertEqual(
            stored,
            {"id", "cron_id", "call_at", "create_uid", "write_uid", "create_date", "write_date"},
            "ir.cron.trigger changed: _mp15_trigger_now must insert what its create() would",
        )
        cron = self.env.ref(PROCESS_CRONS[0])
        cron.write({"active": True, "nextcall": datetime(2999, 1, 1)})
        Trigger.search([("cron_id", "=", cron.id)]).unlink()
        self.env.flush_all()
        ready = {job["id"] for job in type(cron)._get_all_ready_jobs(self.env.cr)}
        self.assertNotIn(cron.id, ready)

        theirs = cron._trigger()
        cron._mp15_trigger_now()
        cron._mp15_trigger_now()  # asked again in the same transaction: nothing more
        ours = Trigger.search([("cron_id", "=", cron.id)]) - theirs
        self.assertEqual(len(ours), 1)
        self.assertEqual((ours.cron_id, ours.create_uid), (theirs.cron_id, theirs.create_uid))
        self.assertLessEqual(ours.call_at.replace(microsecond=0), theirs.call_at)

        theirs.unlink()
        self.env.flush_all()
        ready = {job["id"] for job in type(cron)._get_all_ready_jobs(self.env.cr)}
        self.assertIn(cron.id, ready, "a cron worker runs the scheduled action the shortcut triggered")
