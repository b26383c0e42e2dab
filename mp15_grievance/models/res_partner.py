"""Citizens: the number they file from, whether they want announcements, their grievances (contact smart button)."""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..tools.phone import format_for_display, normalize_phone


class ResPartner(models.Model):
    _inherit = "res.partner"

    mp15_phone = fields.Char(
        string="Grievance phone",
        index=True,
        copy=False,
        help="The number this citizen files grievances from, in international form (E.164).",
    )
    mp15_whatsapp_opt_in = fields.Boolean(
        string="WhatsApp announcements",
        help="The citizen asked for the corporation's announcements on WhatsApp (START); STOP ends them.",
    )
    mp15_grievance_count = fields.Integer(
        compute="_compute_mp15_grievance_count",
        string="Grievance count",
        groups="mp15_grievance.group_officer",
        help="How many of this citizen's grievances you may see; the Grievances button opens them.",
    )

    _sql_constraints = [
        ("mp15_phone_unique", "unique(mp15_phone)", "Another contact already files grievances from this number."),
    ]

    def _compute_mp15_grievance_count(self):
        """Counted with the user's record rules, so the button shows what it opens."""
        counts = dict(
            self.env["mp15.grievance"]._read_group([("partner_id", "in", self.ids)], ["partner_id"], ["__count"])
        )
        for partner in self:
            partner.mp15_grievance_count = counts.get(partner, 0)

    def write(self, vals):
        if "mp15_phone" in vals and not self._mp15_may_change_phone():
            raise AccessError(
                _("Only the commissioner's office may change the number a citizen files grievances from.")
            )
        return super().write(vals)

    def _mp15_may_change_phone(self):
        """The number we write to the citizen on: changing it would redirect their updates."""
        return self.env.su or self.env.user.has_group("mp15_grievance.group_manager")

    @api.model
    def _mp15_find_or_create_citizen(self, phone, name=None):
        """The contact filing from ``phone`` (any spelling), created on first contact."""
        e164 = normalize_phone(phone)
        partner = self.search([("mp15_phone", "=", e164)], limit=1)
        if partner:
            return partner
        quiet = self.with_context(mail_create_nolog=True, mail_create_nosubscribe=True, tracking_disable=True)
        return quiet.create({"name": name or format_for_display(e164), "mp15_phone": e164, "mobile": e164})

    def action_mp15_open_grievances(self):
        """The contact form's Grievances button: every grievance of this citizen the user may see."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("mp15_grievance.mp15_grievance_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
