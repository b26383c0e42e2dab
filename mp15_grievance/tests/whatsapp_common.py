"""What the WhatsApp tests share: Meta-shaped webhook bodies, their signatures, a test account, a chatting citizen.

Helpers only (no test classes here: Odoo's loader would run imported classes twice). ``Citizen`` chats
through a case that mixes in ``ConversationHelpers`` (the real webhook, then the two scheduled actions).
"""

import itertools
import json
import re
import time
from unittest.mock import patch

from ..tools import webhook
from .fake_graph_api import FakeGraphApi

WEBHOOK_PATH = "/mp15/whatsapp/webhook"
PHONE_NUMBER_ID = "106540352242922"  # the fixtures' number (and FakeGraphApi's default)
DISPLAY_NUMBER = "918982600918"
WABA_ID = "102290129340398"
APP_SECRET = "test-app-secret-of-the-sagar-number"
VERIFY_TOKEN = "sagar-grievance-7fK2pQ9x"  # the one in fixtures/whatsapp/verification_request.txt
MESSAGE_LOGGER = "odoo.addons.mp15_grievance.models.mp15_whatsapp_message_ingest"  # the webhook's store step
CONVERSATION_LOGGER = "odoo.addons.mp15_grievance.models.mp15_whatsapp_conversation"
STATUS_LOGGER = "odoo.addons.mp15_grievance.models.mp15_whatsapp_status"
LOCAL_GRAPH_PREFIX = "http://127.0.0.1:"  # the tests' fake Graph API listens there

_serial = itertools.count(1)


def sign(body, secret=APP_SECRET):
    """The ``X-Hub-Signature-256`` header Meta sends with ``body``."""
    return webhook.signature(body, secret)


def new_wamid():
    return f"wamid.TEST{time.time_ns()}{next(_serial):06d}"


def inbound(wa_id, kind, content, *, at=None, context_id=None, wamid=None):
    """One message of a webhook, e.g. ``inbound("919812345601", "text", {"body": "..."})``."""
    message = {
        "from": wa_id,
        "id": wamid or new_wamid(),
        "timestamp": str(int(at if at is not None else time.time())),
        "type": kind,
        kind: content,
    }
    if context_id:
        message["context"] = {"from": DISPLAY_NUMBER, "id": context_id}
    return message


def status(wamid, state, *, at=None, recipient="919812345601", errors=None):
    item = {"id": wamid, "status": state, "timestamp": str(int(at or time.time())), "recipient_id": recipient}
    if errors:
        item["errors"] = errors
    return item


def envelope(messages=(), statuses=(), *, names=None, phone_number_id=PHONE_NUMBER_ID):
    """A webhook POST body (as a dict) carrying ``messages`` and/or ``statuses``."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": DISPLAY_NUMBER, "phone_number_id": phone_number_id},
    }
    if messages:
        senders = dict.fromkeys(message["from"] for message in messages if message.get("from"))
        value["contacts"] = [
            {"profile": {"name": (names or {}).get(wa_id, "Test citizen")}, "wa_id": wa_id} for wa_id in senders
        ]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"value": value, "field": "messages"}]}],
    }


def encode(payload):
    """Bytes as Meta sends them (it escapes non-ASCII; either way the signature covers these exact bytes)."""
    return json.dumps(payload).encode()


def allow_local_graph_api(env):
    """Put the local fake Graph API (any port on 127.0.0.1) on the Graph URL allow-list."""
    env["mp15.whatsapp.account"]._allow_graph_url_prefix(LOCAL_GRAPH_PREFIX)


def start_graph_and_account(test_class, graph_class=None, hindi=True, **account_values):
    """For a test class: a fake Graph API on 127.0.0.1 (``test_class.graph``, stopped after the class) and
    the WhatsApp account using it (``test_class.account``), the only active one; Hindi loaded unless not asked."""
    env = test_class.env
    if hindi:
        env["res.lang"]._activate_lang("hi_IN")
        env["ir.module.module"]._load_module_terms(["mp15_grievance"], ["hi_IN"])
    test_class.graph = (graph_class or FakeGraphApi)().start()
    test_class.addClassCleanup(test_class.graph.stop)
    env["mp15.whatsapp.account"].search([]).active = False  # the simulator stays out of these tests
    test_class.account = create_account(env, graph_url=test_class.graph.graph_url, **account_values)


def create_account(env, **values):
    """A WhatsApp account with known secrets for the fixtures' phone number id (local Graph API allowed)."""
    allow_local_graph_api(env)
    return env["mp15.whatsapp.account"].create(
        {
            "name": "Sagar Municipal Corporation (test)",
            "phone_number_id": PHONE_NUMBER_ID,
            "app_secret": APP_SECRET,
            "verify_token": VERIFY_TOKEN,
            "access_token": "fake-graph-access-token",
            **values,
        }
    )


