"""Hardening from the security review (issue 8, items 7-9): Graph URL allow-list, queue actions, log privacy."""

import json
import logging
from unittest.mock import patch

from lxml import etree

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from ..models.processing_lanes import PROCESS_CRONS, processing_lane
from ..tools import messages
from .common import Mp15Case
from .fake_graph_api import FakeGraphApi, ScriptedResponse
from .whatsapp_common import (
    APP_SECRET,
    LOCAL_GRAPH_PREFIX,
    MESSAGE_LOGGER,
    PHONE_NUMBER_ID,
    WEBHOOK_PATH,
    create_account,
    encode,
    envelope,
    inbound,
    new_wamid,
    sign,
    status,
)

ALLOWLIST_PARAM = "mp15_grievance.graph_url_allowlist"
ADDON_LOGGER = "odoo.addons.mp15_grievance"
SEND_CRON = "mp15_grievance.ir_cron_send_whatsapp"
OTHER_NUMBER_ID = "200000000000002"
OTHER_SECRET = "the-other-numbers-app-secret"
CITIZEN = "+919812300301"


def _outbound(account, phone=CITIZEN, **values):
    """An outbound message as the queue holds it."""
    payload = messages.text_message(phone, "आपकी शिकायत दर्ज हो गई है")
    return (
        account.env["mp15.whatsapp.message"]
        .sudo()
        .create(
            {
                "account_id": account.id,
                "direction": "out",
                "state": "queued",
                "phone": phone,
                "message_type": "text",
                "body": payload["text"]["body"],
                "payload": json.dumps(payload, ensure_ascii=False),
                **values,
            }
        )
    )


def _inbound(account, phone=CITIZEN, **values):
    """An inbound message as the webhook stores it."""
    return (
        account.env["mp15.whatsapp.message"]
        .sudo()
        .create(
            {
                "account_id": account.id,
                "direction": "in",
                "state": "received",
                "phone": phone,
                "message_type": "text",
                "body": "पानी नहीं आ रहा",
                "wa_message_id": new_wamid(),
                **values,
            }
        )
    )


class _QueueCase(Mp15Case):
    def run_queue(self, method):
        """A scheduled action's method; its per-batch commits only flush inside a test."""
        with patch.object(self.env.cr, "commit", self.env.cr.flush):
            method()
        self.env.invalidate_all()


