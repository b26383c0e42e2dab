"""WhatsApp message: each message to and from the citizen about a grievance, as an internal note in its chatter."""

from markupsafe import Markup

from odoo import api, fields, models

ERROR_CHARS = 200  # a failure reason in the chatter: the start of it; the full text is on the message


class Mp15WhatsappMessage(models.Model):
    _inherit = "mp15.whatsapp.message"

    chatter_message_id = fields.Many2one(
        "mail.message",
        string="Chatter note",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="The grievance's chatter entry for this message: posted once, its delivery ticks kept up to date.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        # The note is posted first, so the message row is written once, already pointing at it.
        for vals in vals_list:
            if vals.get("grievance_id") and not vals.get("chatter_message_id"):
                vals["chatter_message_id"] = self._post_chatter_note(
                    vals["grievance_id"],
                    vals.get("direction"),
                    vals.get("partner_id"),
                    self._chatter_body(
                        self.env["mp15.grievance"].browse(vals["grievance_id"]),
                        vals.get("direction"),
                        vals.get("body"),
                        vals.get("state"),
                        vals.get("message_type"),
                        vals.get("error_message"),
                    ),
                ).id
        return super().create(vals_list)

    def write(self, vals):
        to_post = self.browse()
        if vals.get("grievance_id") and "chatter_message_id" not in vals:
            to_post = self.filtered(lambda message: not message.chatter_message_id)
        for message in to_post:
            note = self._post_chatter_note(
                int(vals["grievance_id"]),
                message.direction,
                message.partner_id.id,
                self._chatter_body(
                    self.env["mp15.grievance"].browse(int(vals["grievance_id"])),
                    message.direction,
                    message.body,
                    message.state,
                    message.message_type,
                    message.error_message,
                ),
            )
            super(Mp15WhatsappMessage, message).write({**vals, "chatter_message_id": note.id})
        result = super(Mp15WhatsappMessage, self - to_post).write(vals) if self - to_post else True
        if "state" in vals or "message_type" in vals:
            for message in self:
                if message.direction == "out" and message.chatter_message_id:
                    # The bot's own note: rewritten by the system, whoever moved the message on.
                    message.chatter_message_id.sudo().write({"body": message._chatter_body_of_record()})
        return result

    def _chatter_body_of_record(self):
        self.ensure_one()
        return self._chatter_body(
            self.grievance_id, self.direction, self.body, self.state, self.message_type, self.error_message
        )

    @api.model
    def _chatter_body(self, grievance, direction, text, state, message_type, error):
        """The note: who said it, what was said and, for ours, how far it got (✓ sent, ✓✓ delivered …).

        In the language of the grievance's responsible user, as every system note on a grievance.
        """
        _ = grievance.sudo()._in_lang_of().env._
        if direction == "in":
            return Markup("<p><b>%s</b> %s</p>") % (_("WhatsApp from the citizen:"), text or "")
        ticks = {
            "queued": _("🕓 queued"),
            "sent": _("✓ sent"),
            "delivered": _("✓✓ delivered"),
            "read": _("✓✓ read"),
        }
        if state == "failed":
            tick = _("✗ failed: %(reason)s", reason=(error or "").strip()[:ERROR_CHARS] or "—")
        else:
            tick = ticks.get(state, "")
        if message_type == "template":
            tick = _("%(state)s · as an approved template (the 24-hour window was closed)", state=tick)
        return Markup("<p><b>%s</b> %s</p><p><small>%s</small></p>") % (
            _("WhatsApp to the citizen:"),
            text or "",
            tick,
        )

    @api.model
    def _post_chatter_note(self, grievance_id, direction, partner_id, body):
        """An internal note (never on the portal, never e-mailed) on the grievance: the bot's, or the citizen's.

        ``mp15_whatsapp_author_id`` in the context: the staff member who wrote an outbound message.
        """
        grievance = self.env["mp15.grievance"].browse(grievance_id).sudo()
        bot_id = self.env["ir.model.data"]._xmlid_to_res_id("base.partner_root")  # cached; env.ref() would query
        if direction == "in":
            author_id = partner_id or bot_id
        else:
            author_id = self.env.context.get("mp15_whatsapp_author_id") or bot_id
        return grievance._message_log(body=body, author_id=author_id, message_type="comment")
