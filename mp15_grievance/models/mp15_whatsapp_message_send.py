"""WhatsApp message: the outbound queue — sending at each account's rate, retries, the template fallback, statuses.

Replies and grievance updates go first; broadcasts take what the rate leaves, spread over each
second (``tools/sending_pace.py``, ``mp15_whatsapp_message_broadcast.py``).
"""

import json
import random
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools import SQL

from ..tools import cloud_api, locks, urls
from ..tools.sending_pace import SendingPace

SEND_BATCH = 500
SEND_TIME_BUDGET = 5  # seconds per call; Odoo calls again at once while messages are due
BROADCAST_SLICE = 0.05  # seconds: a broadcast goes out in slices this long, about the longest a reply waits for it


class Mp15WhatsappMessage(models.Model):
    _inherit = "mp15.whatsapp.message"

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
        for index, account in enumerate(accounts):
            # An equal share of what is left of the run (an idle account leaves its share to the next), and
            # one pass at least: one number's long broadcast or slow Graph API must not hold back another's replies.
            share = (deadline - time.monotonic()) / (len(accounts) - index)
            done += self._send_account_queue(account, time.monotonic() + share)
        remaining = self._count_sendable() + self._count_broadcast_sendable()
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    @api.model
    def _count_sendable(self):
        """How many outbound messages are due to send now, on active accounts whose sending is not blocked."""
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
        """Send ``account``'s due messages in batches, committing each, never more than its rate in a second.

        Each batch takes the due replies and updates first; a running broadcast takes what the rate
        has left, in slices spread over the second (``SendingPace``), so a reply queued while a
        broadcast is being paced goes out with the next slice instead of after the second.
        """
        sent = 0
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
        pace = _account_pace(self.env.cr.dbname, account)
        # Read once per run: within a run only what the run takes uses it up.
        broadcast_allowance = account._broadcast_allowance()
        upcoming = []  # the broadcasts' next recipients, read a run's worth at a time
        broadcast_waiting = True  # until a batch finds no broadcast message to take
        # The run's threads and connections serve all its batches (a broadcast is twenty batches a second).
        with client, ThreadPoolExecutor(max_workers=cloud_api.PARALLEL_SENDS) as pool:
            first_pass = True  # every account gets one pass per run, however late its turn came
            while (first_pass or time.monotonic() < deadline) and not account.sending_blocked:
                first_pass = False
                pace.wait(broadcast_waiting)
                # One sender per account, whatever the number of workers: a lock held by each batch's
                # transaction, released by its commit (or by the rollback if anything goes wrong).
                self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", *locks.sending(account.id)))
                if not self.env.cr.fetchone()[0]:
                    break
                batch = self._take_due(account, min(pace.room(), SEND_BATCH), broadcast=False)
                broadcast_room = min(pace.broadcast_room(len(batch)), SEND_BATCH - len(batch))
                if broadcast_waiting and broadcast_room:
                    taken = self._take_due(account, broadcast_room, broadcast=True)
                    if not upcoming:
                        read_ahead = min(broadcast_allowance, pace.rate * SEND_TIME_BUDGET, SEND_BATCH)
                        upcoming = self._upcoming_broadcast_recipients(account, read_ahead)
                    fresh = self._take_broadcast_messages(
                        account, min(broadcast_room - len(taken), broadcast_allowance), upcoming
                    )
                    broadcast_allowance -= len(fresh)
                    broadcast_waiting = bool(taken or fresh)
                    batch |= taken | fresh
                if not batch:
                    if not broadcast_waiting:
                        break
                    # Its next slice is not earned yet: look again then, in a new snapshot that shows the
                    # replies queued meanwhile (this transaction would keep showing the database as it was).
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                    continue
                pace.taken(len(batch))
                batch._send_batch(client, pool)
                sent += len(batch)
                # Queue runner: what went out is recorded before the next batch.
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return sent

    def _take_due(self, account, limit, *, broadcast):
        """Lock and return up to ``limit`` of ``account``'s queued messages due now, oldest first: those of
        broadcasts (their retries) or the others (replies and grievance updates)."""
        if limit <= 0:
            return self.browse()
        self.env.cr.execute(
            SQL(
                """
                SELECT m.id FROM mp15_whatsapp_message m
                 WHERE m.account_id = %s AND (m.broadcast_recipient_id IS NOT NULL) = %s AND %s
                 ORDER BY m.id
                 LIMIT %s
                   FOR UPDATE SKIP LOCKED
                """,
                account.id,
                broadcast,
                _sendable(fields.Datetime.now()),
                limit,
            )
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    def _send_batch(self, client, pool):
        """Send in parallel across citizens (``pool``'s threads), in order for each citizen; record every result."""
        by_phone = defaultdict(list)
        for message in self:
            by_phone[message.phone].append((message.id, json.loads(message.payload or "{}")))
        # HTTP only in the threads: the ORM stays in this thread.
        outcomes = dict(
            item for chunk in pool.map(lambda items: _send_in_order(client, items), by_phone.values()) for item in chunk
        )
        for message in self:
            result = outcomes.get(message.id)
            if result is None:  # an earlier message to the same citizen was held back
                message.next_attempt_at = fields.Datetime.now() + timedelta(seconds=5)
                continue
            message._record_send_result(result)
        self.filtered("broadcast_recipient_id")._broadcast_outcome()

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
        elif result.disposition == cloud_api.WINDOW_CLOSED and not self.broadcast_recipient_id:
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
        if self.broadcast_recipient_id:
            self._broadcast_outcome()
        elif new_state == "failed" and status.error_code in cloud_api.WINDOW_CLOSED_CODES:
            self._fall_back_to_template()

    def action_retry(self):
        """Send failed outbound messages again (managers)."""
        retried = self._check_action_access().filtered(lambda m: m.direction == "out" and m.state == "failed")
        if not retried:
            return False
        retried.write({"state": "queued", "next_attempt_at": False, "attempt_count": 0})
        self.env.ref("mp15_grievance.ir_cron_send_whatsapp")._trigger()
        return True


def _sendable(now):
    """Queued and due, and not behind an earlier message to the same citizen still waiting for its retry.

    A broadcast message waiting for its retry holds nothing up: replies never wait for a broadcast.
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
               AND earlier.broadcast_recipient_id IS NULL
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


_paces = {}  # (database, account id, its rate, thread) -> SendingPace: the last second's sends outlive a run
_paces_lock = threading.Lock()


def _account_pace(dbname, account):
    """The account's ``SendingPace`` for this cron worker: a run that starts right after another (Odoo calls
    the sender again at once while messages are due) must count what that one sent in the last second.

    One per thread, as prefork gives one per process: a cron thread calls ``wait`` (which trims the window)
    before it learns that another holds the account's sending lock, and two threads must not change one pace."""
    key = (dbname, account.id, account.rate_limit_mps, threading.get_ident())
    with _paces_lock:
        if key not in _paces:
            _paces[key] = SendingPace(account.rate_limit_mps, BROADCAST_SLICE)
        return _paces[key]
