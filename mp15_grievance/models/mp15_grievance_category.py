"""Grievance categories: what a complaint is about, the department it goes to, its SLA and the words that find it."""

import re

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError

from ..tools import sla


class Mp15GrievanceCategory(models.Model):
    _name = "mp15.grievance.category"
    _inherit = ["mp15.bot.cache.mixin", "mp15.keywords.mixin"]
    _description = "Grievance Category"
    _order = "sequence, id"
    # read by _keywords_by_code and _menu_rows on every WhatsApp message
    _bot_cached_fields = frozenset({"name", "code", "sequence", "active", "description", "is_emergency", "keywords"})

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Unique code in capitals, e.g. WATER. Integrations rely on it.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    description = fields.Char(
        translate=True,
        help="One line shown under the category in the WhatsApp menu (72 characters at most).",
    )
    department_id = fields.Many2one(
        "mp15.department",
        required=True,
        ondelete="restrict",
        help="New grievances of this category are routed to this department.",
    )
    sla_hours = fields.Integer(
        string="SLA (hours)",
        help="Hours to resolve. Leave 0 to use the department's (emergencies: 4 hours).",
    )
    effective_sla_hours = fields.Integer(string="Effective SLA (hours)", compute="_compute_effective_sla_hours")
    is_emergency = fields.Boolean(
        string="Emergency",
        help="Filed with emergency priority, a short SLA, and the department head told at once.",
    )

    _sql_constraints = [
        ("code_unique", "unique(code)", "Each category needs its own code."),
        ("sla_hours_not_negative", "check(sla_hours >= 0)", "The SLA of a category cannot be negative."),
    ]

    @api.depends("sla_hours", "is_emergency", "department_id.sla_hours")
    def _compute_effective_sla_hours(self):
        for category in self:
            category.effective_sla_hours = sla.sla_hours(
                category.sla_hours, category.department_id.sla_hours, category.is_emergency
            )

    @api.constrains("code")
    def _check_code(self):
        for category in self:
            if not re.fullmatch(r"[A-Z][A-Z0-9_]*", category.code or ""):
                raise ValidationError(
                    _(
                        "Category codes use capital letters, digits and _ only, like WATER (not %(code)r).",
                        code=category.code,
                    )
                )

    @api.model
    @tools.ormcache()
    def _keywords_by_code(self):
        """((code, keywords), …) of the active categories, as the classifier compiles them; once per worker."""
        return tuple((category.code, category.keywords or "") for category in self.sudo().search([]))

    @api.model
    @tools.ormcache("lang")
    def _menu_rows(self, lang):
        """((code, name, description), …) of the bot's category list in ``lang``: the first 10 non-emergency ones."""
        categories = self.sudo().with_context(lang=lang).search([("is_emergency", "=", False)], limit=10)
        return tuple((category.code, category.name, category.description or "") for category in categories)
