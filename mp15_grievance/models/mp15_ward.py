"""Municipal wards: number, name, councillors and the boundary that locates a grievance's pin."""

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError

from ..tools import geo


class Mp15Ward(models.Model):
    _name = "mp15.ward"
    _description = "Municipal Ward"
    _order = "number"
    _rec_names_search = ["name", "zone"]

    number = fields.Integer(required=True)
    name = fields.Char(required=True)
    zone = fields.Char()
    active = fields.Boolean(default=True)
    councillor_id = fields.Many2one("res.partner", help="The elected ward councillor.")
    councillor_user_ids = fields.Many2many(
        "res.users",
        "mp15_ward_councillor_rel",
        "ward_id",
        "user_id",
        string="Councillor users",
        domain=[("share", "=", False)],
        help="Users who follow this ward's grievances read-only and get its breach alerts.",
    )
    boundary_geojson = fields.Text(
        string="Boundary (GeoJSON)",
        help="A GeoJSON Polygon or MultiPolygon, coordinates as [longitude, latitude]. "
        "Grievances with a location pin inside it are routed to this ward.",
    )
    has_boundary = fields.Boolean(compute="_compute_has_boundary", store=True)
    water_supply_timing = fields.Char(
        translate=True,
        help="When the ward gets piped water, e.g. 6 to 8 am: the bot tells citizens of this ward who ask.",
    )
    place_ids = fields.One2many("mp15.place", "ward_id", string="Places")

    _sql_constraints = [
        ("number_unique", "unique(number)", "Each ward number can be used once."),
        ("number_positive", "check(number > 0)", "Ward numbers start at 1."),
    ]

    @api.depends("number", "name")
    @api.depends_context("lang")  # "Ward 12 · Katra" / "वार्ड 12 · Katra": one cached value per language
    def _compute_display_name(self):
        for ward in self:
            ward.display_name = _("Ward %(number)s · %(name)s", number=ward.number, name=ward.name)

    @api.depends("boundary_geojson")
    def _compute_has_boundary(self):
        for ward in self:
            ward.has_boundary = bool(ward.boundary_geojson and ward.boundary_geojson.strip())

    @api.constrains("boundary_geojson")
    def _check_boundary_geojson(self):
        for ward in self.filtered("has_boundary"):
            try:
                geo.parse_boundary(ward.boundary_geojson)
            except geo.BoundaryError as error:
                raise ValidationError(
                    _("The boundary of %(ward)s is not usable: %(error)s", ward=ward.display_name, error=error)
                ) from error

    @api.model_create_multi
    def create(self, vals_list):
        wards = super().create(vals_list)
        self.env.registry.clear_cache()
        wards._grant_councillor_group()
        return wards

    def write(self, vals):
        former = self.councillor_user_ids if "councillor_user_ids" in vals else self.env["res.users"]
        result = super().write(vals)
        # _boundaries here and mp15.place._candidates (places of active wards) are cached in every worker.
        if {"boundary_geojson", "active", "name", "number"} & vals.keys():
            self.env.registry.clear_cache()
        if "councillor_user_ids" in vals:
            self._grant_councillor_group()
            (former - self.councillor_user_ids)._revoke_councillor_group()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    def _grant_councillor_group(self):
        group = self.env.ref("mp15_grievance.group_councillor")
        users = self.councillor_user_ids.filtered(lambda user: group not in user.groups_id)
        if users:
            group.sudo().users = [fields.Command.link(user.id) for user in users]

    @api.model
    @tools.ormcache()
    def _boundaries(self):
        """(ward id, parsed boundary) of every active ward with a boundary, parsed once per worker."""
        wards = self.sudo().search_fetch([("has_boundary", "=", True)], ["boundary_geojson"])
        return tuple((ward.id, geo.parse_boundary(ward.boundary_geojson)) for ward in wards)

    @api.model
    def _locate(self, latitude, longitude):
        """The ward whose boundary contains the point, or an empty recordset."""
        ward_id = geo.locate(latitude, longitude, self._boundaries())
        return self.browse(ward_id or [])