@tagged("post_install", "-at_install", "mp15_whatsapp")
class TestGraphUrlAllowlist(_QueueCase):
    """Item 7: a Graph API URL only on the allow-list, set by system administrators; media from Meta only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sysadmin = new_test_user(
            cls.env, "test_sysadmin", groups="base.group_system,mp15_grievance.group_manager", name="System admin"
        )
        cls.graph = FakeGraphApi().start()
        cls.addClassCleanup(cls.graph.stop)
        cls.account = create_account(cls.env, graph_url=cls.graph.graph_url)

    def setUp(self):
        super().setUp()
        self.graph.reset()

    def new_account(self, user, **values):
        return (
            self.env["mp15.whatsapp.account"]
            .with_user(user)
            .create({"name": "Second number", "phone_number_id": OTHER_NUMBER_ID, **values})
        )

    def test_the_default_allowlist_is_a_system_parameter_only_system_administrators_change(self):
        parameter = self.env.ref("mp15_grievance.ir_config_parameter_graph_url_allowlist")
        self.assertEqual(parameter.key, ALLOWLIST_PARAM)
        self.assertIn("https://graph.facebook.com/", parameter.value.split(","))
        data = self.env["ir.model.data"].search(
            [("module", "=", "mp15_grievance"), ("name", "=", "ir_config_parameter_graph_url_allowlist")]
        )
        self.assertTrue(data.noupdate, "an administrator's allow-list survives module updates")
        with self.assertRaises(AccessError):
            self.env["ir.config_parameter"].with_user(self.manager).set_param(ALLOWLIST_PARAM, "http://10.0.0.1/")

    def test_a_graph_url_off_the_allowlist_is_refused_with_the_allowed_prefixes(self):
        refused = [
            "http://169.254.169.254/latest/meta-data",
            "http://10.0.0.7:8069/web",
            "https://graph.facebook.com.evil.example/v21.0",
            "https://graph.facebook.com@evil.example/v21.0",
            "http://127.0.0.1:8069@evil.example/v21.0",
            "http://localhost:5432/",
            "http://graph.facebook.com/v21.0",
        ]
        for url in refused:
            with self.subTest(url=url):
                with self.assertRaisesMessage(ValidationError, "https://graph.facebook.com/") as caught:
                    self.new_account(self.sysadmin, graph_url=url)
                self.assertIn(LOCAL_GRAPH_PREFIX, str(caught.exception))
                with self.assertRaises(ValidationError):
                    self.account.with_user(self.sysadmin).write({"graph_url": url})
        self.assertEqual(self.account.graph_url, self.graph.graph_url)

        self.assertTrue(self.new_account(self.sysadmin, graph_url="https://graph.facebook.com/v22.0"))
        self.env["ir.config_parameter"].set_param(
            ALLOWLIST_PARAM, "https://graph.facebook.com/, https://graph.example.org/"
        )
        self.account.with_user(self.sysadmin).write({"graph_url": "https://graph.example.org/v21.0"})
        self.assertEqual(self.account.graph_url, "https://graph.example.org/v21.0")

    def test_only_system_administrators_change_the_graph_url(self):
        for user in (self.manager, self.officer_a, self.head_a):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.account.with_user(user).write({"graph_url": "https://graph.facebook.com/v22.0"})
        with self.assertRaisesMessage(AccessError, "system administrators"):
            self.new_account(self.manager, graph_url="https://graph.facebook.com/v22.0")
        self.assertEqual(self.account.graph_url, self.graph.graph_url)

        # The commissioner still runs the account: other fields, an unchanged URL, a new account on Meta's.
        self.account.with_user(self.manager).write({"name": "Renamed", "graph_url": self.account.graph_url})
        self.assertEqual(self.new_account(self.manager).graph_url, "https://graph.facebook.com/v21.0")

        self.account.with_user(self.sysadmin).write({"graph_url": f"{self.graph.base_url}/v22.0"})
        self.assertEqual(self.account.graph_url, f"{self.graph.base_url}/v22.0")

    def test_the_form_shows_the_graph_url_read_only_below_system_administrators(self):
        def graph_url_fields(user):
            views = self.env["mp15.whatsapp.account"].with_user(user).get_views([(False, "form")])
            arch = etree.fromstring(views["views"]["form"]["arch"])
            return arch.xpath("//field[@name='graph_url']")

        for user in (self.manager, self.officer_a):
            nodes = graph_url_fields(user)
            self.assertTrue(nodes, user.login)
            self.assertTrue(all(node.get("readonly") in ("1", "True", "true") for node in nodes), user.login)
        self.assertTrue(any(node.get("readonly") in (None, "0", "False") for node in graph_url_fields(self.sysadmin)))

    def test_a_stored_url_off_the_allowlist_gets_nothing_at_send_time(self):
        """Defence in depth: a row written before the constraint, or an allow-list that shrank since."""
        message = _outbound(self.account)
        self.env["ir.config_parameter"].set_param(ALLOWLIST_PARAM, "https://graph.facebook.com/")
        self.run_queue(self.env["mp15.whatsapp.message"]._cron_send)
        self.assertEqual(self.graph.requests, [], "not one request, so not the token either")
        self.assertEqual(message.state, "queued", "sent once the administrators fix the account")
        self.assertIn("allow-list", self.account.sending_blocked)

    def test_media_comes_only_from_metas_hosts_or_the_allowlist(self):
        conversation = self.env["mp15.whatsapp.conversation"].create({"account_id": self.account.id, "phone": CITIZEN})
        photo = _inbound(self.account, message_type="image", media_id="4242", media_mime_type="image/jpeg")
        self.graph.add_media("4242", b"\xff\xd8 a photo of the leak", "image/jpeg")
        elsewhere = self.graph.base_url.replace("127.0.0.1", "localhost") + "/media-download/4242"
        info = {"url": elsewhere, "mime_type": "image/jpeg", "id": "4242", "messaging_product": "whatsapp"}
        self.graph.queue_responses(ScriptedResponse.json(info), route="media")
        with self.assertLogs("odoo.addons.mp15_grievance.models.mp15_whatsapp_conversation", "WARNING") as logs:
            self.assertIsNone(conversation._download_media(photo))
        self.assertNotIn(CITIZEN, logs.output[0], "the number is masked")
        self.assertIn("Media URL not allowed", photo.error_message)
        self.assertEqual([request.route for request in self.graph.requests], ["media"], "no download elsewhere")

        attachment = conversation._download_media(photo)  # the fake's own answer: on the allow-list
        self.assertEqual(attachment.raw, b"\xff\xd8 a photo of the leak")


@tagged("post_install", "-at_install", "mp15_whatsapp")
class TestStatusesStayWithTheirAccount(_QueueCase):
    """Item 8: a status webhook changes only the messages of the account that signed it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = create_account(cls.env)
        cls.other = create_account(
            cls.env, name="Second number", phone_number_id=OTHER_NUMBER_ID, app_secret=OTHER_SECRET, verify_token="v2"
        )

    def deliver(self, statuses, secret, phone_number_id):
        body = encode(envelope(statuses=statuses, phone_number_id=phone_number_id))
        self.assertEqual(self.env["mp15.whatsapp.message"]._webhook_ingest(body, sign(body, secret)), 200)
        self.run_queue(self.env["mp15.whatsapp.conversation"]._process_statuses)

    def test_a_status_signed_by_one_account_does_not_move_anothers_message(self):
        wamid = new_wamid()
        theirs = _outbound(self.other, state="sent", wa_message_id=wamid)
        self.deliver([status(wamid, "read")], APP_SECRET, PHONE_NUMBER_ID)
        self.assertEqual(theirs.state, "sent")
        self.deliver(
            [status(wamid, "failed", errors=[{"code": 131026, "title": "Undeliverable"}])], APP_SECRET, PHONE_NUMBER_ID
        )
        self.assertEqual((theirs.state, theirs.error_code), ("sent", 0))

        # The genuine status, signed by the message's own account, still gets through afterwards.
        self.deliver([status(wamid, "read")], OTHER_SECRET, OTHER_NUMBER_ID)
        self.assertEqual(theirs.state, "read")
        self.assertTrue(theirs.date_read)


