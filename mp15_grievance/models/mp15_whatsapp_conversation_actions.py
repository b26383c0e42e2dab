"""What the dialogue engine decided, carried out in the database: replies, filings, photos, notes, feedback."""

from collections import ChainMap

from odoo import _

from ..tools import dialogue, messages

ODOO_LANG = {"hi": "hi_IN", "en": "en_US"}  # the conversation's language as an Odoo language


class ActionRunner:
    """Carries out the engine's actions for one inbound message, in order."""

    def __init__(self, conversation_record, message, batch=None):
        self.conversation = conversation_record
        self.message = message
        self.batch = batch  # a ProcessingBatch does the bookkeeping of what is filed; None: at once
        self.env = conversation_record.env
        self.filed = self.env["mp15.grievance"]

    def run(self, actions):
        handlers = {
            dialogue.Reply: self._reply,
            dialogue.FileGrievance: self._file_grievance,
            dialogue.AttachMedia: self._attach_media,
            dialogue.SetLocation: self._set_location,
            dialogue.SetWard: self._set_ward,
            dialogue.AddCitizenNote: self._add_citizen_note,
            dialogue.Feedback: self._feedback,
            dialogue.SetLanguage: self._set_language,
            dialogue.SetOptIn: self._set_opt_in,
        }
        for action in actions:
            handlers[type(action)](action)

    def _grievance(self, grievance_id, written_about=False):
        """``written_about``: the number sent its own words, photo or place for the grievance, so it is the
        citizen's (``phone_verified``); a feedback tap does not count: it is the answer being vouched for."""
        grievance = self.env["mp15.grievance"].browse(grievance_id).exists()
        if grievance.partner_id != self.conversation.partner_id:
            raise ValueError(f"Grievance {grievance_id} does not belong to {self.conversation.phone}")
        if written_about:
            grievance._verify_phone_from_whatsapp(self.conversation.phone)
        return grievance

    def _reply(self, reply):
        conv = self.conversation
        grievance = self.filed if reply.about_filed else (reply.grievance_id and self._grievance(reply.grievance_id))
        params = dict(reply.params)
        if reply.about_announcements:
            params = {"ward": conv._announcement_ward_title(), **params}
        if grievance:
            params = ChainMap(params, conv._grievance_params(grievance))
        body = conv._render(reply.text_key, params)
        options = [
            (
                option.id,
                option.title or conv._render(option.title_key, **option.title_params),
                option.description or (option.description_key and conv._render(option.description_key)) or "",
            )
            for option in reply.options
        ]
        to = conv.phone
        if reply.style == "buttons":
            payload = messages.buttons_message(
                to, messages.clip(body, 1024), [(oid, title) for oid, title, _d in options]
            )
        elif reply.style == "list":
            rows = [messages.Row(oid, title, description) for oid, title, description in options]
            payload = messages.list_message(
                to, body, conv._render(reply.list_button_key or "menu_button"), [("", rows)]
            )
        elif reply.style == "location_request":
            payload = messages.location_request_message(to, messages.clip(body, 1024))
        else:
            payload = messages.text_message(to, messages.clip(body, messages.TEXT_BODY_LIMIT))
        self.env["mp15.whatsapp.message"]._queue(conv, payload, body=body, grievance=grievance or None)

    def _file_grievance(self, action):
        conv = self.conversation
        category = self.env["mp15.grievance.category"].sudo().search([("code", "=", action.category_code)], limit=1)
        if not category:
            category = self.env["mp15.grievance.category"].sudo().search([("code", "=", "OTHER")], limit=1)
        ward = action.ward_number and self.env["mp15.ward"].sudo().search(
            [("number", "=", action.ward_number)], limit=1
        )
        if action.ward_id and not ward:  # the ward of a place the citizen named
            ward = self.env["mp15.ward"].sudo().search([("id", "=", action.ward_id)], limit=1)
        values = {
            "kind": action.kind,
            "category_id": category.id,
            "description": action.description or category.name,
            "partner_id": conv.partner_id.id,
            "phone": conv.phone,
            "channel": "whatsapp",
            "address": action.address or False,
        }
        if action.emergency:
            values["priority"] = "2"
        if ward:
            values["ward_id"] = ward.id  # a pin that falls in a mapped ward wins over it
        if action.latitude is not None and action.longitude is not None:
            values.update(latitude=action.latitude, longitude=action.longitude)
        # No "Grievance created" line: the citizen's own message, noted next, opens the chatter.
        Grievance = self.env["mp15.grievance"].with_context(
            mail_create_nolog=True, mp15_bookkeeping_later=self.batch is not None
        )
        self.filed = Grievance.create(values).with_env(self.env)
        if self.batch is not None:
            self.batch.add_filed(self.filed)
        if self.message.id not in action.media_message_ids:  # a photo is in the chatter once, with its file
            self.message.grievance_id = self.filed
        for media_message_id in action.media_message_ids:
            self._attach(self.filed, self.env["mp15.whatsapp.message"].browse(media_message_id))

    def _attach_media(self, action):
        self._attach(
            self._grievance(action.grievance_id, written_about=True),
            self.env["mp15.whatsapp.message"].browse(action.media_message_id),
        )

    def _attach(self, grievance, media_message):
        attachment = self.conversation._download_media(media_message)
        env = grievance._in_lang_of().env  # a system note: in the responsible user's language
        if attachment:
            attachment.write({"res_model": grievance._name, "res_id": grievance.id})
            posted = self._post_from_citizen(
                grievance,
                env._("Citizen sent a %(kind)s on WhatsApp.", kind=self._media_word(media_message, env)),
                attachment_ids=attachment.ids,
            )
        else:
            posted = grievance.message_post(
                body=env._(
                    "Citizen sent a %(kind)s on WhatsApp but it could not be downloaded: %(reason)s",
                    kind=self._media_word(media_message, env),
                    reason=media_message.error_message or "",
                ),
                subtype_xmlid="mail.mt_note",
            )
        # That post is the message's chatter entry: no second note for it.
        media_message.write({"grievance_id": grievance.id, "chatter_message_id": posted.id})

    def _post_from_citizen(self, grievance, body, attachment_ids=()):
        """The citizen's own words in the chatter: followers are notified, and e-mails about it go out from
        the corporation's address (a citizen on WhatsApp has no e-mail address to send from)."""
        company = self.env.company
        sender = company.catchall_formatted or company.email_formatted
        return grievance.message_post(
            body=body,
            attachment_ids=list(attachment_ids),
            author_id=self.conversation.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            **({"email_from": sender} if sender and not self.conversation.partner_id.email else {}),
        )

    def _media_word(self, media_message, env):
        """The kind of media in words staff read (in ``env``'s language), not WhatsApp's type name."""
        words = {
            "image": env._("photo"),
            "audio": env._("voice note"),
            "video": env._("video"),
            "document": env._("document"),
            "sticker": env._("sticker"),
        }
        return words.get(media_message.message_type, media_message.message_type)

    def _set_location(self, action):
        grievance = self._grievance(action.grievance_id, written_about=True)
        values = {"latitude": action.latitude, "longitude": action.longitude}
        if action.address:
            values["address"] = action.address
        grievance.write(values)
        self.message.grievance_id = grievance

    def _set_ward(self, action):
        """The citizen said which of the places named: its ward and name, unless a pin placed it meanwhile."""
        grievance = self._grievance(action.grievance_id)
        ward = self.env["mp15.ward"].sudo().search([("id", "=", action.ward_id)], limit=1)
        if ward and not grievance.ward_id:
            grievance.write({"ward_id": ward.id, **({"address": action.address} if action.address else {})})
        self.message.grievance_id = grievance

    def _add_citizen_note(self, action):
        grievance = self._grievance(action.grievance_id, written_about=True)
        posted = self._post_from_citizen(grievance, action.text)
        # The citizen's own comment is the message's chatter entry: no second note for it.
        self.message.write({"grievance_id": grievance.id, "chatter_message_id": posted.id})

    def _feedback(self, action):
        grievance = self._grievance(action.grievance_id)
        grievance._record_feedback(action.satisfied, channel=_("WhatsApp"))
        self.message.grievance_id = grievance

    def _set_language(self, action):
        self.conversation.lang = action.lang
        lang = ODOO_LANG[action.lang]
        if self.env["res.lang"]._get_data(code=lang).active:
            self.conversation.partner_id.lang = lang

    def _set_opt_in(self, action):
        """Consent given or withdrawn, through the menu (``bot``) or START / STOP (``keyword``), with the ward."""
        ward = None
        Ward = self.env["mp15.ward"].sudo()
        if action.ward_id:
            ward = Ward.search([("id", "=", action.ward_id)], limit=1)
        elif action.ward_number:
            ward = Ward.search([("number", "=", action.ward_number)], limit=1)
        elif action.latitude is not None and action.longitude is not None:
            ward = Ward._locate(action.latitude, action.longitude)
        # A ward the corporation does not have (a mistyped number, a pin outside): the stored ward stays.
        self.conversation.partner_id._mp15_set_announcements(action.opted_in, action.source, ward=ward or None)
