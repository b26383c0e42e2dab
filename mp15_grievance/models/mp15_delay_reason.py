"""Delay reasons: the codes an officer picks to explain a missed deadline."""

from odoo import fields, models


class Mp15DelayReason(models.Model):
    """Why a grievance missed its deadline: the commissioner reads these on every breach."""

    _name = "mp15.delay.reason"
    _description = "Reason for Delay"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [("code_unique", "unique(code)", "Each reason for delay needs its own code.")]
