"""WhatsApp message: the webhook's store step (verify, parse, store each message and status once, wake)."""

import json
import logging
from collections import defaultdict
from datetime import datetime
from operator import itemgetter

from odoo import api, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..tools import webhook
from .sql_helpers import insert_once

_logger = logging.getLogger(__name__)

STORE_ATTEMPTS = 5


class Mp15WhatsappMessage(models.Model):
    _inherit = "mp15.whatsapp.message"

    @api.model
    def _webhook_ingest(self, raw_body, signature_header):
        """Verify, parse and store one webhook delivery. Returns the HTTP status to answer.

        The one place the webhook uses superuser rights: it stores rows and nothing else.
        403 when no active account signed the body, 400 on malformed JSON; otherwise 200,
        also for what is ignored (logged), so Meta does not retry it for days.
        """
        signed_numbers = self.env["mp15.whatsapp.account"]._webhook_signed_numbers(raw_body, signature_header)
        if not signed_numbers:
            _logger.warning("WhatsApp webhook: missing or wrong signature, %d bytes refused", len(raw_body))
            return 403
        try:
            payload = webhook.parse_body(raw_body)
        except webhook.PayloadError as error:
            _logger.warning("WhatsApp webhook: malformed body refused: %s", error)
            return 400
        events = webhook.extract_events(payload)
        _log_summary(logging.INFO, "ignored", [str(reason) for reason in events.ignored])
        _log_summary(logging.WARNING, "Meta reports", [error.summary() for error in events.errors])
        unknown = defaultdict(lambda: [0, 0])  # phone_number_id -> [messages, statuses] not ours
        rows, statuses = [], []
        for message in events.messages:
            if account_id := signed_numbers.get(message.phone_number_id):
                rows.append(self._inbound_row(message, account_id))
            else:
                unknown[message.phone_number_id][0] += 1
        for status in events.statuses:
            if account_id := signed_numbers.get(status.phone_number_id):
                statuses.append(self._status_row(status, account_id))
            else:
                unknown[status.phone_number_id][1] += 1
        if unknown:  # one line, however many elements: a flood must not flood the log
            _logger.warning(
                "WhatsApp webhook: %d message(s) and %d status(es) for unknown phone number id %s ignored",
                sum(counts[0] for counts in unknown.values()),
                sum(counts[1] for counts in unknown.values()),
                ", ".join(str(number) for number in list(unknown)[:5]) + (", ..." if len(unknown) > 5 else ""),
            )
        self._store_once(
            sorted(rows, key=itemgetter("wa_message_id")),
            sorted(statuses, key=itemgetter("wa_message_id", "status")),
        )
        return 200

    @api.model
    def _store_once(self, rows, statuses):
        """Insert what is new and wake the processing lanes of what was; a wamid stored already, also by
        a worker racing this one, is skipped (a redelivery stores nothing and wakes nobody).

        Odoo's transactions are REPEATABLE READ: a duplicate that another worker commits after this
        transaction began is a serialization failure, not a silent conflict. The webhook has written
        nothing before this step, so it starts a fresh transaction, which sees that row, and inserts
        again. Rows come sorted by wamid: two batches sharing messages lock them in the same order.
        """

        lanes = self._processing_crons([row["phone"] for row in rows], statuses=bool(statuses))

        def insert():
            Status = self.env["mp15.whatsapp.status"].sudo()
            return self.sudo()._insert_inbound(rows, wake=lanes) + Status._insert_statuses(statuses, wake=lanes)

        for _retry in range(STORE_ATTEMPTS - 1):
            try:
                return insert()
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                self.env.cr.rollback()
                _logger.info("WhatsApp webhook: another worker stored the same delivery, trying again")
        return insert()

    @api.model
    def _inbound_row(self, message, account_id):
        return {
            "wa_message_id": message.wa_message_id,
            "account_id": account_id,
            "phone": _e164(message.wa_id),
            "message_type": message.type,
            "body": _inbound_body(message),
            "payload": json.dumps(message.raw, ensure_ascii=False),
            "wa_timestamp": _utc(message.timestamp),
            "profile_name": message.profile_name,
            "interactive_id": message.interactive_id,
            "latitude": message.latitude,
            "longitude": message.longitude,
            "location_address": ", ".join(part for part in (message.location_name, message.location_address) if part)
            or None,
            "media_id": message.media_id,
            "media_mime_type": message.media_mime_type,
            "media_filename": message.media_filename,
            "caption": message.caption,
            "context_wa_message_id": message.context_id,
        }

    @api.model
    def _status_row(self, status, account_id):
        error = status.errors[0] if status.errors else None
        return {
            "wa_message_id": status.wa_message_id,
            "account_id": account_id,
            "status": status.status,
            "wa_timestamp": _utc(status.timestamp),
            "error_code": error.code if error else None,
            "error_message": error.summary() if error else None,
            "payload": json.dumps(status.raw, ensure_ascii=False),
        }

    @api.model
    def _insert_inbound(self, rows, wake=None):
        """Store inbound messages once each: a redelivered or racing duplicate wamid is a no-op.

        ``wake``: scheduled actions to trigger in the same statement when one is new."""
        rows = [{**row, "direction": "in", "state": "received", "attempt_count": 0} for row in rows]
        return insert_once(self.env, self._table, ("wa_message_id",), rows, wake=wake)


def _log_summary(level, what, items, shown=3):
    """One log line for what a webhook body held many of: the count and the first few."""
    if not items:
        return
    first = "; ".join(items[:shown]) + ("; ..." if len(items) > shown else "")
    _logger.log(level, "WhatsApp webhook: %s %d element(s): %s", what, len(items), first)


def _e164(wa_id):
    return "+" + wa_id if wa_id and wa_id.isdigit() else wa_id


def _utc(timestamp):
    return datetime.utcfromtimestamp(timestamp) if timestamp else None


def _inbound_body(message):
    """What staff read in the message list."""
    if message.text:
        return message.text
    if message.interactive_title or message.interactive_id:
        return message.interactive_title or message.interactive_id
    if message.latitude is not None:
        place = ", ".join(part for part in (message.location_name, message.location_address) if part)
        return f"📍 {message.latitude:.6f}, {message.longitude:.6f}" + (f" ({place})" if place else "")
    if message.media_id:
        return f"[{message.type}] {message.caption or message.media_filename or ''}".strip()
    if message.reaction_emoji is not None:
        return f"[reaction] {message.reaction_emoji}"
    return f"[{message.type}]"