class Citizen:
    """A citizen chatting with the bot: each call posts a signed webhook, runs the bot and returns its replies."""

    def __init__(self, case, wa_id, name="Test citizen"):
        self.case, self.wa_id, self.name = case, wa_id, name
        self.phone = "+" + wa_id
        self.last_inbound = None

    # what the citizen sends

    def send(self, kind, content, at=None, quoting=None, run=True):
        item = inbound(self.wa_id, kind, content, at=at, context_id=quoting.wa_message_id if quoting else None)
        self.case.post(item, names={self.wa_id: self.name})
        self.last_inbound = self.case.env["mp15.whatsapp.message"].search([("wa_message_id", "=", item["id"])])
        return self.case.run_bot(self) if run else None

    def say(self, text, **kwargs):
        return self.send("text", {"body": text}, **kwargs)

    def pin(self, latitude, longitude, **kwargs):
        return self.send("location", {"latitude": latitude, "longitude": longitude}, **kwargs)

    def photo(self, media_id, caption=None, **kwargs):
        content = {"id": media_id, "mime_type": "image/png", "sha256": "x"}
        if caption:
            content["caption"] = caption
        return self.send("image", content, **kwargs)

    def tap(self, bot_message, title=None, option_id=None, **kwargs):
        """Choose a button or list row of ``bot_message`` by its title (or id), as WhatsApp reports it."""
        interactive = json.loads(bot_message.payload)["interactive"]
        options = self.case.options(bot_message)
        chosen = [option for option in options if option["title"] == title or option["id"] == option_id]
        self.case.assertEqual(len(chosen), 1, f"{title or option_id} not among {options}")
        reply_type = "button_reply" if interactive["type"] == "button" else "list_reply"
        reply = {"type": reply_type, reply_type: {"id": chosen[0]["id"], "title": chosen[0]["title"]}}
        return self.send("interactive", reply, quoting=bot_message, **kwargs)

    # what the bot knows of the citizen

    @property
    def conversation(self):
        return self.case.env["mp15.whatsapp.conversation"].search(
            [("account_id", "=", self.case.account.id), ("phone", "=", self.phone)]
        )

    @property
    def partner(self):
        return self.conversation.partner_id

    @property
    def grievances(self):
        return self.case.env["mp15.grievance"].search([("partner_id", "=", self.partner.id)], order="id")


class ConversationHelpers:
    """What a conversation test case does: post a citizen's webhook, run the bot, read its replies."""

    def post(self, *items, names=None):
        body = encode(envelope(items, names=names))
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body)}
        self.assertEqual(self.url_open(WEBHOOK_PATH, data=body, headers=headers).status_code, 200)

    def run_bot(self, citizen=None):
        """The processing then the sending action, as the cron workers run them after the webhook's trigger.

        Returns the bot's new messages to ``citizen``, oldest first.
        """
        last_id = self.env["mp15.whatsapp.message"].search([], order="id desc", limit=1).id
        cron_env = self.env(context={})
        with patch.object(self.env.cr, "commit", self.env.cr.flush):
            cron_env["mp15.whatsapp.conversation"]._cron_process()
            cron_env["mp15.whatsapp.message"]._cron_send()
        self.env.invalidate_all()
        if citizen is None:
            return None
        return self.env["mp15.whatsapp.message"].search(
            [("id", ">", last_id), ("direction", "=", "out"), ("phone", "=", citizen.phone)], order="id"
        )

    def text(self, key, lang="hi_IN"):
        """A bot text as the citizen reads it, placeholders left out."""
        text = self.env["mp15.bot.text"].with_context(lang=lang).search([("key", "=", key)]).text
        return re.split(r"\{\w+\}", text)[0].strip()

    def options(self, bot_message):
        interactive = json.loads(bot_message.payload)["interactive"]
        action = interactive["action"]
        if interactive["type"] == "button":
            return [button["reply"] for button in action["buttons"]]
        return [row for section in action.get("sections", []) for row in section["rows"]]

    def assertReplies(self, replies, keys, lang="hi_IN"):
        """The bot answered with these texts, in this order."""
        self.assertEqual(len(replies), len(keys), replies.mapped("body"))
        for reply, key in zip(replies, keys, strict=True):
            self.assertTrue(reply.body.startswith(self.text(key, lang)), f"{key}: {reply.body!r}")
        self.assertEqual(set(replies.mapped("state")), {"sent"}, "and the replies went out")
