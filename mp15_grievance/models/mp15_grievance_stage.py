"""Grievance stages: what each means (state), and which fold away on the boards."""

from odoo import api, fields, models

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
    _fold_name = "board_fold"  # the boards' folding: the stage's own, unless the board shows history

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
    board_fold = fields.Boolean(
        string="Folded on this board",
        compute="_compute_board_fold",
        help="Folded on this board: as the stage, except on boards that keep history open.",
    )

    @api.depends("fold")
    @api.depends_context("mp15_unfold_closed")
    def _compute_board_fold(self):
        # The councillors' board shows what was done in their wards: closed columns stay open there.
        unfold = self.env.context.get("mp15_unfold_closed")
        for stage in self:
            stage.board_fold = stage.fold and not unfold

    def _for_state(self, state):
        """The first stage meaning ``state`` (citizens filing on the portal cannot read stages)."""
        return self.sudo().search([("state", "=", state)], limit=1).sudo(False)
