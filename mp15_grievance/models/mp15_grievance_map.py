"""Grievances on the staff map (OCA web_view_leaflet_map): a marker coloured by SLA state, a popup, a start position."""

import base64

from odoo import api, fields, models

# Marker colours by SLA state, as on the kanban cards: green on track, orange at risk, red breached,
# blue met, grey missed (resolved late).
SLA_COLOURS = {
    "on_track": "#28a745",
    "at_risk": "#fd7e14",
    "breached": "#dc3545",
    "met": "#17a2b8",
    "missed": "#6c757d",
}
NO_SLA_COLOUR = "#6c757d"
# The centre of Sagar: where the map opens before it fits its markers.
SAGAR_CENTRE = {"lat": 23.8388, "lng": 78.7378}
MARKER_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="28" height="40" viewBox="0 0 28 40">'
    '<path d="M14 0C6.3 0 0 6.3 0 14c0 10.5 14 26 14 26s14-15.5 14-26C28 6.3 21.7 0 14 0z" '
    'fill="{colour}" stroke="#ffffff" stroke-width="2"/>'
    '<circle cx="14" cy="14" r="5.5" fill="#ffffff"/></svg>'
)


def marker_svg(sla_state):
    """The marker of a grievance in this SLA state, as SVG bytes."""
    return MARKER_SVG.format(colour=SLA_COLOURS.get(sla_state, NO_SLA_COLOUR)).encode()


class Mp15GrievanceMap(models.Model):
    _inherit = "mp15.grievance"

    # web_view_leaflet_map reads these three for every marker: the popup's second line, the icon
    # (served by /web/image, so it goes through the user's access rights) and its cache key.
    map_popup = fields.Char(string="Map popup", compute="_compute_map_popup")
    map_marker_icon = fields.Binary(string="Map marker", compute="_compute_map_marker_icon", attachment=False)
    date_localization = fields.Datetime(string="Located on", compute="_compute_date_localization")

    @api.depends("category_id", "ward_id")
    @api.depends_context("lang")
    def _compute_map_popup(self):
        for grievance in self:
            parts = [grievance.category_id.name, grievance.ward_id.display_name]
            grievance.map_popup = " · ".join(part for part in parts if part)

    @api.depends("sla_state")
    def _compute_map_marker_icon(self):
        for grievance in self:
            grievance.map_marker_icon = base64.b64encode(marker_svg(grievance.sla_state))

    @api.depends("sla_state")
    def _compute_date_localization(self):
        # The marker's URL changes with it: a new colour after a change of SLA state, not a stale one.
        for grievance in self:
            grievance.date_localization = grievance.write_date

    def _map_colour(self):
        """The colour of this grievance's marker (its SLA state), for the portal's small map."""
        self.ensure_one()
        return SLA_COLOURS.get(self.sla_state, NO_SLA_COLOUR)

    @api.model
    def _map_tile_settings(self):
        """The tile server (system parameter leaflet.tile_url) and its attribution, for the portal's map."""
        params = self.env["ir.config_parameter"].sudo()
        tile_url = params.get_param("leaflet.tile_url") or ""
        return {
            "tile_url": "" if tile_url == "False" else tile_url,
            "copyright": params.get_param("leaflet.copyright", "").strip(),
        }


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def get_default_leaflet_position(self, model_name):
        """The grievance map opens on Sagar, not on the company's (usually empty) coordinates."""
        if model_name == "mp15.grievance":
            return dict(SAGAR_CENTRE)
        return super().get_default_leaflet_position(model_name)
