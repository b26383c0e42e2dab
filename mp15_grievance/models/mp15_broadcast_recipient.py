"""Broadcast recipients: one citizen of a broadcast, enqueued in one INSERT, and what became of their message."""

from datetime import timedelta

from odoo import _, fields, models
from odoo.tools import SQL

RECIPIENT_STATES = [
    ("queued", "Queued"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("read", "Read"),
    ("failed", "Failed"),
    ("skipped", "Skipped"),
]
STATE_ORDER = {"queued": 0, "sent": 1, "delivered": 2, "read": 3}
HELD_BACK = 131049  # Meta's per-user marketing cap: wait a day, try once more
STOPPED_PROMOTIONS = 131050  # the citizen pressed "Stop promotions": an opt-out
HELD_BACK_WAIT = timedelta(hours=24)


class Mp15BroadcastRecipient(models.Model):
    """A citizen a broadcast goes to, with the state of their message (queued → sent → delivered → read)."""

    _name = "mp15.broadcast.recipient"
    _description = "Broadcast Recipient"
    _order = "id"
    _rec_name = "phone"

    broadcast_id = fields.Many2one("mp15.broadcast", required=True, readonly=True, ondelete="cascade", index=True)
    partner_id = fields.Many2one("res.partner", string="Citizen", required=True, readonly=True, ondelete="cascade")
    phone = fields.Char(required=True, readonly=True)
    lang = fields.Selection([("hi", "Hindi"), ("en", "English")], string="Language", readonly=True, default="hi")
    in_window = fields.Boolean(
        string="Window open",
        readonly=True,
        help="The citizen wrote in the 24 hours before the broadcast was approved: their message is free.",
    )
    state = fields.Selection(RECIPIENT_STATES, required=True, readonly=True, default="queued", index=True)
    message_id = fields.Many2one("mp15.whatsapp.message", readonly=True, ondelete="set null")
    error_code = fields.Integer(readonly=True)
    error_message = fields.Text(string="Reason", readonly=True)
    retried_held_back = fields.Boolean(
        string="Retried after 131049", readonly=True, help="Meta held it back once; it was tried again a day later."
    )
    next_attempt_at = fields.Datetime(string="Next attempt", readonly=True)
    date_sent = fields.Datetime(readonly=True)

    _sql_constraints = [
        ("citizen_once", "unique(broadcast_id, partner_id)", "A citizen gets a broadcast once."),
    ]

    def init(self):
        # What the sender takes next: the queued recipients not yet handed to the outbound queue.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS mp15_broadcast_recipient_waiting_idx
                ON mp15_broadcast_recipient (id) WHERE state = 'queued' AND message_id IS NULL
            """
        )

    def _enqueue(self, broadcast, audience_sql):
        """Insert a recipient row for every citizen of ``audience_sql`` (partner_id, phone, lang, in_window) in
        one statement; returns how many were inserted."""
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO mp15_broadcast_recipient
                       (broadcast_id, partner_id, phone, lang, in_window, state,
                        create_uid, write_uid, create_date, write_date)
                SELECT %s, audience.partner_id, audience.phone, audience.lang, audience.in_window, 'queued',
                       %s, %s, %s, %s
                  FROM (%s) AS audience
                ON CONFLICT (broadcast_id, partner_id) DO NOTHING
                """,
                broadcast.id,
                self.env.uid,
                self.env.uid,
                now,
                now,
                audience_sql,
            )
        )
        inserted = self.env.cr.rowcount
        # The sender's, the form's and the cancel's queries are planned on the table's statistics: a
        # broadcast's recipients can be most of the table at once, so refresh them now, not at autovacuum's pace.
        self.env.cr.execute(SQL("ANALYZE %s", SQL.identifier(self._table)))
        self.invalidate_model()
        broadcast.invalidate_recordset(["recipient_ids"])
        return inserted

    def _apply_message(self, message):
        """Carry the outcome of this recipient's message over, by Meta's rules for broadcasts."""
        self.ensure_one()
        if message.state == "queued":
            return  # a transient failure: the queue retries it (130429, 131056 back off)
        if message.state in STATE_ORDER:
            # Forward only; a failed one moves on when a manager sent its message again (Send again).
            if STATE_ORDER[message.state] > STATE_ORDER.get(self.state, -1):
                self.write(
                    {
                        "state": message.state,
                        "date_sent": self.date_sent or message.date_sent,
                        "error_code": 0,
                        "error_message": False,
                    }
                )
            return
        values = {"error_code": message.error_code, "error_message": message.error_message}
        if message.error_code == HELD_BACK and not self.retried_held_back:
            # 131049: Meta's per-user marketing cap. Retrying at once only fails again; tomorrow, once.
            values.update(
                state="queued",
                message_id=False,
                retried_held_back=True,
                next_attempt_at=fields.Datetime.now() + HELD_BACK_WAIT,
            )
            self.write(values)
            return
        values["state"] = "failed"  # 130472, 131026, 131050 and the rest are final
        self.write(values)
        if message.error_code == STOPPED_PROMOTIONS:
            self.partner_id._mp15_set_announcements(False, "meta")

    def _skip(self, reason):
        """These recipients will not be written to (opted out since, broadcast cancelled)."""
        self.write({"state": "skipped", "error_message": reason})

    def _skip_opted_out(self):
        """Opt-outs are honoured at once: drop those who withdrew consent after the broadcast was approved."""
        opted_out = self.filtered(lambda recipient: not recipient.partner_id.mp15_whatsapp_opt_in)
        opted_out._skip(_("The citizen stopped announcements before it was sent."))
        return self - opted_out
