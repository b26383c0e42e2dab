"""Grievances through Open311: the filing app, its photo link, what staff made public, and the public view of one."""

from odoo import fields, models

from ..tools.open311 import iso8601, round_coordinate


class Mp15Grievance(models.Model):
    _inherit = "mp15.grievance"

    open311_client_id = fields.Many2one(
        "mp15.open311.client", string="Filed by app", readonly=True, index="btree_not_null", ondelete="restrict"
    )
    open311_media_url = fields.Char(string="Photo link (Open311)", readonly=True)
    description_is_public = fields.Boolean(
        string="Description is public",
        tracking=True,
        help="Show the description in the public Open311 API. Tick it only when it names nobody and gives no "
        "phone number or house. Descriptions filed through Open311 are public already.",
    )

    def _open311_dict(self):
        """The request as GeoReport v2 shows it: no name, phone, photo or exact point (≈ 100 m); a description
        only when the app filed it in public or staff made it public."""
        self.ensure_one()
        filed_by_app = bool(self.open311_client_id)
        ward = self.ward_id
        return {
            "service_request_id": self.name,
            "status": "open" if self.is_open else "closed",
            "status_notes": self.stage_id.name,
            "service_name": self.category_id.name,
            "service_code": self.category_id.code,
            "description": self.description if filed_by_app or self.description_is_public else None,
            "agency_responsible": self.department_id.name or None,
            "service_notice": None,
            "requested_datetime": iso8601(self.date_filed),
            "updated_datetime": iso8601(self.write_date),
            "expected_datetime": iso8601(self.sla_deadline) if self.is_open else None,
            "address": f"Ward {ward.number}, {ward.name}" if ward else None,
            "address_id": None,
            "zipcode": None,
            "lat": round_coordinate(self.latitude),
            "long": round_coordinate(self.longitude),
            "media_url": self.open311_media_url if filed_by_app else None,
        }
