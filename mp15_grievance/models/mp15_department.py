"""Departments: who handles a category of grievance, their head, their officers and their SLA."""

from odoo import api, fields, models


class Mp15Department(models.Model):
    _name = "mp15.department"
    _description = "Municipal Department"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Short unique code, e.g. PWD. Used in reports and integrations.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    head_id = fields.Many2one(
        "res.users",
        domain=[("share", "=", False)],
        help="Sees and assigns every grievance of the department; first escalation level.",
    )
    member_ids = fields.Many2many(
        "res.users",
        "mp15_department_member_rel",
        "department_id",
        "user_id",
        string="Officers",
        domain=[("share", "=", False)],
        help="Officers see and work the department's grievances.",
    )
    sla_hours = fields.Integer(
        string="SLA (hours)",
        default=24,
        help="Hours to resolve a grievance of this department when its category sets none.",
    )
    category_ids = fields.One2many("mp15.grievance.category", "department_id", string="Categories")
    open_count = fields.Integer(compute="_compute_grievance_counts", string="Open")
    at_risk_count = fields.Integer(compute="_compute_grievance_counts", string="At risk")
    breached_count = fields.Integer(compute="_compute_grievance_counts", string="Breached")

    _sql_constraints = [
        ("code_unique", "unique(code)", "Each department needs its own code."),
        ("sla_hours_positive", "check(sla_hours > 0)", "The SLA of a department must be at least one hour."),
    ]

    def _compute_grievance_counts(self):
        counts = {
            (department.id, sla_state): count
            for department, sla_state, count in self.env["mp15.grievance"]._read_group(
                [("department_id", "in", self.ids), ("is_open", "=", True)],
                ["department_id", "sla_state"],
                ["__count"],
            )
        }
        for department in self:
            at_risk = counts.get((department.id, "at_risk"), 0)
            breached = counts.get((department.id, "breached"), 0)
            department.at_risk_count = at_risk
            department.breached_count = breached
            department.open_count = counts.get((department.id, "on_track"), 0) + at_risk + breached

    @api.model_create_multi
    def create(self, vals_list):
        departments = super().create(vals_list)
        departments._grant_staff_groups()
        return departments

    def write(self, vals):
        former_heads = self.head_id if "head_id" in vals else self.env["res.users"]
        result = super().write(vals)
        if {"head_id", "member_ids"} & vals.keys():
            self._grant_staff_groups()
        (former_heads - self.head_id)._revoke_head_group()
        return result

    def _grant_staff_groups(self):
        """Heads and officers get the group their role needs, so set-up is one step."""
        head_group = self.env.ref("mp15_grievance.group_head")
        officer_group = self.env.ref("mp15_grievance.group_officer")
        heads = self.head_id.filtered(lambda user: head_group not in user.groups_id)
        officers = self.member_ids.filtered(lambda user: officer_group not in user.groups_id)
        if heads:
            head_group.sudo().users = [fields.Command.link(user.id) for user in heads]
        if officers:
            officer_group.sudo().users = [fields.Command.link(user.id) for user in officers]

    def action_open_grievances(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("mp15_grievance.mp15_grievance_action")
        action["domain"] = [("department_id", "=", self.id)]
        action["context"] = {"default_department_id": self.id, "search_default_open": 1}
        action["display_name"] = self.name
        return action
