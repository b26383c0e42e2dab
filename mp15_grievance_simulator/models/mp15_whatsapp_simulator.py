"""The WhatsApp simulator: a citizen's phone for the chat page, Meta's Graph API for the sender.

The chat page asks this model for Meta-shaped webhook bodies signed with the simulator
account's app secret and POSTs them to the real webhook itself, so signature checks,
storage, processing and sending all run as they do with Meta. The outbound queue sends to
``controllers/graph_api.py``, which answers through the ``_graph_*`` methods below with the
shapes of ``mp15_grievance/tools/graph_shapes.py`` (the tests' Graph API server answers with
them too).
"""

import base64
import binascii
import hashlib
import hmac
import json
import re
import time

from odoo import _, api, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.mp15_grievance.tools import geo, graph_shapes, messages, webhook
from odoo.addons.mp15_grievance.tools import phone as phone_tools

KINDS = ("text", "button_reply", "list_reply", "location", "image")
STATUSES = ("delivered", "read")
MAX_TEXT = 65536  # WhatsApp's own limit on what a user may type
MAX_IMAGE_BYTES = messages.IMAGE_LIMIT_BYTES
IMAGE_SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
MEDIA_PREFIX = "whatsapp-simulator-media:"
TRANSCRIPT_LIMIT = 200
_MEDIA_ID_RE = re.compile(r"[0-9]{1,32}")