@tagged("post_install", "-at_install", "mp15_whatsapp")
class TestQueueActionsCheckAccess(Mp15Case):
    """Item 8: the RPC-callable actions that wake a scheduled action check the caller's rights first."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = create_account(cls.env)
        cls.failed_in = _inbound(cls.account, state="error", error_message="boom")
        cls.failed_out = _outbound(cls.account, state="failed", error_code=131026)
        cls.cron_ids = [cls.env.ref(xmlid).id for xmlid in (SEND_CRON, *PROCESS_CRONS)]

    def triggers(self):
        return self.env["ir.cron.trigger"].sudo().search_count([("cron_id", "in", self.cron_ids)])

    def test_officers_portal_users_and_employees_are_refused_and_wake_nothing(self):
        Message = self.env["mp15.whatsapp.message"]
        Account = self.env["mp15.whatsapp.account"]
        self.account.sending_blocked = "Meta refused to send (190)"
        before = self.triggers()
        for user in (self.officer_a, self.head_a, self.councillor_1, self.internal_user, self.citizen):
            calls = {
                "reprocess nothing": Message.with_user(user).browse().action_reprocess,
                "retry nothing": Message.with_user(user).browse().action_retry,
                "resume nothing": Account.with_user(user).browse().action_resume_sending,
                "reprocess": self.failed_in.with_user(user).action_reprocess,
                "retry": self.failed_out.with_user(user).action_retry,
                "resume": self.account.with_user(user).action_resume_sending,
            }
            for name, call in calls.items():
                with self.subTest(user=user.login, call=name), self.assertRaises(AccessError):
                    call()
        self.assertEqual(self.triggers(), before, "no scheduled action woken")
        self.assertEqual((self.failed_in.state, self.failed_out.state), ("error", "failed"))
        self.assertTrue(self.account.sending_blocked)

    def test_managers_act_on_records_and_empty_calls_wake_nothing(self):
        Message = self.env["mp15.whatsapp.message"].with_user(self.manager)
        before = self.triggers()
        for call in (Message.browse().action_reprocess, Message.browse().action_retry):
            with self.assertRaises(UserError):
                call()
        with self.assertRaises(UserError):
            self.env["mp15.whatsapp.account"].with_user(self.manager).browse().action_resume_sending()
        self.assertEqual(self.triggers(), before)

        self.failed_in.with_user(self.manager).action_reprocess()
        self.assertEqual(self.failed_in.state, "received")
        lane_cron = self.env.ref(PROCESS_CRONS[processing_lane(self.failed_in.phone)])
        self.assertTrue(self.env["ir.cron.trigger"].sudo().search_count([("cron_id", "=", lane_cron.id)]))
        self.failed_out.with_user(self.manager).action_retry()
        self.assertEqual(self.failed_out.state, "queued")
        self.account.sending_blocked = "Meta refused to send (190)"
        self.account.with_user(self.manager).action_resume_sending()
        self.assertFalse(self.account.sending_blocked)
        self.assertGreater(self.triggers(), before)


@tagged("post_install", "-at_install", "mp15_whatsapp")
class TestLogPrivacyInProcessing(_QueueCase):
    """Item 9: the processing logs show the last 4 digits of a number and of a wamid, nothing more."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = create_account(cls.env, graph_url=f"{LOCAL_GRAPH_PREFIX}9/v21.0")  # nothing listens there

    def assertNothingPrivate(self, records, *secrets):
        self.assertTrue(records)
        for record in records:
            for secret in secrets:
                self.assertNotIn(secret, record.getMessage())

    def test_a_failed_media_download_logs_a_masked_number(self):
        conversation = self.env["mp15.whatsapp.conversation"].create({"account_id": self.account.id, "phone": CITIZEN})
        photo = _inbound(self.account, message_type="image", media_id="4243")
        with self.assertLogs(ADDON_LOGGER, logging.INFO) as logs:
            self.assertIsNone(conversation._download_media(photo))
        self.assertNothingPrivate(logs.records, CITIZEN.removeprefix("+"), "98123003")
        self.assertIn("0301", logs.output[0])

    def test_unknown_statuses_log_no_wamid_and_nothing_at_info(self):
        wamids = [new_wamid() for _index in range(20)]
        for wamid in wamids:
            _outbound(self.account, state="sent", wa_message_id=wamid)
        body = encode(envelope(statuses=[status(wamid, "deleted") for wamid in wamids]))
        self.assertEqual(self.env["mp15.whatsapp.message"]._webhook_ingest(body, sign(body)), 200)
        with self.assertNoLogs(ADDON_LOGGER, logging.INFO):
            self.run_queue(self.env["mp15.whatsapp.conversation"]._process_statuses)
        statuses = self.env["mp15.whatsapp.status"].search([("wa_message_id", "in", wamids)])
        self.assertEqual(set(statuses.mapped("state")), {"processed"}, "kept for staff to see")

        more = [new_wamid() for _index in range(3)]
        for wamid in more:
            _outbound(self.account, state="sent", wa_message_id=wamid)
        body = encode(envelope(statuses=[status(wamid, "deleted") for wamid in more]))
        self.assertEqual(self.env["mp15.whatsapp.message"]._webhook_ingest(body, sign(body)), 200)
        with self.assertLogs(ADDON_LOGGER, logging.DEBUG) as logs:
            self.run_queue(self.env["mp15.whatsapp.conversation"]._process_statuses)
        self.assertNothingPrivate(logs.records, *more)


