"""Grievance: the record, its routing and who may change what (fields and their guards: one concern, hence
the length); the other concerns are in mp15_grievance_*.py."""

import logging
from datetime import date

import psycopg2

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..tools import geo, sla
from ..tools.phone import PhoneError, normalize_phone
from .mp15_grievance_stage import OPEN_STATES

_logger = logging.getLogger(__name__)

PRIORITIES = [("0", "Normal"), ("1", "High"), ("2", "Emergency")]
SLA_STATES = [
    ("on_track", "On track"),
    ("at_risk", "At risk"),
    ("breached", "Breached"),
    ("met", "Met"),
    ("missed", "Missed"),
]
CORPORATION_TZ = "Asia/Kolkata"
REFERENCE_SEQUENCE = "mp15_grievance.seq_mp15_grievance"
# What the reports count, kept by the system and the citizen: no staff role sets it, the commissioner
# included; the flows that own a field write it as the system (sudo, or the scheduler's own user).
SYSTEM_FIELDS = frozenset(
    {
        "name",
        "channel",
        "date_filed",
        "date_reopened",
        "sla_hours",
        "sla_deadline",
        "sla_at_risk_at",
        "sla_escalate_at",
        "sla_state",
        "escalation_level",
        "date_first_update",
        "date_resolved",
        "date_closed",
        "closure",
        "rating",
        "reopen_count",
        "verification_state",
        "verifier_id",
        "verified_user_id",
        "sla_breach_user_id",
        "sla_breach_department_id",
        "phone_verified",
        "access_token",
    }
)
CLOSURES = [
    ("citizen", "Confirmed by the citizen"),
    ("no_feedback", "No feedback from the citizen"),
    ("staff", "Closed by staff without the citizen's word"),
]
# What a citizen may say when filing through the portal (or its JSON-RPC): the rest is the system's.
CITIZEN_FIELDS = frozenset(
    {"kind", "category_id", "description", "ward_id", "latitude", "longitude", "address", "partner_id", "phone"}
)
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
        "mp15.grievance.category", required=True, tracking=True, index=True, ondelete="restrict"
    )
    department_id = fields.Many2one(
        "mp15.department",
        compute="_compute_department_id",
        store=True,
        readonly=False,
        tracking=True,
        index=True,
        ondelete="restrict",
    )
    ward_id = fields.Many2one(
        "mp15.ward",
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
        required=True,
        tracking=True,
        index=True,
        copy=False,
        ondelete="restrict",
        default=_default_stage_id,
        group_expand="_read_group_stage_ids",
    )
    state = fields.Selection(related="stage_id.state", store=True, index=True, string="Status")
    is_open = fields.Boolean(
        string="Open", compute="_compute_is_open", store=True, index=True, help="New, assigned or in progress."
    )
    user_id = fields.Many2one(
        "res.users", string="Assigned to", tracking=True, index=True, domain=[("share", "=", False)]
    )
    assignable_user_ids = fields.Many2many(
        "res.users", compute="_compute_assignable_user_ids", help="The department's officers and head."
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
    resolution_note = fields.Text(help="What was done, in words the citizen understands; sent on resolution.")
    resolution_image = fields.Image(
        string="Photo of the fix", max_width=1920, max_height=1920, help="Optional; sent to the citizen."
    )
    delay_reason_id = fields.Many2one(
        "mp15.delay.reason", string="Reason for delay", tracking=True, ondelete="restrict", copy=False
    )
    delay_reason = fields.Text(
        string="Delay explanation", copy=False, help="Why the deadline was missed: the commissioner reads it."
    )
    sla_at_risk_at = fields.Datetime(string="At risk from", compute="_compute_sla_thresholds", store=True, copy=False)
    sla_escalate_at = fields.Datetime(
        string="Commissioner alerted at",
        compute="_compute_sla_thresholds",
        store=True,
        copy=False,
        help="Twice the SLA: the second escalation level.",
    )
    rating = fields.Selection(
        [("satisfied", "Satisfied"), ("not_satisfied", "Not satisfied")],
        string="Citizen feedback",
        readonly=True,
        copy=False,
        tracking=True,
    )
    reopen_count = fields.Integer(string="Reopened", readonly=True, copy=False)
    closure = fields.Selection(
        CLOSURES,
        string="How it was closed",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
        help="Whether the citizen confirmed the fix: only their own answer counts as confirmed.",
    )
    # The citizen's link: whoever holds it may answer for the citizen, so staff never see it.
    access_token = fields.Char(groups="base.group_system")
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

    @api.depends("state")
    def _compute_is_open(self):
        for grievance in self:
            grievance.is_open = grievance.state in OPEN_STATES

    @api.depends("department_id.member_ids", "department_id.head_id")
    def _compute_assignable_user_ids(self):
        officers = self.env.ref("mp15_grievance.group_officer").sudo().users.filtered(lambda u: not u.share)
        for grievance in self:
            department = grievance.department_id.sudo()
            grievance.assignable_user_ids = (department.member_ids | department.head_id) or officers

    @api.depends("category_id")
    def _compute_department_id(self):
        for grievance in self:
            grievance.department_id = grievance.category_id.department_id or grievance.department_id

    @api.depends("latitude", "longitude")
    def _compute_ward_id(self):
        for grievance in self:
            located = grievance._has_coordinates() and self.env["mp15.ward"]._locate(
                grievance.latitude, grievance.longitude
            )
            # Only some wards may have a mapped boundary: a pin on none of them keeps the ward given.
            grievance.ward_id = located or grievance.ward_id

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
            grievance.sla_deadline = grievance._sla_clock()[1]

    @api.depends("date_filed", "date_reopened", "sla_hours", "is_open")
    def _compute_sla_thresholds(self):
        # Empty once the grievance is no longer open: the SLA action's queries then estimate well.
        for grievance in self:
            at_risk, _due, escalate = grievance._sla_clock() if grievance.is_open else (False,) * 3
            grievance.sla_at_risk_at, grievance.sla_escalate_at = at_risk, escalate

    def _sla_clock(self):
        """(at risk from, deadline, second escalation) from the filing, or the reopening."""
        self.ensure_one()
        start = self.date_reopened or self.date_filed
        if not start:
            return False, False, False
        return sla.clock(start, self.sla_hours or sla.DEFAULT_SLA_HOURS, self._at_risk_ratio())

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
        for grievance in self:
            grievance.access_url = f"/my/grievances/{grievance.id}"

    def _portal_ensure_token(self):
        # The token is readable by the system only (see access_token): the mixin reads it back.
        return super(Mp15Grievance, self.sudo())._portal_ensure_token()

    def get_portal_url(self, suffix=None, report_type=None, download=None, query_string=None, anchor=None):
        """With the citizen's token only for the system's own messages to the citizen; callable over RPC."""
        if not self.env.su:
            self.ensure_one()
            return self.access_url + (suffix or "")
        return super().get_portal_url(suffix, report_type, download, query_string, anchor)

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        if self.env.context.get("mp15_stages_in_use"):
            return stages  # an officer's own work on a phone: no empty "New" column first
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

    @api.constrains("stage_id", "sla_state", "resolution_note", "delay_reason_id", "delay_reason")
    def _check_resolution(self):
        for grievance in self:
            if grievance.state not in ("resolved", "closed", "rejected"):
                continue
            if not (grievance.resolution_note or "").strip():
                raise ValidationError(
                    _(
                        "Write what was done (or why nothing will be done) in the resolution note of %(ref)s "
                        "first: the citizen receives it.",
                        ref=grievance.name,
                    )
                )
            if grievance.state == "rejected":
                continue
            late = grievance.sla_state in ("breached", "missed") or grievance.escalation_level
            if late and not (grievance.delay_reason_id and (grievance.delay_reason or "").strip()):
                raise ValidationError(
                    _(
                        "%(ref)s missed its deadline: choose a reason for delay and explain it before "
                        "resolving or closing it.",
                        ref=grievance.name,
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
        typed_wards = []
        for vals in vals_list:
            citizen = self.env.user.share and not self.env.su
            if citizen:
                vals.pop("channel", None)
            self._check_system_fields(vals, filing=True)
            if citizen:
                self._check_citizen_filing(vals)
                vals["channel"] = "portal"
            if not self.env.su or "phone_verified" not in vals:
                # The citizen's own number: filed from it on WhatsApp, or by its owner on the portal.
                vals["phone_verified"] = bool(citizen) or vals.get("channel") == "whatsapp"
            self._normalize_phone_vals(vals)
            typed_wards.append(vals.get("ward_id"))
            if vals.get("latitude") or vals.get("longitude"):
                vals.pop("ward_id", None)  # the pin decides; the typed ward is the fallback below
            if vals.get("phone") and not vals.get("partner_id"):
                vals["partner_id"] = self.env["res.partner"].sudo()._mp15_find_or_create_citizen(vals["phone"]).id
            if vals.get("name", "/") == "/":
                date_filed = fields.Datetime.to_datetime(vals.get("date_filed")) or fields.Datetime.now()
                year_day = self._local_datetime(date_filed).date()  # 1 January 00:30 in Sagar is next year's
                vals["name"] = self._reference_sequence().next_by_id(sequence_date=year_day)
        grievances = super().create(vals_list)
        for grievance, typed_ward in zip(grievances, typed_wards, strict=True):
            if typed_ward and not grievance.ward_id:
                grievance.ward_id = typed_ward
        for grievance in grievances.filtered(lambda g: not g.phone and g.partner_id.mp15_phone):
            grievance.phone = grievance.partner_id.mp15_phone
        if not self.env.user.share:
            grievances._adopt_phone_for_citizen()
        grievances.sudo()._link_duplicates()  # before anything is said: the citizen is told of the original
        if not self.env.context.get("mp15_bookkeeping_later"):  # the WhatsApp processing batch does it
            grievances._after_filing()
        return grievances

    def _after_filing(self):
        """The system's bookkeeping of new grievances, whoever filed: the SLA state, the Resolve activity,
        emergency alerts."""
        grievances = self.sudo()
        grievances._refresh_sla_state()
        grievances._sync_resolve_activity(just_created=True)
        grievances.filtered(lambda g: g.priority == "2" and g.is_open)._alert_emergency()

    def write(self, vals):
        self._check_system_fields(vals)
        self._normalize_phone_vals(vals)
        if "user_id" in vals:
            self._check_can_assign(vals["user_id"])
            if vals["user_id"] and "stage_id" not in vals:
                self.filtered(lambda g: g.state == "new").stage_id = self.env["mp15.grievance.stage"]._for_state(
                    "assigned"
                )
        stages_before = {grievance.id: grievance.stage_id for grievance in self} if "stage_id" in vals else {}
        result = super().write(vals)
        system = self.sudo()  # the consequences are the system's bookkeeping, whoever wrote
        if "stage_id" in vals:
            system._apply_stage_state()
            moved = system.filtered(lambda g: stages_before.get(g.id) != g.stage_id)
            moved._notify_citizen_of_stage()
        if {
            "stage_id",
            "user_id",
            "department_id",
            "sla_deadline",
            "date_reopened",
            "sla_hours",
            "active",
        } & vals.keys():
            system._sync_resolve_activity()
        if {"latitude", "longitude", "category_id"} & vals.keys():
            system._link_duplicates()
        if "stage_id" in vals:
            moved._move_duplicates_along()
        return result

    @api.model
    def _reference_sequence(self):
        """The sequence of references (MP15-YYYY-nnnnnn): read for every inbound text, so found by its
        cached xmlid without ``env.ref``'s existence query (it is ours and never deleted)."""
        return self.env["ir.sequence"].sudo().browse(self.env["ir.model.data"]._xmlid_to_res_id(REFERENCE_SEQUENCE))

    @api.model
    def _cron_prepare_reference_years(self):
        """Open this year's and next year's reference ranges (MP15-YYYY-…) before anyone files in them.

        Odoo creates a sequence's yearly range on first use; two processes filing the year's first
        grievance at once would both create it, and one filing would fail on the unique range.
        """
        sequence = self._reference_sequence()
        this_year = self._local_date().year
        for year in (this_year, this_year + 1):
            first, last = date(year, 1, 1), date(year, 12, 31)
            if sequence.date_range_ids.filtered(lambda r, day=first: r.date_from <= day <= r.date_to):
                continue
            try:
                with self.env.cr.savepoint():
                    sequence.date_range_ids.create({"sequence_id": sequence.id, "date_from": first, "date_to": last})
            except psycopg2.errors.UniqueViolation:
                _logger.info("Reference range %s was opened by another process at the same moment", year)

    def _check_system_fields(self, vals, filing=False):
        """Nobody but the system sets what the reports count; citizens only describe what they file.

        Refuses such fields in ``vals`` and, when filing, in ``default_*`` context keys.
        """
        if self._is_system():
            return
        given = set(vals)
        if filing:
            given |= {key[8:] for key in self.env.context if key.startswith("default_") and key[8:] in self._fields}
        if self.env.user.share or self._is_councillor_only():
            refused = given - CITIZEN_FIELDS  # a councillor files for a constituent as the citizen would
        else:
            refused = set(SYSTEM_FIELDS & given) - ({"name"} if filing and vals.get("name", "/") == "/" else set())
            if "phone" in given and any(self.mapped("phone")):
                refused.add("phone")  # the number the citizen is written to: a filed grievance keeps it
        if refused:
            raise AccessError(
                _(
                    "These fields are kept by the system and cannot be set: %(fields)s",
                    fields=", ".join(sorted(refused)),
                )
            )

    def _check_citizen_filing(self, vals):
        """A citizen files for themselves, from their own number, and reports emergencies by phone."""
        category = self.env["mp15.grievance.category"].sudo().browse(vals.get("category_id"))
        if category.is_emergency:
            raise AccessError(
                _("Emergencies cannot be filed online: call 112 (police), 101 (fire) or 108 (ambulance).")
            )
        if vals.get("phone"):
            own = self.env.user.partner_id.sudo().mp15_phone
            try:
                typed = normalize_phone(vals["phone"])
            except PhoneError:
                typed = None
            if typed != own:
                raise AccessError(_("You can file grievances only from your own registered number."))

    def _is_system(self):
        """The flows that own the reported figures run as superuser (Odoo's scheduler does too)."""
        return self.env.su

    def _adopt_phone_for_citizen(self):
        """A number staff typed for a citizen who has none becomes the one we write to them on, unless another
        contact has it (archived ones too: the number is unique across all contacts)."""
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        for grievance in self.filtered(lambda g: g.phone and g.partner_id and not g.partner_id.mp15_phone):
            if not Partner.search_count([("mp15_phone", "=", grievance.phone)], limit=1):
                grievance.partner_id.sudo().mp15_phone = grievance.phone

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

    def _has_coordinates(self):
        self.ensure_one()
        return (self.latitude or self.longitude) and geo.valid_coordinates(self.latitude, self.longitude)

    @api.model
    def _setting(self, name, default):
        """An integer setting of the Grievances settings page (ir.config_parameter)."""
        value = self.env["ir.config_parameter"].sudo().get_param(f"mp15_grievance.{name}")
        try:
            return int(value) if value else default
        except ValueError:
            return default

    @api.model
    def _commissioner(self):
        """Who the second escalation level reaches: the Settings' commissioner, else the first one found."""
        user = self.env["res.users"].sudo().browse(self._setting("commissioner_id", 0)).exists()
        if not user:
            group_id = self.env["ir.model.data"]._xmlid_to_res_id("mp15_grievance.group_manager")  # no exists() query
            group = self.env["res.groups"].sudo().browse(group_id)
            user = group.users.filtered(lambda u: not u.share and u.id != SUPERUSER_ID).sorted("id")[:1]
        return user

    @api.model
    def _local_datetime(self, value):
        """A UTC datetime in the corporation's time zone (Asia/Kolkata), whatever the user's or server's."""
        return fields.Datetime.context_timestamp(self.with_context(tz=CORPORATION_TZ), value)

    @api.model
    def _local_date(self, value=None):
        """The calendar day in Sagar of a UTC datetime (now by default): activities are per day."""
        return self._local_datetime(value or fields.Datetime.now()).date()