class Mp15WhatsappSimulator(models.AbstractModel):
    """Chat as a citizen with the bot, through the real webhook, without Meta."""

    _name = "mp15.whatsapp.simulator"
    _description = "WhatsApp Simulator"

    # ------------------------------------------------------------------ the chat page (RPC)

    @api.model
    def prepare_webhook(self, phone, profile_name, kind, data=None):
        """A signed webhook body carrying one message from the citizen ``phone``.

        ``kind``: ``text`` ({body}), ``button_reply`` / ``list_reply`` ({message_id: the bot
        message answered, reply_id}), ``location`` ({latitude, longitude[, name, address]}),
        ``image`` ({base64, mimetype, filename[, caption]}). Returns ``{body, signature,
        wa_message_id, phone}``: POST ``body`` as is with ``X-Hub-Signature-256: signature``.
        """
        self._check_manager()
        account = self._account()
        e164 = self._normalize(phone)
        wa_id = phone_tools.to_wa_id(e164)
        data = data if isinstance(data, dict) else {}
        if kind not in KINDS:
            raise UserError(_("Unknown kind of message: %(kind)s.", kind=kind))
        message = {"from": wa_id, "id": graph_shapes.wamid(wa_id, inbound=True), "timestamp": str(int(time.time()))}
        message.update(getattr(self, f"_content_{kind}")(account, e164, data))
        name = " ".join(str(profile_name or "").split())[:256] or phone_tools.format_for_display(e164)
        value = {
            "messaging_product": "whatsapp",
            "metadata": self._metadata(account),
            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
            "messages": [message],
        }
        return {**self._signed(account, value), "wa_message_id": message["id"], "phone": e164}

    @api.model
    def prepare_status(self, wa_message_id, status="read"):
        """A signed status webhook (``delivered`` or ``read``) for a bot message the page has shown."""
        self._check_manager()
        account = self._account()
        if status not in STATUSES:
            raise UserError(_("A simulated phone reports only delivered or read, not %(status)s.", status=status))
        message = self._bot_message(account, wa_message_id=wa_message_id)
        value = {
            "messaging_product": "whatsapp",
            "metadata": self._metadata(account),
            "statuses": [
                {
                    "id": message.wa_message_id,
                    "status": status,
                    "timestamp": str(int(time.time())),
                    "recipient_id": phone_tools.to_wa_id(message.phone),
                }
            ],
        }
        return self._signed(account, value)

    @api.model
    def transcript(self, phone, after_id=0):
        """Both directions of the simulator chat with ``phone``, oldest first, ids above ``after_id``."""
        self._check_manager()
        account = self._account()
        e164 = self._normalize(phone)
        try:
            after_id = max(0, int(after_id or 0))
        except (TypeError, ValueError):
            raise UserError(_("after_id must be a message id.")) from None
        rows = (
            self.env["mp15.whatsapp.message"]
            .sudo()
            .search(
                [("account_id", "=", account.id), ("phone", "=", e164), ("id", ">", after_id)],
                order="id",
                limit=TRANSCRIPT_LIMIT,
            )
        )
        media = self._media_attachments(account, [row.media_id for row in rows if row.media_id])
        return [self._transcript_entry(row, media) for row in rows]

    @api.model
    def citizens(self):
        """Numbers recently simulated, newest first: ``[{phone, display, name}]``."""
        self._check_manager()
        account = self._account()
        self.env.cr.execute(
            SQL(
                """
                SELECT phone, max(id) AS last_id FROM mp15_whatsapp_message
                 WHERE account_id = %s AND phone IS NOT NULL
                 GROUP BY phone ORDER BY last_id DESC LIMIT 20
                """,
                account.id,
            )
        )
        phones = [phone for phone, _last_id in self.env.cr.fetchall()]
        return [self._citizen(account, phone) for phone in phones]

    @api.model
    def simulator_account(self):
        """What the chat header shows: the business the citizen writes to, and whether it can send."""
        self._check_manager()
        account = self._account()
        return {
            "id": account.id,
            "name": account.name,
            "display": account.display_phone_number or "",
            "sending_blocked": account.sending_blocked or "",
        }

    @api.model
    def check_citizen(self, phone, profile_name=None):
        """``{phone, display, name}`` for a number typed on the page; a clear error when it is not one."""
        self._check_manager()
        account = self._account()
        citizen = self._citizen(account, self._normalize(phone))
        if profile_name and str(profile_name).strip():
            citizen["name"] = " ".join(str(profile_name).split())[:256]
        return citizen

    # ------------------------------------------------------------------ message contents

    def _content_text(self, account, e164, data):
        body = data.get("body")
        if not isinstance(body, str) or not body.strip():
            raise UserError(_("Type a message first."))
        if len(body) > MAX_TEXT:
            raise UserError(_("WhatsApp messages are at most %(limit)s characters.", limit=MAX_TEXT))
        return {"type": "text", "text": {"body": body}}

    def _content_button_reply(self, account, e164, data):
        message, options = self._answered(account, e164, data, "button")
        choice = options[data.get("reply_id")]
        return {
            "context": {"from": self._display_digits(account), "id": message.wa_message_id},
            "type": "interactive",
            "interactive": {"type": "button_reply", "button_reply": {"id": choice["id"], "title": choice["title"]}},
        }

    def _content_list_reply(self, account, e164, data):
        message, options = self._answered(account, e164, data, "list")
        row = options[data.get("reply_id")]
        reply = {"id": row["id"], "title": row["title"]}
        if row.get("description"):
            reply["description"] = row["description"]
        return {
            "context": {"from": self._display_digits(account), "id": message.wa_message_id},
            "type": "interactive",
            "interactive": {"type": "list_reply", "list_reply": reply},
        }

    def _content_location(self, account, e164, data):
        latitude = geo.parse_coordinate(data.get("latitude"), 90)
        longitude = geo.parse_coordinate(data.get("longitude"), 180)
        if latitude is None or longitude is None:
            raise UserError(_("A location needs a latitude between -90 and 90 and a longitude between -180 and 180."))
        location = {"latitude": latitude, "longitude": longitude}
        for key in ("name", "address"):
            text = data.get(key)
            if isinstance(text, str) and text.strip():
                location[key] = " ".join(text.split())[:256]
        return {"location": location, "type": "location"}

    def _content_image(self, account, e164, data):
        encoded = data.get("base64")
        if not isinstance(encoded, str) or not encoded:
            raise UserError(_("Choose a photo to send."))
        if len(encoded) > (MAX_IMAGE_BYTES + 2) // 3 * 4 + 4:
            raise UserError(_("Photos sent on WhatsApp are at most 5 MB."))
        try:
            content = base64.b64decode(encoded.split(",", 1)[-1], validate=True)
        except (binascii.Error, ValueError):
            raise UserError(_("The photo could not be read.")) from None
        if len(content) > MAX_IMAGE_BYTES:
            raise UserError(_("Photos sent on WhatsApp are at most 5 MB."))
        mimetype = next((mime for magic, mime in IMAGE_SIGNATURES.items() if content.startswith(magic)), None)
        if not mimetype:
            raise UserError(_("Only JPEG and PNG photos can be sent as WhatsApp images."))
        filename = data.get("filename") if isinstance(data.get("filename"), str) else ""
        filename = re.sub(r"[\\/\x00-\x1f]", "_", filename.strip())[:128] or f"photo.{mimetype.split('/')[1]}"
        media_id = graph_shapes.media_id()
        self.env["ir.attachment"].sudo().create(
            {
                "name": filename,
                "raw": content,
                "mimetype": mimetype,
                "res_model": account._name,
                "res_id": account.id,
                "description": MEDIA_PREFIX + media_id,
            }
        )
        image = {
            "mime_type": mimetype,
            "sha256": base64.b64encode(hashlib.sha256(content).digest()).decode(),
            "id": media_id,
        }
        caption = data.get("caption")
        if isinstance(caption, str) and caption.strip():
            image = {"caption": caption.strip()[:1024], **image}
        return {"type": "image", "image": image}

    def _answered(self, account, e164, data, interactive_type):
        """The bot message a reply answers and its options by id; refuses what the bot did not offer."""
        message = self._bot_message(account, message_id=data.get("message_id"))
        if message.phone != e164:
            raise UserError(_("That bot message was sent to another citizen."))
        content = _payload(message).get("interactive") or {}
        if content.get("type") != interactive_type:
            raise UserError(_("That bot message has no such choices."))
        options = {option["id"]: option for option in _options(content)}
        if data.get("reply_id") not in options:
            raise UserError(_("The bot did not offer that choice."))
        return message, options

    # ------------------------------------------------------------------ Graph API stand-in (controller)

    @api.model
    def _graph_account(self, authorization):
        """The simulator account whose access token ``Authorization: Bearer …`` carries, else None.

        The Graph routes ask this first, before they read a byte of the body.
        """
        account = self.env["mp15.whatsapp.account"]._simulator_account()
        expected = (account.sudo().access_token or "") if account else ""
        if not expected or not isinstance(authorization, str) or not authorization.startswith("Bearer "):
            return None
        token = authorization.removeprefix("Bearer ").strip()
        if not hmac.compare_digest(token.encode("utf-8", "replace"), expected.encode()):
            return None
        return account

    @api.model
    def _graph_send(self, account, phone_number_id, raw_body):
        """(HTTP status, JSON answer) of ``POST /{phone_number_id}/messages`` for the authorized ``account``."""
        if phone_number_id != account.phone_number_id:
            return 400, graph_shapes.unknown_object("POST", phone_number_id)
        try:
            payload = json.loads(raw_body)
        except (ValueError, RecursionError):
            payload = None
        problem = graph_shapes.send_problem(payload)
        if problem:
            return 400, problem
        if payload.get("status") == "read":
            return 200, graph_shapes.read_accepted()
        return 200, graph_shapes.send_accepted(payload["to"])

    @api.model
    def _graph_media_info(self, account, media_id, base_url):
        """(HTTP status, JSON answer) of ``GET /{media_id}``: where to download a citizen's photo."""
        attachment = self._media_attachments(account, [media_id]).get(media_id)
        if not attachment:
            return 400, graph_shapes.unknown_object("GET", media_id)
        url = f"{base_url.rstrip('/')}/mp15/simulator/media/{media_id}"
        return 200, graph_shapes.media_info(media_id, url, attachment.mimetype, attachment.raw or b"")

    @api.model
    def _graph_media_content(self, account, media_id):
        """(HTTP status, bytes, mimetype) of the media download URL."""
        attachment = self._media_attachments(account, [media_id]).get(media_id)
        if not attachment:
            return 404, b"", "text/plain"
        return 200, attachment.raw or b"", attachment.mimetype or "application/octet-stream"

    # ------------------------------------------------------------------ helpers

    @api.model
    def _check_manager(self):
        if not self.env.user.has_group("mp15_grievance.group_manager"):
            raise AccessError(_("Only the commissioner's office may use the WhatsApp simulator."))

    @api.model
    def _account(self):
        account = self.env["mp15.whatsapp.account"]._simulator_account()
        if not account:
            raise UserError(_("There is no active simulator account (WhatsApp Accounts, flag Simulator)."))
        return account.sudo()

    @api.model
    def _normalize(self, phone):
        try:
            e164 = phone_tools.normalize_phone(phone if isinstance(phone, str) else "")
        except phone_tools.PhoneError as error:
            raise UserError(str(error)) from None
        if not phone_tools.is_mobile(e164):
            raise UserError(
                _("%(number)s is not a mobile number: WhatsApp needs one.", number=phone_tools.format_for_display(e164))
            )
        return e164

    @api.model
    def _display_digits(self, account):
        display = account.display_phone_number or ""
        try:
            return phone_tools.to_wa_id(phone_tools.normalize_phone(display))
        except phone_tools.PhoneError:
            return re.sub(r"\D", "", display) or account.phone_number_id

    @api.model
    def _metadata(self, account):
        return {"display_phone_number": self._display_digits(account), "phone_number_id": account.phone_number_id}

    @api.model
    def _signed(self, account, value):
        payload = {
            "object": "whatsapp_business_account",
            "entry": [
                {"id": account.waba_id or account.phone_number_id, "changes": [{"value": value, "field": "messages"}]}
            ],
        }
        # ASCII only: the browser sends exactly these bytes, as Meta sends \u-escaped JSON.
        body = json.dumps(payload, ensure_ascii=True, separators=(",", ":"))
        return {"body": body, "signature": webhook.signature(body.encode("ascii"), account.app_secret or "")}

    @api.model
    def _bot_message(self, account, *, message_id=None, wa_message_id=None):
        """An outbound message of the simulator account that has reached the simulated phone."""
        domain = [("account_id", "=", account.id), ("direction", "=", "out")]
        if message_id is not None:
            if not isinstance(message_id, int) or isinstance(message_id, bool):
                raise UserError(_("Pick a message of the bot to answer."))
            domain.append(("id", "=", message_id))
        elif isinstance(wa_message_id, str) and wa_message_id:
            domain.append(("wa_message_id", "=", wa_message_id))
        else:
            raise UserError(_("Pick a message of the bot."))
        message = self.env["mp15.whatsapp.message"].sudo().search(domain, limit=1)
        if not message:
            raise UserError(_("That message of the bot does not exist in the simulator."))
        if not message.wa_message_id or message.state not in ("sent", "delivered", "read"):
            raise UserError(_("That message of the bot has not reached the phone yet."))
        return message

    @api.model
    def _media_attachments(self, account, media_ids):
        """{media id: attachment} of photos uploaded on the page."""
        media_ids = [
            media_id for media_id in media_ids if isinstance(media_id, str) and _MEDIA_ID_RE.fullmatch(media_id)
        ]
        if not media_ids:
            return {}
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", account._name),
                    ("res_id", "=", account.id),
                    ("description", "in", [MEDIA_PREFIX + media_id for media_id in media_ids]),
                ]
            )
        )
        return {attachment.description.removeprefix(MEDIA_PREFIX): attachment for attachment in attachments}

    @api.model
    def _citizen(self, account, e164):
        """The simulated phone ``e164``, named as it last introduced itself on the simulator.

        Never by the real contact filing from that number: the simulator does not know real citizens.
        """
        last = (
            self.env["mp15.whatsapp.message"]
            .sudo()
            .search(
                [("account_id", "=", account.id), ("phone", "=", e164), ("profile_name", "!=", False)],
                order="id desc",
                limit=1,
            )
        )
        return {"phone": e164, "display": phone_tools.format_for_display(e164), "name": last.profile_name or ""}

    @api.model
    def _transcript_entry(self, row, media):
        payload = _payload(row)
        entry = {
            "id": row.id,
            "direction": row.direction,
            "type": row.message_type or "",
            "body": row.body or "",
            "state": row.state,
            "time": (row.wa_timestamp or row.date_sent or row.create_date).isoformat() + "Z",
            "interactive": {},
            "wa_message_id": row.wa_message_id or "",
            "grievance": row.grievance_id.name or "",
            "error": (row.error_message or "") if row.state in ("queued", "failed", "error") else "",
        }
        if row.direction == "out":
            entry.update(_outbound_view(payload, row.body or ""))
        else:
            entry.update(_inbound_view(row, payload, media))
        return entry


