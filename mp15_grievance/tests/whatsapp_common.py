"""What the WhatsApp tests share: Meta-shaped webhook bodies, their signatures, a test account.

Helpers only (no test classes here: Odoo's loader would run imported classes twice).
"""

import itertools
import json
import time

from ..tools import webhook

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
