from odoo import fields, models


class Mp15BenchFloorBody(models.Model):
    _name = "mp15.bench.floor.body"
    _description = "Request body stored by the benchmark's bare route"

    body = fields.Text()
