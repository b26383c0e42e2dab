import json
import logging
import os
import random
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from functools import partial
from operator import itemgetter

import psycopg2
import psycopg2.sql

from odoo import _, api, fields, models, sql_db
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

from odoo.addons.base.models.ir_cron import ODOO_NOTIFY_FUNCTION

from ..tools import cloud_api, locks, urls, webhook

_logger = logging.getLogger(__name__)

INBOUND_STATES = [("received", "Received"), ("processed", "Processed"), ("error", "Error")]
OUTBOUND_STATES = [
    ("queued", "Queued"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("read", "Read"),
    ("failed", "Failed"),
]
SEND_BATCH = 500
SEND_THREADS = 16
SEND_TIME_BUDGET = 5  # seconds per call; Odoo calls again at once while messages are due
# Citizens are split over parallel processing lanes (one scheduled action each), by the last
# character of their number: each citizen always in the same lane, so in order.
PROCESS_CRONS = ("mp15_grievance.ir_cron_process_whatsapp", "mp15_grievance.ir_cron_process_whatsapp_lane_2")
STORE_ATTEMPTS = 5


class Mp15WhatsappMessage(models.Model):
    """A WhatsApp message in (from a citizen, stored by the webhook) or out (queued for sending)."""

    _name = "mp15.whatsapp.message"
    _description = "WhatsApp Message"
    _order = "id desc"
    _rec_name = "body"

    wa_message_id = fields.Char(string="WhatsApp message ID", readonly=True, copy=False, index=True)
    account_id = fields.Many2one("mp15.whatsapp.account", required=True, readonly=True, index=True, ondelete="restrict")
    direction = fields.Selection([("in", "Received"), ("out", "Sent")], required=True, readonly=True, index=True)
    phone = fields.Char(readonly=True, index=True, help="The citizen's number (E.164).")
    partner_id = fields.Many2one("res.partner", string="Citizen", readonly=True, index="btree_not_null")
    conversation_id = fields.Many2one(
        "mp15.whatsapp.conversation", readonly=True, index="btree_not_null", ondelete="set null"
    )
    grievance_id = fields.Many2one("mp15.grievance", readonly=True, index="btree_not_null", ondelete="set null")
    message_type = fields.Char(string="Type", readonly=True)
    body = fields.Text(readonly=True)
    payload = fields.Text(string="Payload (JSON)", readonly=True, help="The message as WhatsApp sent or will send it.")
    state = fields.Selection(INBOUND_STATES + OUTBOUND_STATES, required=True, readonly=True, index=True)
    error_code = fields.Integer(readonly=True)
    error_message = fields.Text(readonly=True)
    attempt_count = fields.Integer(string="Attempts", readonly=True, default=0)
    next_attempt_at = fields.Datetime(string="Next attempt", readonly=True)
    wa_timestamp = fields.Datetime(string="WhatsApp time", readonly=True, help="When WhatsApp says it happened.")
    profile_name = fields.Char(readonly=True, help="The name the citizen set in WhatsApp.")
    interactive_id = fields.Char(readonly=True, help="The id of the button or list row the citizen chose.")
    latitude = fields.Float(digits=(10, 7), readonly=True)
    longitude = fields.Float(digits=(10, 7), readonly=True)
    location_address = fields.Char(readonly=True)
    media_id = fields.Char(readonly=True)
    media_mime_type = fields.Char(readonly=True)
    media_filename = fields.Char(readonly=True)
    attachment_id = fields.Many2one("ir.attachment", readonly=True, ondelete="set null")
    context_wa_message_id = fields.Char(string="Reply to", readonly=True, index="btree_not_null")
    fallback_template = fields.Selection(
        [("status_update", "Status update"), ("feedback", "Feedback request")],
        readonly=True,
        help="Approved template sent instead when the citizen's 24-hour window is closed.",
    )
    date_sent = fields.Datetime(readonly=True)
    date_delivered = fields.Datetime(readonly=True)
    date_read = fields.Datetime(readonly=True)

    _sql_constraints = [
        ("wa_message_id_unique", "unique(wa_message_id)", "WhatsApp message IDs are unique."),
    ]

    def init(self):
        # The sender's and the processor's queries: cost proportional to what is waiting.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS mp15_whatsapp_message_queued_idx
                ON mp15_whatsapp_message (next_attempt_at, id) WHERE state = 'queued';
            CREATE INDEX IF NOT EXISTS mp15_whatsapp_message_received_idx
                ON mp15_whatsapp_message (phone, wa_timestamp, id) WHERE state = 'received';
            CREATE INDEX IF NOT EXISTS mp15_whatsapp_message_queued_phone_idx
                ON mp15_whatsapp_message (phone, id) WHERE state = 'queued';
            """
        )

    # ------------------------------------------------------------------ webhook

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
        stored = self._store_once(
            sorted(rows, key=itemgetter("wa_message_id")),
            sorted(statuses, key=itemgetter("wa_message_id", "status")),
        )
        if stored:  # a redelivery stores nothing and wakes nobody
            lanes = {processing_lane(row["phone"]) for row in rows} | ({0} if statuses else set())
            for lane in lanes:
                self._wake(PROCESS_CRONS[lane])
        return 200

    @api.model
    def _wake(self, cron_xmlid):
        """Run a scheduled action now: ir.cron's _trigger() in one statement (this is on the webhook's
        hot path). The trigger is kept until a run that started after it ends, so none is missed."""
        cron_id = self.env["ir.model.data"]._xmlid_to_res_id(cron_xmlid)
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO ir_cron_trigger (cron_id, call_at, create_uid, write_uid, create_date, write_date)
                VALUES (%(cron)s, now() at time zone 'UTC', %(uid)s, %(uid)s,
                        now() at time zone 'UTC', now() at time zone 'UTC')
                """,
                cron=cron_id,
                uid=self.env.uid,
            )
        )
        if not self.env.cr.postcommit.data.get("mp15_wake_crons"):  # one notification per transaction
            self.env.cr.postcommit.data["mp15_wake_crons"] = True
            self.env.cr.postcommit.add(partial(_notify_cron_workers, self.env.cr.dbname))

    @api.model
    def _store_once(self, rows, statuses):
        """Insert what is new; a wamid stored already, also by a worker racing this one, is skipped.

        Odoo's transactions are REPEATABLE READ: a duplicate that another worker commits after this
        transaction began is a serialization failure, not a silent conflict. The webhook has written
        nothing before this step, so it starts a fresh transaction, which sees that row, and inserts
        again. Rows come sorted by wamid: two batches sharing messages lock them in the same order.
        """

        def insert():
            Status = self.env["mp15.whatsapp.status"].sudo()
            return self.sudo()._insert_inbound(rows) + Status._insert_statuses(statuses)

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
    def _insert_inbound(self, rows):
        """Store inbound messages once each: a redelivered or racing duplicate wamid is a no-op."""
        rows = [{**row, "direction": "in", "state": "received", "attempt_count": 0} for row in rows]
        return insert_once(self.env, self._table, ("wa_message_id",), rows)

    # ------------------------------------------------------------------ outbound queue

    @api.model
    def _queue(self, conversation, payload, *, body, grievance=None, fallback_template=None):
        """Queue one outbound message for ``conversation``'s citizen; the sender cron sends it."""
        return self.sudo().create(
            {
                "account_id": conversation.account_id.id,
                "direction": "out",
                "state": "queued",
                "phone": conversation.phone,
                "partner_id": conversation.partner_id.id,
                "conversation_id": conversation.id,
                "grievance_id": grievance.id if grievance else False,
                "message_type": payload.get("type"),
                "body": body,
                "payload": json.dumps(payload, ensure_ascii=False),
                "fallback_template": fallback_template,
            }
        )

    @api.model
    def _cron_send(self):
        """Send queued messages, per account at most its rate, in order per citizen, with retries."""
        deadline = time.monotonic() + SEND_TIME_BUDGET
        done = 0
        accounts = self.env["mp15.whatsapp.account"].sudo().search([("sending_blocked", "=", False)])
        for account in accounts:
            done += self._send_account_queue(account, deadline)
        remaining = self._count_due()
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    @api.model
    def _count_due(self):
        self.env.cr.execute(
            SQL(
                """
                SELECT count(*) FROM mp15_whatsapp_message m
                  JOIN mp15_whatsapp_account a ON a.id = m.account_id
                 WHERE a.active AND a.sending_blocked IS NULL AND %s
                """,
                _sendable(fields.Datetime.now()),
            )
        )
        return self.env.cr.fetchone()[0]

    def _send_account_queue(self, account, deadline):
        """Send ``account``'s due messages in batches of at most its rate per second, committing each."""
        sent = 0
        rate = max(1, account.rate_limit_mps)
        try:
            client = account._client()
        except cloud_api.GraphUrlNotAllowed:  # stored before the allow-list, or the list shrank since
            account._block_sending(
                _(
                    "The Graph API URL %(url)s is not on the allow-list (system parameter %(param)s): "
                    "nothing is sent until a system administrator corrects one or the other.",
                    url=account.graph_url,
                    param=urls.GRAPH_URL_ALLOWLIST_PARAM,
                )
            )
            return sent
        with client:
            while time.monotonic() < deadline and not account.sending_blocked:
                # One sender per account, whatever the number of workers: a lock held by each batch's
                # transaction, released by its commit (or by the rollback if anything goes wrong).
                self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", *locks.sending(account.id)))
                if not self.env.cr.fetchone()[0]:
                    break
                self.env.cr.execute(
                    SQL(
                        """
                        SELECT m.id FROM mp15_whatsapp_message m
                         WHERE m.account_id = %s AND %s
                         ORDER BY m.id
                         LIMIT %s
                           FOR UPDATE SKIP LOCKED
                        """,
                        account.id,
                        _sendable(fields.Datetime.now()),
                        min(rate, SEND_BATCH),
                    )
                )
                batch = self.browse([row[0] for row in self.env.cr.fetchall()])
                if not batch:
                    break
                started = time.monotonic()
                batch._send_batch(client)
                sent += len(batch)
                # Queue runner: what went out is recorded before the next batch.
                self.env.cr.commit()  # pylint: disable=invalid-commit
                elapsed = time.monotonic() - started
                if len(batch) >= rate and elapsed < 1:
                    time.sleep(1 - elapsed)  # at most rate_limit_mps per second
        return sent

    def _send_batch(self, client):
        """Send in parallel across citizens, in order for each citizen; record every result."""
        by_phone = defaultdict(list)
        for message in self:
            by_phone[message.phone].append((message.id, json.loads(message.payload or "{}")))
        # HTTP only in the threads: the ORM stays in this thread.
        with ThreadPoolExecutor(max_workers=min(SEND_THREADS, len(by_phone))) as pool:
            outcomes = dict(
                item
                for chunk in pool.map(lambda items: _send_in_order(client, items), by_phone.values())
                for item in chunk
            )
        for message in self:
            result = outcomes.get(message.id)
            if result is None:  # an earlier message to the same citizen was held back
                message.next_attempt_at = fields.Datetime.now() + timedelta(seconds=5)
                continue
            message._record_send_result(result)

    def _record_send_result(self, result):
        self.ensure_one()
        now = fields.Datetime.now()
        attempts = self.attempt_count + 1
        if result.disposition == cloud_api.SENT:
            self.write(
                {
                    "state": "sent",
                    "wa_message_id": result.wa_message_id,
                    "date_sent": now,
                    "attempt_count": attempts,
                    "error_code": 0,
                    "error_message": False,
                    "next_attempt_at": False,
                }
            )
            return
        error = result.error
        values = {
            "attempt_count": attempts,
            "error_code": (error.code if error and error.code else 0),
            "error_message": error.summary() if error else False,
        }
        if result.disposition == cloud_api.RETRY and attempts < cloud_api.MAX_ATTEMPTS:
            delay = result.retry_after or cloud_api.backoff_delay(attempts, jitter=random.random())
            values["next_attempt_at"] = now + timedelta(seconds=delay)
            self.write(values)
        elif result.disposition == cloud_api.WINDOW_CLOSED:
            self.write(values)
            self._fall_back_to_template()
        elif result.disposition in (cloud_api.AUTH, cloud_api.BLOCKED):
            self.write(values)  # stays queued: sent once the administrators fix the account
            self.account_id._block_sending(
                _(
                    "Meta refused to send (%(error)s). Fix the account, then press Resume sending.",
                    error=values["error_message"],
                )
            )
        else:
            values["state"] = "failed"
            self.write(values)

    def _fall_back_to_template(self):
        """Outside the 24-hour window only an approved template may go out: use one, else fail."""
        self.ensure_one()
        payload = self.conversation_id._template_payload(self.fallback_template, self.grievance_id)
        if not payload:
            self.write(
                {
                    "state": "failed",
                    "error_message": _(
                        "%(error)s — the citizen's 24-hour window is closed and no approved template is set "
                        "for this message on the WhatsApp account.",
                        error=self.error_message or "131047",
                    ),
                }
            )
            return
        self.write(
            {
                "payload": json.dumps(payload, ensure_ascii=False),
                "message_type": "template",
                "state": "queued",
                "next_attempt_at": False,
                "fallback_template": False,
            }
        )

    def _apply_status(self, status):
        """Record a delivery status that moves this message forward."""
        self.ensure_one()
        when = status.wa_timestamp or fields.Datetime.now()
        new_state = "read" if status.status == "played" else status.status
        values = {"state": new_state}
        if new_state in ("delivered", "read") and not self.date_delivered:
            values["date_delivered"] = when
        if new_state == "read":
            values["date_read"] = when
        if new_state == "failed":
            values.update(error_code=status.error_code or 0, error_message=status.error_message)
        self.write(values)
        if new_state == "failed" and status.error_code in cloud_api.WINDOW_CLOSED_CODES:
            self._fall_back_to_template()

    def action_retry(self):
        """Send failed outbound messages again (managers)."""
        retried = self._check_action_access().filtered(lambda m: m.direction == "out" and m.state == "failed")
        if not retried:
            return False
        retried.write({"state": "queued", "next_attempt_at": False, "attempt_count": 0})
        self._wake("mp15_grievance.ir_cron_send_whatsapp")
        return True

    def action_reprocess(self):
        """Hand inbound messages that failed back to the conversation engine (managers)."""
        failed = self._check_action_access().filtered(lambda m: m.direction == "in" and m.state == "error")
        if not failed:
            return False
        failed.write({"state": "received"})
        for lane in sorted({processing_lane(message.phone) for message in failed}):
            self._wake(PROCESS_CRONS[lane])
        return True

    def _check_action_access(self):
        """``self`` once the caller may change these messages; nothing is woken for anyone else.

        An empty recordset is refused too: over RPC it would wake the scheduled actions for nothing.
        """
        self.check_access("write")
        if not self:
            raise UserError(_("Select the records to act on."))
        return self