# --------------------------------------------------------------------------- pure helpers


def _payload(message):
    try:
        payload = json.loads(message.payload or "{}")
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _options(interactive):
    """Buttons or list rows of an interactive payload as ``{id, title[, description]}``."""
    action = interactive.get("action") or {}
    if interactive.get("type") == "button":
        return [
            {"id": button["reply"]["id"], "title": button["reply"].get("title", "")}
            for button in action.get("buttons") or []
            if isinstance(button, dict) and isinstance(button.get("reply"), dict) and button["reply"].get("id")
        ]
    return [
        {key: row[key] for key in ("id", "title", "description") if row.get(key)}
        for section in action.get("sections") or []
        if isinstance(section, dict)
        for row in section.get("rows") or []
        if isinstance(row, dict) and row.get("id")
    ]


def _outbound_view(payload, body):
    """What WhatsApp shows of a bot message: its text and its buttons, list or location request."""
    message_type = payload.get("type")
    if message_type == "text":
        return {"body": (payload.get("text") or {}).get("body") or body}
    if message_type == "template":
        template = payload.get("template") or {}
        parameters = [
            parameter.get("text", "")
            for component in template.get("components") or []
            if isinstance(component, dict)
            for parameter in component.get("parameters") or []
            if isinstance(parameter, dict)
        ]
        return {"body": body or " · ".join(parameters), "template": template.get("name") or ""}
    if message_type != "interactive":
        return {}
    content = payload.get("interactive") or {}
    view = {
        "body": (content.get("body") or {}).get("text") or body,
        "header": (content.get("header") or {}).get("text") or "",
        "footer": (content.get("footer") or {}).get("text") or "",
    }
    kind = content.get("type")
    action = content.get("action") or {}
    if kind == "button":
        view["interactive"] = {"buttons": _options(content)}
    elif kind == "list":
        sections = [
            {"title": section.get("title") or "", "rows": _options({"type": "list", "action": {"sections": [section]}})}
            for section in action.get("sections") or []
            if isinstance(section, dict)
        ]
        view["interactive"] = {"button": action.get("button") or "", "sections": sections}
    elif kind == "location_request_message":
        view["interactive"] = {"location_request": True}
    return view


def _inbound_view(row, payload, media):
    view = {}
    if row.message_type == "location":
        location = payload.get("location") or {}
        view["body"] = ""  # the map card says it all
        view["location"] = {
            "latitude": row.latitude,
            "longitude": row.longitude,
            "name": location.get("name") or "",
            "address": location.get("address") or "",
        }
    elif row.message_type == "interactive":
        content = payload.get("interactive") or {}
        reply = content.get(content.get("type")) or {}
        view["body"] = reply.get("title") or row.body or ""
    elif row.media_id:
        attachment = media.get(row.media_id)
        content = payload.get(row.message_type) or {}
        view["body"] = content.get("caption") or ""
        view["media"] = {
            "url": f"/web/image/{attachment.id}" if attachment else "",
            "mime_type": row.media_mime_type or "",
        }
    context = payload.get("context") or {}
    if context.get("id"):
        view["reply_to"] = context["id"]
    return view
