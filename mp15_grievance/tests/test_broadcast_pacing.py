"""A running broadcast does not hold back a citizen's reply: the sender paces it in slices (tools/sending_pace.py)
and shares each run between the corporation's numbers."""

import threading
import time

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import BaseCase, tagged

from ..models.mp15_whatsapp_message_send import SEND_TIME_BUDGET
from ..tools import messages
from ..tools.urls import GRAPH_URL_ALLOWLIST_PARAM
from .common import SeparateConnections
from .fake_graph_api import FakeGraphApi, ScriptedResponse
from .whatsapp_common import create_account

RACE_PHONE_NUMBER_ID = "106540352242981"  # the committed account of TestReplyDuringBroadcast, alone on it
OTHER_PHONE_NUMBER_ID = "106540352242982"  # a second number of the corporation, with a citizen to answer
REPLY_PHONE = "+919812307199"
REPLY_TEXT = "आपकी शिकायत दर्ज हो गई है"


@tagged("post_install", "-at_install", "mp15_whatsapp")
class TestReplyDuringBroadcast(SeparateConnections, BaseCase):
    """The sender paces a broadcast while the processing queues a citizen's reply, each in its own transaction.

    Real, separate database connections with committed rows, as in production; cleaned up afterwards.
    """

    RATE = 5  # messages per second: a broadcast sent a second at a time would put 5 ahead of the reply

    def set_up_broadcast(self, env, graph, citizens):
        """An account at ``graph``, and a broadcast to ``citizens`` opted-in citizens that is sending."""
        account = create_account(
            env,
            name="A: broadcasting (test)",  # accounts are sent in name order: this one first
            graph_url=graph.graph_url,
            phone_number_id=graph.phone_number_id,
            rate_limit_mps=self.RATE,
        )
        template = env["mp15.whatsapp.template"].create(
            {"name": "scheme_announcement", "language": "hi", "category": "marketing", "status": "approved"}
            | {"account_id": account.id, "body": "नगर निगम सागर की नई योजना: {{1}}"}
        )
        ward = env["mp15.ward"].create({"number": 981, "name": "Broadcast race (test)"})
        for index in range(citizens):
            partner = env["res.partner"].create(
                {"name": f"Race citizen {index}", "mp15_phone": f"+9198123071{index:02d}"}
            )
            partner._mp15_set_announcements(True, "bot", ward)
        broadcast = env["mp15.broadcast"].create(
            {"name": "योजना", "account_id": account.id, "template_id": template.id, "parameters": "आवास"}
            | {"ward_ids": [(6, 0, ward.ids)]}
        )
        # Approval is TestBroadcast's: here it is started as the scheduled action starts an approved one.
        broadcast.write({"state": "sending", "date_started": fields.Datetime.now()})
        env.flush_all()
        self.assertEqual(env["mp15.broadcast.recipient"]._enqueue(broadcast, broadcast._audience_sql()), citizens)
        return account, self.conversation(env, account)

    def conversation(self, env, account):
        return env["mp15.whatsapp.conversation"].create(
            {"account_id": account.id, "phone": REPLY_PHONE, "last_inbound_at": fields.Datetime.now()}
        )

    def start(self, phone_number_id):
        graph = FakeGraphApi(phone_number_id=phone_number_id).start()
        self.addCleanup(graph.stop)
        return graph

    def set_up(self, build):
        """``build(env)`` in a committed transaction of its own; it returns the accounts it made, which are
        cleaned up after the test. Returns what ``build`` returned."""
        with self.connect() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            allowlist = env["ir.config_parameter"].get_param(GRAPH_URL_ALLOWLIST_PARAM)
            built = build(env)
            cr.commit()  # pylint: disable=invalid-commit
        self.addCleanup(self.clean_up, built.ids, allowlist)
        return built.ids

    def test_a_reply_queued_while_a_broadcast_is_paced_goes_before_the_rest_of_its_second(self):
        graph = self.start(RACE_PHONE_NUMBER_ID)
        conversations = []

        def build(env):
            account, conversation = self.set_up_broadcast(env, graph, citizens=2 * self.RATE)
            conversations.append(conversation.id)
            return account

        [account_id] = self.set_up(build)
        [conversation_id] = conversations
        errors = []

        def sender():
            """The sender's scheduled action on one account, committing each batch."""
            try:
                with self.connect() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    account = env["mp15.whatsapp.account"].browse(account_id)
                    env["mp15.whatsapp.message"]._send_account_queue(account, time.monotonic() + 60)
                    cr.commit()  # pylint: disable=invalid-commit
            except Exception as error:  # reported by the assertions below
                errors.append(error)

        thread = threading.Thread(target=sender)
        thread.start()
        deadline = time.monotonic() + 60  # a loaded machine can take a while to start the thread
        while not graph.sent_messages and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.005)
        with self.connect() as cr:  # the processing answers a citizen now: the broadcast has begun
            env = api.Environment(cr, SUPERUSER_ID, {})
            conversation = env["mp15.whatsapp.conversation"].browse(conversation_id)
            reply = messages.text_message(REPLY_PHONE, REPLY_TEXT)
            env["mp15.whatsapp.message"]._queue(conversation, reply, body=REPLY_TEXT)
            cr.commit()  # pylint: disable=invalid-commit
        thread.join(timeout=60)
        self.assertFalse(thread.is_alive())
        self.assertEqual(errors, [])

        arrived = [payload["to"] for payload in graph.sent_messages]
        self.assertEqual(sorted(arrived), sorted({*arrived}), "each message went out once")
        self.assertEqual(len(arrived), 2 * self.RATE + 1)
        ahead = arrived.index(REPLY_PHONE)
        self.assertGreaterEqual(ahead, 1, "queued once the broadcast had begun")
        self.assertLess(ahead, self.RATE, "the reply does not wait behind the rest of the broadcast's second")

    def test_one_numbers_broadcast_does_not_hold_back_another_numbers_replies(self):
        """The sender's run shares its time between the accounts: the first one's long broadcast used all of it."""
        graph = self.start(RACE_PHONE_NUMBER_ID)
        other_graph = self.start(OTHER_PHONE_NUMBER_ID)
        longer_than_a_run = int(self.RATE * SEND_TIME_BUDGET * 1.5)
        self.set_up(
            lambda env: (
                self.set_up_broadcast(env, graph, citizens=longer_than_a_run)[0]
                | self.account_with_a_reply(env, other_graph, "B: answering (test)")
            )
        )

        self.run_sender_once()

        self.assertEqual([payload["to"] for payload in other_graph.sent_messages], [REPLY_PHONE])
        self.assertTrue(graph.sent_messages, "the broadcast went on in the same run")
        self.assertLess(len(graph.sent_messages), longer_than_a_run)

    def test_a_number_whose_graph_api_is_slow_does_not_hold_back_another_numbers_replies(self):
        """Graph answering the first number after longer than a whole run: the next number still gets its turn."""
        slow_graph = self.start(RACE_PHONE_NUMBER_ID)
        other_graph = self.start(OTHER_PHONE_NUMBER_ID)
        slow_graph.queue_responses(ScriptedResponse(delay=SEND_TIME_BUDGET + 1))  # accepted, but late
        self.set_up(
            lambda env: (
                self.account_with_a_reply(env, slow_graph, "A: slow Graph API (test)")
                | self.account_with_a_reply(env, other_graph, "B: answering (test)")
            )
        )

        self.run_sender_once()

        self.assertEqual([payload["to"] for payload in slow_graph.sent_messages], [REPLY_PHONE])
        self.assertEqual([payload["to"] for payload in other_graph.sent_messages], [REPLY_PHONE])

    def test_a_run_right_after_another_counts_what_that_one_sent_in_the_last_second(self):
        """Odoo calls the sender again at once while messages are due: the account's rate holds across runs."""
        graph = self.start(RACE_PHONE_NUMBER_ID)
        [account_id] = self.set_up(
            lambda env: self.account_with_a_reply(env, graph, "A: answering (test)", replies=2 * self.RATE)
        )

        for _run in range(2):  # two runs of one pass each (their time is up at once)
            with self.connect() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                account = env["mp15.whatsapp.account"].browse(account_id)
                env["mp15.whatsapp.message"]._send_account_queue(account, time.monotonic())
                cr.commit()  # pylint: disable=invalid-commit

        arrivals = sorted(request.received_at for request in graph.requests if request.route == "messages")
        self.assertEqual(len(arrivals), 2 * self.RATE)
        within_half_a_second = [moment for moment in arrivals if moment < arrivals[0] + 0.5]
        self.assertEqual(len(within_half_a_second), self.RATE, "the second run waited for the rate's second")

    def account_with_a_reply(self, env, graph, name, replies=1):
        """An account at ``graph`` (sorted by ``name``) with ``replies`` replies queued to a citizen."""
        account = create_account(
            env, name=name, graph_url=graph.graph_url, phone_number_id=graph.phone_number_id, rate_limit_mps=self.RATE
        )
        conversation = self.conversation(env, account)
        for _reply in range(replies):
            reply = messages.text_message(REPLY_PHONE, REPLY_TEXT)
            env["mp15.whatsapp.message"]._queue(conversation, reply, body=REPLY_TEXT)
        return account

    def run_sender_once(self):
        with self.connect() as cr:  # one run of the sender's scheduled action
            api.Environment(cr, SUPERUSER_ID, {})["mp15.whatsapp.message"]._cron_send()
            cr.commit()  # pylint: disable=invalid-commit

    def clean_up(self, account_ids, allowlist):
        with self.connect() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            accounts = env["mp15.whatsapp.account"].browse(account_ids)
            broadcasts = env["mp15.broadcast"].search([("account_id", "in", account_ids)])
            partners = env["res.partner"].with_context(active_test=False).search([("name", "=like", "Race citizen %")])
            cr.execute("DELETE FROM mp15_whatsapp_message WHERE account_id IN %s", [tuple(account_ids)])
            if broadcasts:
                cr.execute("DELETE FROM mp15_broadcast_recipient WHERE broadcast_id IN %s", [tuple(broadcasts.ids)])
            wards = broadcasts.ward_ids
            broadcasts.unlink()
            env["mp15.whatsapp.conversation"].search([("account_id", "in", account_ids)]).unlink()
            env["mp15.whatsapp.template"].with_context(active_test=False).search(
                [("account_id", "in", account_ids)]
            ).unlink()
            partners.unlink()
            wards.unlink()
            accounts.unlink()
            env["ir.config_parameter"].set_param(GRAPH_URL_ALLOWLIST_PARAM, allowlist or False)
            cr.commit()  # pylint: disable=invalid-commit
