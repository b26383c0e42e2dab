"""WhatsApp message: the fields and indexes of a message in (from a citizen) or out (to a citizen)."""

from odoo import _, fields, models
from odoo.exceptions import UserError

INBOUND_STATES = [("received", "Received"), ("processed", "Processed"), ("error", "Error")]
OUTBOUND_STATES = [
    ("queued", "Queued"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("read", "Read"),
    ("failed", "Failed"),
]


class Mp15WhatsappMessage(models.Model):
    """A WhatsApp message in (from a citizen, stored by the webhook) or out (queued for sending)."""

    _name = "mp15.whatsapp.message"
    _description = "WhatsApp Message"
    _order = "id desc"
    _rec_name = "body"

    # No index=True: the unique constraint's index serves the lookups; a second one costs every insert.
    wa_message_id = fields.Char(string="WhatsApp message ID", readonly=True, copy=False)
    account_id = fields.Many2one("mp15.whatsapp.account", required=True, readonly=True, index=True, ondelete="restrict")
    direction = fields.Selection([("in", "Received"), ("out", "Sent")], required=True, readonly=True)
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
    caption = fields.Text(readonly=True, help="The text the citizen wrote with a photo, video or document.")
    attachment_id = fields.Many2one("ir.attachment", readonly=True, ondelete="set null")
    context_wa_message_id = fields.Char(string="Reply to", readonly=True, index="btree_not_null")
    fallback_template = fields.Selection(
        [("status_update", "Status update"), ("feedback", "Feedback request")],
        readonly=True,
        help="Approved template sent instead when the citizen's 24-hour window is closed.",
    )
    broadcast_recipient_id = fields.Many2one(
        "mp15.broadcast.recipient",
        string="Broadcast recipient",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="Sent as part of a broadcast: goes out after replies and grievance updates, within the daily limit.",
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
            CREATE INDEX IF NOT EXISTS mp15_whatsapp_message_broadcast_sent_idx
                ON mp15_whatsapp_message (account_id, date_sent) WHERE broadcast_recipient_id IS NOT NULL;
            """
        )

    def _check_action_access(self):
        """``self`` once the caller may change these messages; nothing is woken for anyone else.

        An empty recordset is refused too: over RPC it would wake the scheduled actions for nothing.
        """
        self.check_access("write")
        if not self:
            raise UserError(_("Select the records to act on."))
        return self
