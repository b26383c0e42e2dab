"""Delivery statuses from Meta's webhooks (sent, delivered, read, failed), stored and applied to our messages."""

import logging
from datetime import timedelta

from odoo import api, fields, models

from ..tools import webhook
from .sql_helpers import insert_once

_logger = logging.getLogger(__name__)

KNOWN_STATUSES = ("sent", "delivered", "read", "played", "failed")
ORPHAN_PATIENCE = timedelta(hours=1)  # a status may arrive before its send is committed


class Mp15WhatsappStatus(models.Model):
    """A delivery status webhook (sent, delivered, read, played, failed) of an outbound message."""

    _name = "mp15.whatsapp.status"
    _description = "WhatsApp Delivery Status"
    _order = "id desc"
    _rec_name = "status"

    wa_message_id = fields.Char(string="WhatsApp message ID", required=True, readonly=True, index=True)
    account_id = fields.Many2one("mp15.whatsapp.account", required=True, readonly=True, ondelete="cascade")
    status = fields.Char(required=True, readonly=True)
    wa_timestamp = fields.Datetime(string="WhatsApp time", readonly=True)
    error_code = fields.Integer(readonly=True)
    error_message = fields.Text(readonly=True)
    payload = fields.Text(string="Payload (JSON)", readonly=True)
    state = fields.Selection(
        [("received", "Received"), ("processed", "Processed"), ("error", "Error")],
        required=True,
        readonly=True,
        default="received",
        index=True,
    )
    message_id = fields.Many2one("mp15.whatsapp.message", readonly=True, ondelete="cascade")

    # Per account: a status signed by one account neither moves nor pre-empts another account's message.
    _sql_constraints = [
        (
            "status_once",
            "unique(account_id, wa_message_id, status)",
            "Each status of a message is stored once.",
        ),
    ]

    @api.model
    def _insert_statuses(self, rows, wake=None):
        """Store status webhooks once each, like inbound messages (``wake``: see ``_insert_inbound``)."""
        rows = [{**row, "state": "received"} for row in rows]
        return insert_once(self.env, self._table, ("account_id", "wa_message_id", "status"), rows, wake=wake)

    def _apply(self):
        """Move outbound messages forward (sent → delivered → read; played counts as read), never back.

        A status moves only a message of the account whose app secret signed it.
        """
        messages = self.env["mp15.whatsapp.message"].search(
            [
                ("wa_message_id", "in", self.mapped("wa_message_id")),
                ("account_id", "in", self.account_id.ids),
                ("direction", "=", "out"),
            ]
        )
        by_wamid = {(message.account_id.id, message.wa_message_id): message for message in messages}
        now = fields.Datetime.now()
        for status in self.sorted(lambda s: (s.wa_timestamp or s.create_date, s.id)):
            message = by_wamid.get((status.account_id.id, status.wa_message_id))
            if not message:
                if status.create_date < now - ORPHAN_PATIENCE:
                    status.write({"state": "error", "error_message": "No outbound message with this ID."})
                continue  # the send may not be committed yet: try again next run
            if status.status not in KNOWN_STATUSES:
                # Kept in the table for staff; below INFO, so a flood of them does not flood the log.
                _logger.debug(
                    "WhatsApp status %r of %s ignored", status.status, webhook.mask_wamid(status.wa_message_id)
                )
            elif webhook.status_moves_forward(message.state, status.status):
                message._apply_status(status)
            status.write({"state": "processed", "message_id": message.id})
