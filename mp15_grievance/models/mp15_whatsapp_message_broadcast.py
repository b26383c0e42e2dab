"""WhatsApp message: broadcasts in the outbound queue — taken only into capacity left over, within the daily limit."""

import json

from odoo import api, fields, models
from odoo.tools import SQL

TAKE_ROUNDS = 5  # rounds of skipping opted-out citizens before a batch gives up filling


class Mp15WhatsappMessage(models.Model):
    _inherit = "mp15.whatsapp.message"

    @api.model
    def _upcoming_broadcast_recipients(self, account, limit):
        """Ids of the next ``limit`` recipients of ``account``'s running broadcasts whose turn has come, in order.

        Read a sending run's worth at a time, not for each slice: until PostgreSQL analyses the table again
        after a broadcast's recipients were inserted, it believes few are queued and sorts all of them
        (100,000: 80-120 ms each time, measured by bench/broadcast_bench.py).
        """
        if limit <= 0:
            return []
        self.env.flush_all()
        self.env.cr.execute(
            SQL("SELECT id FROM mp15_broadcast WHERE account_id = %s AND state = 'sending'", account.id)
        )
        broadcast_ids = [row[0] for row in self.env.cr.fetchall()]
        if not broadcast_ids:
            return []
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM mp15_broadcast_recipient
                 WHERE broadcast_id = ANY(%s) AND state = 'queued' AND message_id IS NULL
                   AND (next_attempt_at IS NULL OR next_attempt_at <= %s)
                 ORDER BY id
                 LIMIT %s
                """,
                broadcast_ids,
                fields.Datetime.now(),
                limit,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _take_broadcast_messages(self, account, capacity, upcoming):
        """Queue messages for up to ``capacity`` of the ``upcoming`` recipients (ids, first ones first; those
        looked at are removed) that still wait for theirs; returns them (locked by this transaction) to send
        now. ``capacity`` is within what the messaging limit leaves in the moving 24 hours
        (``account._broadcast_allowance()``, which the sender reads once per run)."""
        taken = self.browse()
        if capacity <= 0:
            return taken
        self.env.flush_all()
        Recipient = self.env["mp15.broadcast.recipient"].sudo()
        for _round in range(TAKE_ROUNDS):
            wanted = capacity - len(taken)
            if wanted <= 0 or not upcoming:
                break
            candidates = upcoming[:wanted]
            del upcoming[:wanted]
            # Those still waiting: the broadcast may have been cancelled since they were read.
            self.env.cr.execute(
                SQL(
                    """
                    SELECT r.id FROM mp15_broadcast_recipient r
                      JOIN mp15_broadcast b ON b.id = r.broadcast_id
                     WHERE r.id = ANY(%s) AND r.state = 'queued' AND r.message_id IS NULL AND %s
                     ORDER BY r.id
                       FOR UPDATE OF r SKIP LOCKED
                    """,
                    candidates,
                    _broadcast_due(account.id, fields.Datetime.now()),
                )
            )
            recipients = Recipient.browse([row[0] for row in self.env.cr.fetchall()])
            taken |= self._queue_broadcast_messages(recipients._skip_opted_out())
        return taken

    def _queue_broadcast_messages(self, recipients):
        """One outbound message per recipient: the broadcast's template in the citizen's language."""
        if not recipients:
            return self.browse()
        vals_list = []
        for recipient in recipients:
            broadcast = recipient.broadcast_id
            template, parameters = broadcast._template_for(recipient.lang)
            vals_list.append(
                {
                    "account_id": broadcast.account_id.id,
                    "direction": "out",
                    "state": "queued",
                    "phone": recipient.phone,
                    "partner_id": recipient.partner_id.id,
                    "message_type": "template",
                    "body": broadcast._rendered_body(template, parameters),
                    "payload": json.dumps(template._payload(recipient.phone, parameters), ensure_ascii=False),
                    "broadcast_recipient_id": recipient.id,
                }
            )
        messages = self.sudo().create(vals_list)
        self.env.cr.execute(
            SQL(
                """
                UPDATE mp15_broadcast_recipient r SET message_id = pair.message_id, next_attempt_at = NULL
                  FROM unnest(%s::int[], %s::int[]) AS pair(recipient_id, message_id)
                 WHERE r.id = pair.recipient_id
                """,
                [message.broadcast_recipient_id.id for message in messages],
                messages.ids,
            )
        )
        recipients.invalidate_recordset(["message_id", "next_attempt_at"])
        return messages

    @api.model
    def _count_broadcast_sendable(self):
        """How many broadcast messages could go out now, across accounts, within their daily limits."""
        self.env.flush_all()
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                SELECT b.account_id, count(*) FROM mp15_broadcast_recipient r
                  JOIN mp15_broadcast b ON b.id = r.broadcast_id
                  JOIN mp15_whatsapp_account a ON a.id = b.account_id
                 WHERE r.state = 'queued' AND r.message_id IS NULL AND b.state = 'sending'
                   AND a.active AND a.sending_blocked IS NULL
                   AND (r.next_attempt_at IS NULL OR r.next_attempt_at <= %s)
                 GROUP BY b.account_id
                """,
                now,
            )
        )
        rows = self.env.cr.fetchall()
        accounts = self.env["mp15.whatsapp.account"].sudo().browse([account_id for account_id, _count in rows])
        allowance = {account.id: account._broadcast_allowance() for account in accounts}
        return sum(min(count, allowance[account_id]) for account_id, count in rows)

    def _broadcast_outcome(self):
        """Carry each broadcast message's outcome to its recipient (131049 waits a day, 131050 opts out)."""
        for message in self.sudo():
            if message.broadcast_recipient_id.message_id == message:
                message.broadcast_recipient_id._apply_message(message)


def _broadcast_due(account_id, now):
    """Recipients of ``account_id``'s running broadcasts whose turn has come (``r`` and ``b`` in the query)."""
    return SQL(
        "b.account_id = %s AND b.state = 'sending' AND (r.next_attempt_at IS NULL OR r.next_attempt_at <= %s)",
        account_id,
        now,
    )
