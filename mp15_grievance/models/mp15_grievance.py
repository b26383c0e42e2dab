from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..tools import geo, sla
from ..tools.phone import PhoneError, normalize_phone
from .mp15_grievance_stage import OPEN_STATES

PRIORITIES = [("0", "Normal"), ("1", "High"), ("2", "Emergency")]
SLA_STATES = [
    ("on_track", "On track"),
    ("at_risk", "At risk"),
    ("breached", "Breached"),
    ("met", "Met"),
    ("missed", "Missed"),
]
CHANNELS = [("whatsapp", "WhatsApp"), ("portal", "Portal"), ("backoffice", "Back office"), ("api", "API")]


class Mp15Grievance(models.Model):
    _name = "mp15.grievance"
    _description = "Grievance"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin", "mail.tracking.duration.mixin"]
    _order = "priority desc, sla_deadline, id desc"
    _rec_names_search = ["name", "phone"]
    _track_duration_field = "stage_id"
    _mail_post_access = "read"  # councillors and citizens may write to staff without editing

    def _default_stage_id(self):
        return self.env["mp15.grievance.stage"]._for_state("new")

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/", index=True)
    kind = fields.Selection(
        [("complaint", "Complaint"), ("suggestion", "Suggestion")], default="complaint", required=True, tracking=True
    )
    category_id = fields.Many2one(
        "mp15.grievance.category", string="Category", required=True, tracking=True, index=True, ondelete="restrict"
    )
    department_id = fields.Many2one(
        "mp15.department",
        string="Department",
        compute="_compute_department_id",
        store=True,
        readonly=False,
        tracking=True,
        index=True,
        ondelete="restrict",
    )
    ward_id = fields.Many2one(
        "mp15.ward",
        string="Ward",
        compute="_compute_ward_id",
        store=True,
        readonly=False,
        tracking=True,
        index=True,
        ondelete="restrict",
    )
    partner_id = fields.Many2one("res.partner", string="Citizen", tracking=True, index=True)
    phone = fields.Char(
        tracking=True, index=True, help="The citizen's number in international form (E.164), e.g. +919876543210."
    )
    description = fields.Text(required=True)
    latitude = fields.Float(digits=(10, 7))
    longitude = fields.Float(digits=(10, 7))
    address = fields.Char()
    map_url = fields.Char(string="Map", compute="_compute_map_url")
    channel = fields.Selection(CHANNELS, default="backoffice", required=True, readonly=True)
    stage_id = fields.Many2one(
        "mp15.grievance.stage",
        string="Stage",
        required=True,
        tracking=True,
        index=True,
        copy=False,
        ondelete="restrict",
        default=_default_stage_id,
        group_expand="_read_group_stage_ids",
    )
    state = fields.Selection(related="stage_id.state", store=True, index=True, string="Status")
    user_id = fields.Many2one(
        "res.users", string="Assigned to", tracking=True, index=True, domain=[("share", "=", False)]
    )
    priority = fields.Selection(
        PRIORITIES,
        compute="_compute_priority",
        store=True,
        readonly=False,
        tracking=True,
        index=True,
    )
    date_filed = fields.Datetime(
        string="Filed on", required=True, readonly=True, copy=False, index=True, default=fields.Datetime.now
    )
    date_reopened = fields.Datetime(string="Reopened on", readonly=True, copy=False)
    sla_hours = fields.Integer(string="SLA (hours)", compute="_compute_sla_hours", store=True)
    sla_deadline = fields.Datetime(
        string="Deadline", compute="_compute_sla_deadline", store=True, index=True, tracking=True
    )
    sla_state = fields.Selection(
        SLA_STATES,
        string="SLA",
        default="on_track",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    escalation_level = fields.Integer(readonly=True, copy=False, tracking=True)
    date_resolved = fields.Datetime(string="Resolved on", readonly=True, copy=False)
    date_closed = fields.Datetime(string="Closed on", readonly=True, copy=False)
    date_first_update = fields.Datetime(string="First citizen update", readonly=True, copy=False)
    resolution_note = fields.Text(help="What was done; sent to the citizen on resolution.")
    delay_reason = fields.Text(string="Reason for delay", help="Why the deadline was missed.")
    rating = fields.Selection(
        [("satisfied", "Satisfied"), ("not_satisfied", "Not satisfied")],
        string="Citizen feedback",
        readonly=True,
        copy=False,
        tracking=True,
    )
    reopen_count = fields.Integer(string="Reopened", readonly=True, copy=False)
    duplicate_of_id = fields.Many2one(
        "mp15.grievance", string="Duplicate of", index="btree_not_null", ondelete="set null", tracking=True, copy=False
    )
    duplicate_ids = fields.One2many("mp15.grievance", "duplicate_of_id", string="Duplicates")
    duplicate_count = fields.Integer(compute="_compute_duplicate_count")
    active = fields.Boolean(default=True, tracking=True)

    _sql_constraints = [
        ("name_unique", "unique(name)", "Grievance references are unique."),
        ("escalation_level_range", "check(escalation_level between 0 and 2)", "Escalation levels are 0, 1 and 2."),
    ]

    # ------------------------------------------------------------------ computes

    @api.depends("category_id")
    def _compute_department_id(self):
        for grievance in self:
            grievance.department_id = grievance.category_id.department_id or grievance.department_id

    @api.depends("latitude", "longitude")
    def _compute_ward_id(self):
        for grievance in self:
            if grievance._has_coordinates():
                grievance.ward_id = self.env["mp15.ward"]._locate(grievance.latitude, grievance.longitude)
            else:
                grievance.ward_id = grievance.ward_id

    @api.depends("category_id")
    def _compute_priority(self):
        for grievance in self:
            grievance.priority = "2" if grievance.category_id.is_emergency else grievance.priority or "0"

    @api.depends("category_id", "department_id")
    def _compute_sla_hours(self):
        for grievance in self:
            category = grievance.category_id
            grievance.sla_hours = sla.sla_hours(
                category.sla_hours, grievance.department_id.sla_hours, category.is_emergency
            )

    @api.depends("date_filed", "date_reopened", "sla_hours")
    def _compute_sla_deadline(self):
        for grievance in self:
            start = grievance.date_reopened or grievance.date_filed
            grievance.sla_deadline = start and sla.deadline(start, grievance.sla_hours)

    @api.depends("latitude", "longitude")
    def _compute_map_url(self):
        for grievance in self:
            grievance.map_url = (
                geo.map_url(grievance.latitude, grievance.longitude) if grievance._has_coordinates() else False
            )

    @api.depends("duplicate_ids")
    def _compute_duplicate_count(self):
        counts = dict(self._read_group([("duplicate_of_id", "in", self.ids)], ["duplicate_of_id"], ["__count"]))
        for grievance in self:
            grievance.duplicate_count = counts.get(grievance, 0)

    def _compute_access_url(self):
        super()._compute_access_url()
        for grievance in self:
            grievance.access_url = f"/my/grievances/{grievance.id}"

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        return stages.search([], order=stages._order)

    # --------------------------------------------------------------- constraints

    @api.constrains("latitude", "longitude")
    def _check_coordinates(self):
        for grievance in self:
            if (grievance.latitude or grievance.longitude) and not grievance._has_coordinates():
                raise ValidationError(
                    _(
                        "%(lat)s, %(lon)s is not a place on Earth: latitude goes from -90 to 90 "
                        "and longitude from -180 to 180.",
                        lat=grievance.latitude,
                        lon=grievance.longitude,
                    )
                )

    @api.constrains("duplicate_of_id")
    def _check_duplicate_of_id(self):
        for grievance in self:
            if grievance.duplicate_of_id == grievance:
                raise ValidationError(_("A grievance cannot be a duplicate of itself."))

    # ---------------------------------------------------------------------- CRUD

    @api.model_create_multi
    def create(self, vals_list):
        sequence = self.env["ir.sequence"].sudo()
        for vals in vals_list:
            self._normalize_phone_vals(vals)
            if (vals.get("latitude") or vals.get("longitude")) and not vals.get("ward_id"):
                vals.pop("ward_id", None)  # let the pin decide
            if vals.get("phone") and not vals.get("partner_id"):
                vals["partner_id"] = self.env["res.partner"].sudo()._mp15_find_or_create_citizen(vals["phone"]).id
            if vals.get("name", "/") == "/":
                date_filed = fields.Datetime.to_datetime(vals.get("date_filed")) or fields.Datetime.now()
                vals["name"] = sequence.with_context(ir_sequence_date=date_filed.date()).next_by_code("mp15.grievance")
        grievances = super().create(vals_list)
        for grievance in grievances.filtered(lambda g: not g.phone and g.partner_id.mp15_phone):
            grievance.phone = grievance.partner_id.mp15_phone
        grievances._refresh_sla_state()
        return grievances

    def write(self, vals):
        self._normalize_phone_vals(vals)
        if "user_id" in vals:
            self._check_can_assign(vals["user_id"])
            if vals["user_id"] and "stage_id" not in vals:
                self.filtered(lambda g: g.state == "new").stage_id = self.env["mp15.grievance.stage"]._for_state(
                    "assigned"
                )
        result = super().write(vals)
        if "stage_id" in vals:
            self._apply_stage_state()
        return result

    @api.model
    def _normalize_phone_vals(self, vals):
        if not vals.get("phone"):
            return
        try:
            vals["phone"] = normalize_phone(vals["phone"])
        except PhoneError as error:
            raise ValidationError(
                _("%(phone)s is not a phone number we can reach: %(reason)s", phone=vals["phone"], reason=error)
            ) from error

    def _check_can_assign(self, user_id):
        if self.env.su or self.env.user.has_group("mp15_grievance.group_head"):
            return
        if user_id and user_id != self.env.uid:
            raise AccessError(_("Only a department head can assign a grievance to another officer."))

    # ---------------------------------------------------------------- actions

    def action_assign_to_me(self):
        self.user_id = self.env.user

    def action_open_map(self):
        self.ensure_one()
        if not self.map_url:
            raise ValidationError(_("Grievance %(ref)s has no location.", ref=self.name))
        return {"type": "ir.actions.act_url", "url": self.map_url, "target": "new"}

    def action_open_duplicates(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("mp15_grievance.mp15_grievance_action")
        action["domain"] = [("duplicate_of_id", "=", self.id)]
        action["context"] = {"create": False}
        action["display_name"] = _("Duplicates of %(ref)s", ref=self.name)
        return action

    # ---------------------------------------------------------------- business

    def _has_coordinates(self):
        self.ensure_one()
        return (self.latitude or self.longitude) and geo.valid_coordinates(self.latitude, self.longitude)

    def _apply_stage_state(self):
        """Record when a grievance is resolved or closed, and fix its SLA outcome."""
        now = fields.Datetime.now()
        for grievance in self:
            if grievance.state in ("resolved", "closed"):
                if not grievance.date_resolved:
                    grievance.date_resolved = now
                if grievance.state == "closed" and not grievance.date_closed:
                    grievance.date_closed = now
                grievance.sla_state = sla.closed_sla_state(grievance.sla_deadline, grievance.date_resolved)
            elif grievance.state in OPEN_STATES and grievance.date_resolved:
                grievance.write({"date_resolved": False, "date_closed": False})
        self.filtered(lambda g: g.state in OPEN_STATES)._refresh_sla_state()

    def _refresh_sla_state(self, now=None):
        """Bring the SLA clock of open grievances up to date."""
        now = now or fields.Datetime.now()
        ratio = self._at_risk_ratio()
        for grievance in self.filtered(lambda g: g.state in OPEN_STATES and g.sla_deadline):
            start = grievance.date_reopened or grievance.date_filed
            new_state = sla.open_sla_state(start, grievance.sla_deadline, now, ratio)
            if grievance.sla_state != new_state:
                grievance.sla_state = new_state

    @api.model
    def _at_risk_ratio(self):
        value = self.env["ir.config_parameter"].sudo().get_param("mp15_grievance.sla_at_risk_ratio")
        try:
            ratio = float(value) if value else sla.DEFAULT_AT_RISK_RATIO
        except ValueError:
            ratio = sla.DEFAULT_AT_RISK_RATIO
        return ratio if 0 < ratio < 1 else sla.DEFAULT_AT_RISK_RATIO
