"""The Resolve (and Reject) dialog: the note, a photo of the fix and, when late, the reason, in one step."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import clean_context


class Mp15GrievanceResolve(models.TransientModel):
    _name = "mp15.grievance.resolve"
    _description = "Resolve or Reject a Grievance"

    grievance_id = fields.Many2one("mp15.grievance", required=True, readonly=True, ondelete="cascade")
    mode = fields.Selection([("resolve", "Resolve"), ("reject", "Reject")], default="resolve", required=True)
    is_late = fields.Boolean(
        string="Missed its deadline", compute="_compute_is_late", help="A late grievance needs a reason for delay."
    )
    resolution_note = fields.Text(
        compute="_compute_from_grievance", store=True, readonly=False, help="The citizen receives it as it is."
    )
    resolution_image = fields.Image(string="Photo of the fix", max_width=1920, max_height=1920)
    delay_reason_id = fields.Many2one(
        "mp15.delay.reason", string="Reason for delay", compute="_compute_from_grievance", store=True, readonly=False
    )
    delay_reason = fields.Text(
        string="Delay explanation", compute="_compute_from_grievance", store=True, readonly=False
    )

    @api.depends("grievance_id")
    def _compute_is_late(self):
        now = fields.Datetime.now()
        for wizard in self:
            grievance = wizard.grievance_id
            wizard.is_late = bool(
                grievance.sla_state in ("breached", "missed")
                or grievance.escalation_level
                or (grievance.sla_deadline and grievance.sla_deadline < now)
            )

    @api.depends("grievance_id")
    def _compute_from_grievance(self):
        """What staff already wrote on the grievance is kept, not typed twice."""
        for wizard in self:
            grievance = wizard.grievance_id
            wizard.resolution_note = grievance.resolution_note
            wizard.delay_reason_id = grievance.delay_reason_id
            wizard.delay_reason = grievance.delay_reason

    def action_confirm(self):
        """Write the resolution and move the grievance on, in one write, with the user's own rights."""
        self.ensure_one()
        grievance = self.grievance_id
        if not grievance.is_open:
            raise UserError(_("%(ref)s is no longer open.", ref=grievance.name))
        note = (self.resolution_note or "").strip()
        if not note:
            raise ValidationError(
                _("Write what was done: the citizen receives it.")
                if self.mode == "resolve"
                else _("Write why the grievance is rejected: the citizen receives it.")
            )
        vals = {"resolution_note": note}
        if self.mode == "reject":
            vals["stage_id"] = self.env["mp15.grievance.stage"]._for_state("rejected").id
        else:
            vals["stage_id"] = self.env["mp15.grievance.stage"]._for_state("resolved").id
            if self.resolution_image:
                vals["resolution_image"] = self.resolution_image
            if self.is_late:
                if not (self.delay_reason_id and (self.delay_reason or "").strip()):
                    raise ValidationError(
                        _(
                            "%(ref)s missed its deadline: choose a reason for delay and explain it.",
                            ref=grievance.name,
                        )
                    )
                vals.update({"delay_reason_id": self.delay_reason_id.id, "delay_reason": self.delay_reason.strip()})
        # The dialog's default_* keys are the dialog's: none of them may default a record written from here.
        # A dict replaces the context (keyword arguments would only add to it and keep those keys).
        grievance.with_context(clean_context(self.env.context)).write(vals)  # pylint: disable=context-overridden
        return {"type": "ir.actions.act_window_close"}
