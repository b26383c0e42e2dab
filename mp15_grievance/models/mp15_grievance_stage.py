from odoo import fields, models

STAGE_STATES = [
    ("new", "New"),
    ("assigned", "Assigned"),
    ("in_progress", "In Progress"),
    ("resolved", "Resolved"),
    ("closed", "Closed"),
    ("rejected", "Rejected"),
]
OPEN_STATES = ("new", "assigned", "in_progress")


class Mp15GrievanceStage(models.Model):
    _name = "mp15.grievance.stage"
    _description = "Grievance Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(string="Folded in Kanban", help="Folded stages are collapsed on the kanban board.")
    state = fields.Selection(
        STAGE_STATES,
        required=True,
        default="new",
        help="What the stage means. The product's logic (SLA, citizen updates, feedback) reads this, never the name.",
    )
    description = fields.Text(translate=True, help="What this stage means, shown to citizens.")
    active = fields.Boolean(default=True)

    def _for_state(self, state):
        """The first stage meaning ``state`` (citizens filing on the portal cannot read stages)."""
        return self.sudo().search([("state", "=", state)], limit=1).sudo(False)