def insert_once(env, table, conflict_columns, rows):
    """INSERT ``rows`` (dicts with the same keys) into ``table``, skipping those that already exist.

    ON CONFLICT DO NOTHING waits for a concurrent insert of the same key and then does nothing;
    a failure of that wait under REPEATABLE READ is the caller's to retry (``_store_once``).
    Returns how many rows were inserted.
    """
    if not rows:
        return 0
    columns = list(rows[0])
    values = SQL(", ").join(
        SQL(
            "(%s, %s, %s, now() at time zone 'UTC', now() at time zone 'UTC')",
            SQL(", ").join(row[column] for column in columns),
            env.uid,
            env.uid,
        )
        for row in rows
    )
    env.cr.execute(
        SQL(
            """
            INSERT INTO %s (%s, create_uid, write_uid, create_date, write_date)
            VALUES %s
            ON CONFLICT (%s) DO NOTHING
            RETURNING id
            """,
            SQL.identifier(table),
            SQL(", ").join(SQL.identifier(column) for column in columns),
            values,
            SQL(", ").join(SQL.identifier(column) for column in conflict_columns),
        ),
        log_exceptions=False,  # a racing duplicate is expected
    )
    return len(env.cr.fetchall())


def _sendable(now):
    """Queued and due, and not behind an earlier message to the same citizen still waiting for its retry.

    ``now`` is the application's clock, the one ``next_attempt_at`` is written with.
    """
    return SQL(
        """
        m.state = 'queued'
        AND (m.next_attempt_at IS NULL OR m.next_attempt_at <= %s)
        AND NOT EXISTS (
            SELECT 1 FROM mp15_whatsapp_message earlier
             WHERE earlier.state = 'queued' AND earlier.account_id = m.account_id AND earlier.phone = m.phone
               AND earlier.id < m.id AND earlier.next_attempt_at > %s
        )
        """,
        now,
        now,
    )


