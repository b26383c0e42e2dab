"""A citizen's WhatsApp thread: processing its stored webhooks in order, and writing back to the citizen."""

import base64
import logging
import random
import time
import traceback
from datetime import datetime, timedelta

from odoo import _, api, fields, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

from ..tools import cloud_api, dialogue, geo, messages, webhook
from ..tools.classifier import cached_classifier
from ..tools.phone import PhoneError, mask_phone, normalize_phone
from ..tools.reference import SEQUENCE_PREFIX, find_reference
from .mp15_whatsapp_conversation_actions import ODOO_LANG, ActionRunner
from .processing_batch import RETRYABLE_ERRORS, ProcessingBatch
from .processing_lanes import in_processing_lane

_logger = logging.getLogger(__name__)

LANGUAGES = [("hi", "Hindi"), ("en", "English")]
WINDOW = timedelta(hours=24)
RECENT = timedelta(minutes=30)
PROCESS_ATTEMPTS = 3
PROCESS_TIME_BUDGET = 5  # seconds per call: Odoo commits and calls again at once while messages wait
MEDIA_SECONDS = 30  # a slow download must not hold the citizen's conversation (and the cron) for long
EVENT_KINDS = {"text": "text", "interactive": "interactive", "button": "interactive", "location": "location"}


class Mp15WhatsappConversation(models.Model):
    """One citizen's WhatsApp thread with one account: language, 24-hour window, engine state."""

    _name = "mp15.whatsapp.conversation"
    _description = "WhatsApp Conversation"
    _order = "last_inbound_at desc, id desc"
    _rec_name = "phone"

    account_id = fields.Many2one("mp15.whatsapp.account", required=True, readonly=True, ondelete="cascade")
    phone = fields.Char(required=True, readonly=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Citizen", readonly=True, index="btree_not_null")
    lang = fields.Selection(LANGUAGES, string="Language", required=True, default="hi")
    engine_state = fields.Json(readonly=True, help="Where the citizen is in the bot's menus.")
    last_inbound_at = fields.Datetime(
        string="Last message", readonly=True, help="The citizen's last message: replies are free for 24 hours."
    )
    message_ids = fields.One2many("mp15.whatsapp.message", "conversation_id", string="Messages")

    _sql_constraints = [
        ("citizen_once", "unique(account_id, phone)", "One conversation per citizen and account."),
    ]

    # ----------------------------------------------------------------- processing

    @api.model
    def _cron_process(self, lane=None):
        """Handle stored webhooks: statuses, then each citizen's messages in order, one worker per citizen.

        ``lane``: the share of citizens this scheduled action handles (see ``processing_lane``), so
        that the lanes run in parallel on the cron workers; None handles everyone.
        Citizens are committed in batches (see ``ProcessingBatch``), each in its own savepoint.
        """
        deadline = time.monotonic() + PROCESS_TIME_BUDGET
        done = self._process_statuses() if lane in (None, 0) else 0
        in_lane = in_processing_lane(lane)
        batch = ProcessingBatch(self.env)
        while time.monotonic() < deadline:
            self.env.cr.execute(
                SQL(
                    """
                    SELECT account_id, phone FROM mp15_whatsapp_message
                     WHERE state = 'received' AND %s
                     GROUP BY account_id, phone
                     ORDER BY min(wa_timestamp), min(id)
                     LIMIT 200
                    """,
                    in_lane,
                )
            )
            citizens = self.env.cr.fetchall()
            self._create_first_contacts(citizens)
            progressed = False
            for account_id, phone in citizens:
                if time.monotonic() >= deadline:
                    break
                handled = self._process_citizen(account_id, phone, batch)
                if handled is None:
                    continue  # another worker has this citizen
                done += handled
                batch.handled += handled
                progressed = True
                if batch.full():
                    batch.commit()
            batch.commit()
            if not progressed:
                break
        self.env.cr.execute(SQL("SELECT count(*) FROM mp15_whatsapp_message WHERE state = 'received' AND %s", in_lane))
        remaining = self.env.cr.fetchone()[0]
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    @api.model
    def _process_citizen(self, account_id, phone, batch):
        """Handle one citizen's waiting messages in a savepoint of ``batch``; None when another worker has
        the citizen. The caller commits the batch.

        An error that a retry cures (two processes creating the same shared row, a serialization
        failure, a deadlock) undoes the citizen's work, commits the batch so far, and tries the citizen
        again in a fresh transaction, which sees what the other process committed; the last attempt
        records what still fails.
        """
        for attempt in range(1, PROCESS_ATTEMPTS + 1):
            try:
                with self.env.cr.savepoint():
                    conversation = self._lock(account_id, phone)
                    if not conversation:
                        return None
                    return conversation._process_received(batch, last_attempt=attempt == PROCESS_ATTEMPTS)
            except RETRYABLE_ERRORS as error:
                batch.commit()
                _logger.info("WhatsApp processing of %s retried (attempt %d): %s", mask_phone(phone), attempt, error)
                time.sleep(random.uniform(0, 0.05 * 2**attempt))
        return 0

    @api.model
    def _process_statuses(self):
        statuses = self.env["mp15.whatsapp.status"].search([("state", "=", "received")], order="id", limit=5000)
        for status in statuses:
            try:
                with self.env.cr.savepoint():
                    status._apply()
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except Exception as error:
                _logger.exception(
                    "WhatsApp status %s %s could not be applied",
                    status.status,
                    webhook.mask_wamid(status.wa_message_id),
                )
                status.write({"state": "error", "error_message": str(error)[:2000]})
        self.env.cr.commit()  # pylint: disable=invalid-commit
        return len(statuses.filtered(lambda s: s.state != "received"))

    @api.model
    def _lock(self, account_id, phone):
        """The citizen's conversation, created if new and locked for this transaction, or None if busy."""
        return self._lock_many([(account_id, phone)]).get((account_id, phone))

    @api.model
    def _lock_many(self, citizens):
        """{(account id, phone): conversation} of ``citizens``, each created if new and locked for this
        transaction; a citizen another worker is handling is left out."""
        accounts, phones = [account_id for account_id, _phone in citizens], [phone for _id, phone in citizens]
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO mp15_whatsapp_conversation (account_id, phone, lang, create_uid, write_uid,
                                                        create_date, write_date)
                SELECT account_id, phone, 'hi', %s, %s, now() at time zone 'UTC', now() at time zone 'UTC'
                  FROM unnest(%s::int[], %s::varchar[]) AS citizen(account_id, phone)
                ON CONFLICT (account_id, phone) DO NOTHING
                """,
                self.env.uid,
                self.env.uid,
                accounts,
                phones,
            )
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT id, account_id, phone FROM mp15_whatsapp_conversation
                 WHERE (account_id, phone) IN (SELECT * FROM unnest(%s::int[], %s::varchar[]))
                   FOR UPDATE SKIP LOCKED
                """,
                accounts,
                phones,
            )
        )
        return {(account_id, phone): self.browse(row_id) for row_id, account_id, phone in self.env.cr.fetchall()}

    @api.model
    def _create_first_contacts(self, citizens):
        """The contacts of those of ``citizens`` who write for the first time, created together before their
        messages are handled: one create for a processing batch's new citizens costs a fraction of one each
        (a surge of new citizens after a news item or a poster). Only for the conversations this transaction
        locks; whatever goes wrong leaves it to each citizen's own first message (``_first_contact_partner``).
        """
        if not citizens:
            return
        try:
            with self.env.cr.savepoint():
                new = [conv for conv in self._lock_many(citizens).values() if not conv.partner_id]
                if not new:
                    return
                self.env.cr.execute(
                    SQL(
                        """
                        SELECT DISTINCT ON (account_id, phone) account_id, phone, profile_name
                          FROM mp15_whatsapp_message
                         WHERE state = 'received'
                           AND (account_id, phone) IN (SELECT * FROM unnest(%s::int[], %s::varchar[]))
                         ORDER BY account_id, phone, wa_timestamp, id
                        """,
                        [conv.account_id.id for conv in new],
                        [conv.phone for conv in new],
                    )
                )
                names = {(account_id, phone): name for account_id, phone, name in self.env.cr.fetchall()}
                names_by_number = {}
                for conv in new:
                    try:
                        names_by_number[normalize_phone(conv.phone)] = names.get((conv.account_id.id, conv.phone))
                    except PhoneError:
                        continue  # a username without a number: its first message gives it a contact
                Partner = self.env["res.partner"].sudo()
                known = Partner.with_context(active_test=False).search([("mp15_phone", "in", list(names_by_number))])
                for number in known.mapped("mp15_phone"):
                    names_by_number.pop(number, None)
                if names_by_number:
                    Partner._mp15_create_citizens(names_by_number)
        except RETRYABLE_ERRORS as error:  # another process at the same rows: each first message does its own
            _logger.info("WhatsApp processing: new citizens' contacts left to their first messages: %s", error)
        except Exception:  # a fault here must not stop the processing: each first message creates its contact
            _logger.exception("WhatsApp processing: new citizens' contacts could not be created together")

    def _process_received(self, batch=None, last_attempt=True):
        """Run the citizen's waiting messages in order; ``last_attempt``: record retryable errors too.

        ``batch``: the ``ProcessingBatch`` that does the bookkeeping of what is filed; None: done at once.
        """
        self.ensure_one()
        inbound = self.env["mp15.whatsapp.message"].search(
            [("state", "=", "received"), ("account_id", "=", self.account_id.id), ("phone", "=", self.phone)],
            order="wa_timestamp, id",
        )
        for message in inbound:
            try:
                with self.env.cr.savepoint():
                    self._handle(message, batch)
            except RETRYABLE_ERRORS:
                if not last_attempt:
                    raise  # another transaction changed the same rows: this citizen's work is tried again
                self._give_up(message)
            except Exception:  # whatever it is, the citizen and the administrators hear of it
                self._give_up(message)
        return len(inbound)

    def _give_up(self, message):
        """A message we could not handle: kept in error, the administrators alerted, the citizen told."""
        error = traceback.format_exc(limit=5)
        _logger.exception("WhatsApp message %s could not be processed", webhook.mask_wamid(message.wa_message_id))
        message.write({"state": "error", "error_message": error[-2000:], "conversation_id": self.id})
        managers = self.env.ref("mp15_grievance.group_manager").sudo().users.filtered(lambda u: not u.share)
        self.env["mail.thread"].sudo().message_notify(
            model=message._name,
            res_id=message.id,
            partner_ids=managers.partner_id.ids,
            subject=_("WhatsApp message not processed"),
            body=_(
                "A WhatsApp message from %(phone)s could not be processed and waits under WhatsApp → Messages "
                "(Process again once the cause is fixed). The citizen was told that we received it.",
                phone=mask_phone(self.phone),
            ),
        )
        try:
            with self.env.cr.savepoint():
                self._send_to_citizen("not_processed")
        except Exception:  # the alert above stands even if the reply cannot be queued
            _logger.exception("Could not tell %s that their message waits for staff", mask_phone(self.phone))

    def _handle(self, message, batch=None):
        """Run one inbound message through the conversation engine and carry out what it decides."""
        self.ensure_one()
        first_contact = not self.partner_id
        if first_contact:
            self.partner_id = self._first_contact_partner(message)
        message.write({"conversation_id": self.id, "partner_id": self.partner_id.id})
        if message.wa_timestamp and (not self.last_inbound_at or message.wa_timestamp > self.last_inbound_at):
            self.last_inbound_at = message.wa_timestamp
        state = self.engine_state or {"lang": self.lang}
        new_state, actions = dialogue.step(state, self._event(message, first_contact))
        if new_state["lang"] != self.lang:
            # The engine switched language (first message in English, ENGLISH, हिंदी): the lists it
            # shows (categories, the citizen's grievances) were labelled in the old one. Again, in the new.
            self.lang = new_state["lang"]
            new_state, actions = dialogue.step(state, self._event(message, first_contact))
        self.engine_state = new_state
        ActionRunner(self, message, batch).run(actions)
        message.state = "processed"

    def _first_contact_partner(self, message):
        """The citizen a conversation's first message comes from: found by number, else created."""
        self.ensure_one()
        try:
            return self.env["res.partner"]._mp15_find_or_create_citizen(self.phone, name=message.profile_name)
        except PhoneError:  # a 2026 WhatsApp username without a number: the citizen has no phone
            return self.env["res.partner"].create({"name": message.profile_name or self.phone})

    def _event(self, message, first_contact):
        kind = EVENT_KINDS.get(message.message_type)
        if message.message_type in messages.MEDIA_LIMITS_MB:
            kind = "media"
        elif message.message_type in ("unsupported", "reaction"):
            kind = message.message_type
        elif kind == "location" and not geo.valid_coordinates(message.latitude, message.longitude):
            kind = "other"
        text = message.caption if kind == "media" else (message.body if kind == "text" else None)
        grievances = self.env["mp15.grievance"].with_context(active_test=False)
        reference = self._find_reference(text)
        referenced = reference and grievances.search(
            [("name", "=", reference), ("partner_id", "=", self.partner_id.id)], limit=1
        )
        context_grievance = message.context_wa_message_id and (
            self.env["mp15.whatsapp.message"]
            .search([("wa_message_id", "=", message.context_wa_message_id), ("conversation_id", "=", self.id)], limit=1)
            .grievance_id
        )
        mine = grievances.search(
            [("partner_id", "=", self.partner_id.id), ("active", "=", True)], order="id desc", limit=50
        )
        recent = mine.filtered(
            lambda g: g.channel == "whatsapp" and g.is_open and g.date_filed >= fields.Datetime.now() - RECENT
        )[:1]
        return dialogue.Event(
            at=int((message.wa_timestamp or fields.Datetime.now()).timestamp()),
            kind=kind or "other",
            text=text,
            interactive_id=message.interactive_id,
            latitude=message.latitude if kind == "location" else None,
            longitude=message.longitude if kind == "location" else None,
            address=message.location_address,
            media_message_id=message.id if kind == "media" else None,
            media_type=message.message_type if kind == "media" else None,
            **self._understand(text),  # classification, answer, places (mp15_whatsapp_conversation_answers.py)
            reference=reference or None,
            referenced=self._info(referenced),
            context_grievance=self._info(context_grievance),
            recent_grievance=self._info(recent),
            open_grievances=tuple(self._info(g) for g in mine.filtered("is_open")[:10]),
            categories=self._category_options(),
            first_contact=first_contact,
            **self._announcement_facts(mine),  # opted_in, announcement_ward (…_conversation_answers.py)
        )

    def _find_reference(self, text):
        """A grievance reference in ``text``, read with the reference sequence's own prefix and padding."""
        sequence = self.env["mp15.grievance"]._reference_sequence()
        return find_reference(text, sequence.prefix or SEQUENCE_PREFIX, sequence.padding or 6)

    def _info(self, grievance):
        """A grievance as the engine may mention it, its label in the citizen's language."""
        if not grievance:
            return None
        translated = grievance.sudo().with_context(lang=self._odoo_lang())
        return dialogue.GrievanceInfo(
            id=grievance.id,
            reference=grievance.name,
            state=grievance.state,
            category_code=grievance.category_id.code,
            label=f"{translated.category_id.name} · {translated.stage_id.name}",
        )

    @api.model
    def _classifier(self):
        return cached_classifier(dict(self.env["mp15.grievance.category"]._keywords_by_code()))

    def _category_options(self):
        rows = self.env["mp15.grievance.category"]._menu_rows(self._odoo_lang())
        return tuple(dialogue.CategoryOption(code, title, description) for code, title, description in rows)

    # ----------------------------------------------------------------- sending

    def _odoo_lang(self):
        """The citizen's language as an installed Odoo language: English while Hindi is not installed."""
        lang = ODOO_LANG[self.lang]
        return lang if self.env["res.lang"]._get_data(code=lang).active else "en_US"

    def _render(self, key, params=None, **more):
        return self.env["mp15.bot.text"]._render(key, self._odoo_lang(), params, **more)

    def _grievance_params(self, grievance):
        params = grievance._citizen_params(self._odoo_lang())
        if self.partner_id != grievance.partner_id:
            # A councillor or staff member: the back-office record, never the citizen's token link.
            params["link"] = grievance.get_base_url() + grievance._notify_get_action_link("view")
        return params

    def _window_open(self):
        """Inside the citizen's 24-hour customer-service window any message may be sent."""
        return bool(self.last_inbound_at) and fields.Datetime.now() - self.last_inbound_at <= WINDOW

    def _send_to_citizen(self, key, grievance=None, fallback_template=None, buttons=None, image=None):
        """Queue a bot text (with reply buttons or a photo) inside the window, the template outside it."""
        self.ensure_one()
        params = self._grievance_params(grievance) if grievance else {}
        body = self._render(key, params)
        Message = self.env["mp15.whatsapp.message"]
        if not self._window_open():
            payload = self._template_payload(fallback_template, grievance, params)
            if payload:
                return Message._queue(self, payload, body=body, grievance=grievance)
        if image:
            payload = messages.image_message(self.phone, image, caption=messages.clip(body, 1024))
        elif buttons:
            titles = [(option.id, self._render(option.title_key)) for option in buttons]
            payload = messages.buttons_message(self.phone, messages.clip(body, 1024), titles)
        else:
            payload = messages.text_message(self.phone, messages.clip(body, messages.TEXT_BODY_LIMIT))
        return Message._queue(self, payload, body=body, grievance=grievance, fallback_template=fallback_template)

    @api.model
    def _for_partner(self, partner):
        """The conversation to write to ``partner`` on, or an empty recordset.

        Only a number the citizen wrote to us from, or one staff gave when filing for them
        (``mp15_phone``), is ever used: never a number a citizen can edit on the portal, and never
        a conversation that belongs to someone else.
        """
        if not partner:
            return self.browse()
        existing = self.search([("partner_id", "=", partner.id), ("account_id.active", "=", True)])
        if existing:
            return existing.sorted(lambda c: c.last_inbound_at or datetime.min)[-1]
        if not partner.mp15_phone:
            return self.browse()
        account = self.env["mp15.whatsapp.account"]._default_account()
        if not account:
            return self.browse()
        existing = self.search([("account_id", "=", account.id), ("phone", "=", partner.mp15_phone)], limit=1)
        if existing:
            if existing.partner_id and existing.partner_id != partner:
                return self.browse()
            existing.partner_id = partner
            return existing
        return self.create(
            {
                "account_id": account.id,
                "phone": partner.mp15_phone,
                "partner_id": partner.id,
                "lang": "en" if (partner.lang or "").startswith("en") else "hi",
            }
        )

    def _template_payload(self, kind, grievance, params=None):
        """The approved template for ``kind`` (status_update, feedback), or None when not configured."""
        account = self.account_id.sudo()
        name = {"status_update": account.template_status_update, "feedback": account.template_feedback}.get(kind)
        if not (name and grievance):
            return None
        params = params or self._grievance_params(grievance)
        body = (
            [params["ref"], params["stage"], params["link"]]
            if kind == "status_update"
            else [params["ref"], params["link"]]
        )
        return messages.template_message(self.phone, name, account.template_language or "hi", body)

    def _download_media(self, message):
        """Fetch an inbound photo/voice note/document into an attachment (None when it cannot be had)."""
        if message.attachment_id:
            return message.attachment_id
        limit = messages.MEDIA_LIMITS_MB.get(message.message_type, 16) * 1024 * 1024
        try:
            with self.account_id._client() as client:
                info = client.get_media(message.media_id)
                content = client.download_media(info.url, max_bytes=limit, max_seconds=MEDIA_SECONDS)
        except (cloud_api.CloudApiError, cloud_api.GraphUrlNotAllowed) as error:
            summary = error.error.summary() if getattr(error, "error", None) else str(error)
            message.write({"error_message": summary})
            _logger.warning(
                "WhatsApp media %s of %s not downloaded: %s", message.media_id, mask_phone(message.phone), summary
            )
            return None
        extension = (message.media_mime_type or "application/octet-stream").split(";")[0].split("/")[-1]
        attachment = self.env["ir.attachment"].create(
            {
                "name": message.media_filename or f"whatsapp-{message.message_type}-{message.id}.{extension}",
                "datas": base64.b64encode(content),
                "mimetype": (message.media_mime_type or "").split(";")[0] or None,
                "res_model": "mp15.grievance",
                "res_id": 0,
            }
        )
        message.attachment_id = attachment
        return attachment