@tagged("post_install", "-at_install", "mp15_whatsapp")
class TestWebhookLogPrivacy(HttpCase):
    """Item 9 through the real webhook: no full number or wamid at INFO+, one line for a flood."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = create_account(cls.env)

    def post(self, payload):
        body = encode(payload)
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body)}
        response = self.opener.post(self.base_url() + WEBHOOK_PATH, data=body, headers=headers, timeout=60)
        self.assertEqual(response.status_code, 200, response.text)

    def test_no_full_number_or_wamid_reaches_the_log(self):
        sender = "919812300377"
        known = inbound(sender, "text", {"body": "नाली जाम है"})
        no_sender = inbound(sender, "text", {"body": "x"})
        del no_sender["from"]  # alone in its body: no contact to take the sender from
        stranger = inbound("919812300388", "text", {"body": "hello"})
        with self.assertLogs(ADDON_LOGGER, logging.INFO) as logs:
            self.post(envelope([known]))
            self.post(envelope([no_sender]))
            self.post(envelope([stranger], phone_number_id="999999999999999"))
        for record in logs.records:
            message = record.getMessage()
            for secret in (sender, "9812300377", "9812300388", known["id"], no_sender["id"], stranger["id"]):
                self.assertNotIn(secret, message)
        self.assertTrue(any(no_sender["id"][-4:] in record.getMessage() for record in logs.records), logs.output)

    def test_a_flood_of_ignored_elements_logs_one_line(self):
        unknown_number = [status(new_wamid(), "read", recipient="919812300399") for _index in range(500)]
        with self.assertLogs(MESSAGE_LOGGER, logging.INFO) as logs:
            self.post(envelope(statuses=unknown_number, phone_number_id="999999999999999"))
        self.assertEqual(len(logs.records), 1, logs.output[:3])
        self.assertIn("500", logs.output[0])
        self.assertIn("999999999999999", logs.output[0])

        unreadable = [{"id": new_wamid(), "timestamp": "1764646964"} for _index in range(500)]  # no status
        with self.assertLogs(MESSAGE_LOGGER, logging.INFO) as logs:
            self.post(envelope(statuses=unreadable))
        self.assertEqual(len(logs.records), 1, logs.output[:3])
        self.assertIn("500", logs.output[0])