def _send_in_order(client, items):
    """Send one citizen's messages in order; stop at the first that does not go out."""
    results = []
    for message_id, payload in items:
        result = client.send(payload)
        results.append((message_id, result))
        if result.disposition != cloud_api.SENT:
            break
    return results


_notify_connections = {}  # process id -> its connection to the "postgres" database
_notify_lock = threading.Lock()


def _notify_cron_workers(dbname):
    """ir.cron's _notifydb on a connection kept open per process: it runs after every webhook.

    Odoo's cron workers LISTEN on the "postgres" database; opening an Odoo cursor there for each
    notification costs about 3 ms of CPU, a kept autocommit connection a fraction of that.
    """
    with _notify_lock:
        connection = _notify_connections.get(os.getpid())
        try:
            if connection is None or connection.closed:
                _name, info = sql_db.connection_info_for("postgres")
                connection = _notify_connections[os.getpid()] = psycopg2.connect(**info)
                connection.autocommit = True
            with connection.cursor() as cr:
                query = psycopg2.sql.SQL("SELECT {}('cron_trigger', %s)").format(
                    psycopg2.sql.Identifier(ODOO_NOTIFY_FUNCTION)
                )
                cr.execute(query, [dbname])
        except psycopg2.Error:
            _notify_connections.pop(os.getpid(), None)
            _logger.warning("Cron workers not notified (they poll every minute)", exc_info=True)


def _log_summary(level, what, items, shown=3):
    """One log line for what a webhook body held many of: the count and the first few."""
    if not items:
        return
    first = "; ".join(items[:shown]) + ("; ..." if len(items) > shown else "")
    _logger.log(level, "WhatsApp webhook: %s %d element(s): %s", what, len(items), first)


def processing_lane(phone):
    """The processing lane of a citizen: the same for all their messages, spread evenly."""
    return ord(phone[-1]) % len(PROCESS_CRONS) if phone else 0


def in_processing_lane(lane):
    """``processing_lane(phone) == lane`` in SQL, for queries on mp15_whatsapp_message; None: all lanes."""
    if lane is None:
        return SQL("TRUE")
    return SQL("mod(ascii(right(phone, 1)), %s) = %s", len(PROCESS_CRONS), lane)


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
