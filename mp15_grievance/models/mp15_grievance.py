import logging
from collections import defaultdict
from datetime import timedelta

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL, format_datetime, html2plaintext

from ..tools import geo, locks, sla
from ..tools.conversation import feedback_options
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
SLA_BATCH = 200  # a run's transaction stays short: Odoo's scheduler calls again while work remains
DUPLICATE_RADIUS_M = 100  # a second report of the same problem is usually from the same street
DUPLICATE_WINDOW = timedelta(days=30)
# Kept by the system: the record of what happened, for the SLA figures and the commissioner.
SYSTEM_FIELDS = frozenset(
    {
        "name",
        "channel",
        "date_filed",
        "date_reopened",
        "sla_state",
        "escalation_level",
        "date_first_update",
        "date_resolved",
        "date_closed",
        "rating",
        "reopen_count",
    }
)
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

    @api.depends("date_filed", "date_reopened", "sla_hours", "state")
    def _compute_sla_thresholds(self):
        # Empty once the grievance is no longer open: the SLA action's queries then estimate well.
        for grievance in self:
            at_risk, _due, escalate = grievance._sla_clock() if grievance.state in OPEN_STATES else (False,) * 3
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
        sequence = self.env["ir.sequence"].sudo()
        typed_wards = []
        for vals in vals_list:
            if self.env.user.share and not self.env.su:
                vals.pop("channel", None)
                self._check_system_fields(vals, citizen_fields=CITIZEN_FIELDS)
                vals["channel"] = "portal"
            else:
                self._check_system_fields(vals)
            self._normalize_phone_vals(vals)
            typed_wards.append(vals.get("ward_id"))
            if vals.get("latitude") or vals.get("longitude"):
                vals.pop("ward_id", None)  # the pin decides; the typed ward is the fallback below
            if vals.get("phone") and not vals.get("partner_id"):
                vals["partner_id"] = self.env["res.partner"].sudo()._mp15_find_or_create_citizen(vals["phone"]).id
            if vals.get("name", "/") == "/":
                date_filed = fields.Datetime.to_datetime(vals.get("date_filed")) or fields.Datetime.now()
                year_day = self._local_datetime(date_filed).date()  # 1 January 00:30 in Sagar is next year's
                vals["name"] = sequence.with_context(ir_sequence_date=year_day).next_by_code("mp15.grievance")
        grievances = super().create(vals_list)
        for grievance, typed_ward in zip(grievances, typed_wards, strict=True):
            if typed_ward and not grievance.ward_id:
                grievance.ward_id = typed_ward
        for grievance in grievances.filtered(lambda g: not g.phone and g.partner_id.mp15_phone):
            grievance.phone = grievance.partner_id.mp15_phone
        if not self.env.user.share:
            grievances._adopt_phone_for_citizen()
        grievances = grievances.sudo()  # what follows is the system's bookkeeping, whoever filed
        grievances._refresh_sla_state()
        grievances._sync_resolve_activity()
        grievances._link_duplicates()
        grievances.filtered(lambda g: g.priority == "2" and g.state in OPEN_STATES)._alert_emergency()
        return grievances.sudo(self.env.su)

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

    def _check_system_fields(self, vals, citizen_fields=None):
        """Staff and citizens cannot rewrite the record the SLA figures are made of; citizens only file."""
        if self.env.su or self.env.user.has_group("mp15_grievance.group_manager"):
            return
        if self.env.user.share and citizen_fields is not None:
            refused = set(vals) - citizen_fields
        else:
            refused = SYSTEM_FIELDS & set(vals) - ({"name"} if vals.get("name") == "/" else set())
        if refused:
            raise AccessError(
                _(
                    "These fields are kept by the system and cannot be set: %(fields)s",
                    fields=", ".join(sorted(refused)),
                )
            )

    def _adopt_phone_for_citizen(self):
        """A number staff typed for a citizen who has none becomes the one we write to them on."""
        Partner = self.env["res.partner"].sudo()
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

    # ---------------------------------------------------------------- business

    def _last_public_note(self):
        """The latest message staff sent to the citizen ("Send message", not "Log note"), as plain text."""
        self.ensure_one()
        note = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("message_type", "=", "comment"),
                    ("subtype_id", "=", self.env.ref("mail.mt_comment").id),
                    ("author_id.user_ids.share", "=", False),
                    ("author_id", "!=", self.env.ref("base.partner_root").id),  # the bot's own posts
                ],
                order="id desc",
                limit=1,
            )
        )
        return html2plaintext(note.body).strip() if note else ""

    def _notify_citizen(self, text_key, fallback_template="status_update", buttons=None, image=None, is_update=True):
        """Tell the citizen on WhatsApp (portal/e-mail when they have no number).

        ``is_update``: this tells them about action taken, so it counts as their first update.
        """
        now = fields.Datetime.now()
        Conversation = self.env["mp15.whatsapp.conversation"].sudo()
        for grievance in self.sudo():
            try:
                conversation = Conversation._for_partner(grievance.partner_id)
                if conversation:
                    conversation._send_to_citizen(
                        text_key, grievance, fallback_template=fallback_template, buttons=buttons, image=image
                    )
                elif grievance.partner_id:
                    lang = grievance.partner_id.lang or "hi_IN"
                    body = self.env["mp15.bot.text"]._render(text_key, lang, **grievance._citizen_params(lang))
                    grievance.message_post(
                        body=body,
                        author_id=self.env.ref("base.partner_root").id,
                        partner_ids=grievance.partner_id.ids,
                        message_type="comment",
                        subtype_xmlid="mail.mt_comment",
                    )
                else:
                    continue
            except ValueError as error:  # e.g. a bot text edited into something WhatsApp refuses
                _logger.warning("Citizen update %s for %s not sent: %s", text_key, grievance.name, error)
                grievance.message_post(
                    body=_("The citizen could not be told (%(text)s): %(error)s", text=text_key, error=error),
                    subtype_xmlid="mail.mt_note",
                )
                continue
            if is_update and not grievance.date_first_update:
                grievance.date_first_update = now

    def _citizen_params(self, lang):
        """What bot texts about this grievance may say, in ``lang``: {ref} {stage} {link} …"""
        self.ensure_one()
        grievance = self.sudo().with_context(lang=lang)
        return {
            "ref": grievance.name,
            "department": grievance.department_id.name or "",
            "category": grievance.category_id.name or "",
            "stage": grievance.stage_id.name or "",
            "deadline": format_datetime(
                self.env, grievance.sla_deadline, tz=CORPORATION_TZ, dt_format="d MMM, h:mm a", lang_code=lang
            ),
            "hours": grievance.sla_hours,
            "link": grievance.get_base_url() + grievance.get_portal_url(),
            "last_note": grievance._last_public_note() or "—",
            "resolution_note": grievance.resolution_note or "",
            "ward": grievance.ward_id.display_name or "",
            "original": grievance.duplicate_of_id.name or "",
        }

    def _link_duplicates(self):
        """A new report of the same problem within DUPLICATE_RADIUS_M of an open one follows that one."""
        for grievance in self.filtered(lambda g: not g.duplicate_of_id and g.state in OPEN_STATES):
            original = grievance._find_original()
            if not original:
                continue
            grievance.duplicate_of_id = original
            original.message_post(
                body=_("%(ref)s reports the same problem nearby and follows this grievance.", ref=grievance.name),
                subtype_xmlid="mail.mt_note",
            )
            grievance._notify_citizen("duplicate_linked", is_update=False)

    def _find_original(self):
        """The nearest open grievance of the same category filed before this one, within the radius."""
        self.ensure_one()
        if not (self._has_coordinates() and self.category_id):
            return self.browse()
        # About 0.001° of latitude per 111 m: a bounding box first, the exact distance after.
        delta = DUPLICATE_RADIUS_M / 111_000 * 1.5
        candidates = self.search(
            [
                ("id", "!=", self.id),
                ("category_id", "=", self.category_id.id),
                ("state", "in", OPEN_STATES),
                ("duplicate_of_id", "=", False),
                ("date_filed", ">=", self.date_filed - DUPLICATE_WINDOW),
                ("date_filed", "<=", self.date_filed),
                ("latitude", ">=", self.latitude - delta),
                ("latitude", "<=", self.latitude + delta),
                ("longitude", ">=", self.longitude - delta * 1.1),
                ("longitude", "<=", self.longitude + delta * 1.1),
            ]
        )
        distances = [
            (geo.distance_m(self.latitude, self.longitude, other.latitude, other.longitude), other.id, other)
            for other in candidates
        ]
        near = [item for item in distances if item[0] <= DUPLICATE_RADIUS_M]
        return min(near)[2] if near else self.browse()

    def _move_duplicates_along(self):
        """Duplicates follow their original: resolved, closed or rejected with it, with its note."""
        for original in self.filtered(lambda g: g.state not in OPEN_STATES and g.duplicate_ids):
            followers = original.duplicate_ids.filtered(lambda g: g.state in OPEN_STATES)
            if not followers:
                continue
            followers.write(
                {
                    "resolution_note": original.resolution_note,
                    "resolution_image": original.resolution_image,
                    "delay_reason_id": original.delay_reason_id.id,
                    "delay_reason": original.delay_reason,
                    "stage_id": original.stage_id.id,
                }
            )

    def _acknowledge_filing(self):
        """The reference, department, promised hours and portal link, for filings outside WhatsApp."""
        self._notify_citizen("filed_complete", is_update=False)

    def _notify_citizen_of_stage(self):
        """Every stage change is an update to the citizen, with the latest public action note."""
        if self.env.context.get("mp15_no_citizen_update"):
            return
        for grievance in self:
            if grievance.state in ("assigned", "in_progress"):
                grievance._notify_citizen("stage_update")
            elif grievance.state == "resolved":
                grievance._notify_citizen("resolved", image=grievance._resolution_image_url())
                grievance._notify_citizen(
                    "feedback_request", fallback_template="feedback", buttons=feedback_options(grievance.id)
                )
            elif grievance.state == "rejected":
                grievance._notify_citizen("rejected")

    def _resolution_image_url(self):
        """A link Meta can fetch the photo of the fix from (an access-token URL), or None."""
        self.ensure_one()
        if not self.resolution_image:
            return None
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [("res_model", "=", self._name), ("res_id", "=", self.id), ("res_field", "=", "resolution_image")],
                limit=1,
            )
        )
        if not attachment:
            return None
        token = attachment.access_token or attachment.generate_access_token()[0]
        return f"{self.get_base_url()}/web/image/{attachment.id}?access_token={token}"

    def _record_feedback(self, satisfied, channel):
        """The citizen's answer to "are you satisfied?": close, or reopen with a new deadline."""
        self.ensure_one()
        if self.state != "resolved":
            return False
        self = self.with_context(mp15_no_citizen_update=True)  # the channel answers the citizen itself
        if satisfied:
            self.write({"rating": "satisfied", "stage_id": self.env["mp15.grievance.stage"]._for_state("closed").id})
            self.message_post(body=_("The citizen is satisfied (%(channel)s).", channel=channel))
        else:
            stage = self.env["mp15.grievance.stage"]._for_state("in_progress" if self.user_id else "new")
            self.write(
                {
                    "rating": "not_satisfied",
                    "stage_id": stage.id,
                    "reopen_count": self.reopen_count + 1,
                    "date_reopened": fields.Datetime.now(),
                    "escalation_level": 0,
                }
            )
            self.message_post(
                body=_("The citizen is not satisfied (%(channel)s): reopened with a new deadline.", channel=channel)
            )
        return True

    def _has_coordinates(self):
        self.ensure_one()
        return (self.latitude or self.longitude) and geo.valid_coordinates(self.latitude, self.longitude)

    def _apply_stage_state(self):
        """Record when a grievance is resolved or closed, and fix its SLA outcome."""
        now = fields.Datetime.now()
        for grievance in self:
            if grievance.state == "resolved" and grievance.rating and not grievance.date_resolved:
                grievance.rating = False  # resolved again after a reopen: its feedback is asked again
            if grievance.state in ("resolved", "closed"):
                if not grievance.date_resolved:
                    grievance.date_resolved = now
                if grievance.state == "closed" and not grievance.date_closed:
                    grievance.date_closed = now
                grievance.sla_state = sla.closed_sla_state(grievance.sla_deadline, grievance.date_resolved)
            elif grievance.state == "rejected" and grievance.sla_state in sla.OPEN_SLA_STATES:
                grievance.sla_state = sla.closed_sla_state(grievance.sla_deadline, now)
            elif grievance.state in OPEN_STATES and grievance.date_resolved:
                grievance.write({"date_resolved": False, "date_closed": False})
        self.filtered(lambda g: g.state in OPEN_STATES)._refresh_sla_state()

    def _refresh_sla_state(self, now=None):
        """Bring the SLA clock of open grievances up to date."""
        now = now or fields.Datetime.now()
        for grievance in self.filtered(lambda g: g.state in OPEN_STATES and g.sla_deadline):
            new_state = sla.open_sla_state(now, grievance.sla_at_risk_at, grievance.sla_deadline)
            if grievance.sla_state != new_state:
                grievance.sla_state = new_state

    @api.model
    def _at_risk_ratio(self):
        percent = self._setting("sla_at_risk_percent", round(sla.DEFAULT_AT_RISK_RATIO * 100))
        return percent / 100 if 0 < percent < 100 else sla.DEFAULT_AT_RISK_RATIO

    @api.model
    def _recompute_sla_thresholds(self):
        """A new at-risk percentage applies to every open grievance."""
        self.search([("state", "in", OPEN_STATES)])._compute_sla_thresholds()

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
            group = self.env.ref("mp15_grievance.group_manager").sudo()
            user = group.users.filtered(lambda u: not u.share and u.id != SUPERUSER_ID).sorted("id")[:1]
        return user

    # ------------------------------------------------------------ activities

    def _responsible_user(self):
        """The assignee, else the department head, else the commissioner."""
        self.ensure_one()
        return self.user_id or self.department_id.head_id or self._commissioner()

    def _sync_resolve_activity(self):
        """Exactly one "Resolve grievance" activity while open, on the responsible user, due at the deadline."""
        # The activity shows in the user's activity menu: no "assigned to you" message for each filing.
        self = self.with_context(mail_activity_quick_update=True)
        activity_type = self.env.ref("mp15_grievance.mail_activity_type_resolve")
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )
        )
        by_grievance = defaultdict(lambda: self.env["mail.activity"])
        for activity in activities:
            by_grievance[activity.res_id] |= activity
        done = self.filtered(lambda g: g.state not in OPEN_STATES or not g.active)
        if done:
            alerts = (
                self.env["mail.activity"]
                .sudo()
                .search(
                    [
                        ("res_model", "=", self._name),
                        ("res_id", "in", done.ids),
                        ("activity_type_id", "in", self._alert_activity_types().ids),
                    ]
                )
            )
            alerts.action_feedback(feedback=_("The grievance is no longer open."))
        for grievance in self:
            current = by_grievance[grievance.id]
            if grievance in done:
                if grievance.state in ("resolved", "closed"):
                    current.action_feedback(feedback=_("Resolved."))
                else:
                    current.unlink()
                continue
            user = grievance._responsible_user()
            deadline = grievance._local_date(grievance.sla_deadline)
            if not user:
                current.unlink()
            elif not current:
                grievance.sudo().activity_schedule(
                    "mp15_grievance.mail_activity_type_resolve", date_deadline=deadline, user_id=user.id
                )
            else:
                current[1:].unlink()
                if current[:1].user_id != user or current[:1].date_deadline != deadline:
                    current[:1].write({"user_id": user.id, "date_deadline": deadline})

    def _alert_activity_types(self):
        return self.env.ref("mp15_grievance.mail_activity_type_escalation") | self.env.ref(
            "mp15_grievance.mail_activity_type_emergency"
        )

    @api.model
    def _local_datetime(self, value):
        """A UTC datetime in the corporation's time zone (Asia/Kolkata), whatever the user's or server's."""
        return fields.Datetime.context_timestamp(self.with_context(tz=CORPORATION_TZ), value)

    @api.model
    def _local_date(self, value=None):
        """The calendar day in Sagar of a UTC datetime (now by default): activities are per day."""
        return self._local_datetime(value or fields.Datetime.now()).date()

    def _alert_emergency(self):
        """Emergencies reach the department head at once, not at the next scheduled run."""
        for grievance in self:
            head = grievance.department_id.head_id or grievance._commissioner()
            if not head:
                continue
            grievance.sudo().activity_schedule(
                "mp15_grievance.mail_activity_type_emergency",
                date_deadline=self._local_date(),
                summary=_("Emergency: %(ref)s", ref=grievance.name),
                note=grievance.description,
                user_id=head.id,
            )

    # -------------------------------------------------------------- SLA cron

    def init(self):
        # The SLA action's queries: each reads only what is due, whatever the size of the table.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS mp15_grievance_sla_at_risk_idx ON mp15_grievance (sla_at_risk_at)
                WHERE sla_state = 'on_track' AND state IN ('new', 'assigned', 'in_progress');
            CREATE INDEX IF NOT EXISTS mp15_grievance_sla_breach_idx ON mp15_grievance (sla_deadline)
                WHERE sla_state IN ('on_track', 'at_risk') AND state IN ('new', 'assigned', 'in_progress');
            CREATE INDEX IF NOT EXISTS mp15_grievance_escalation_1_idx ON mp15_grievance (sla_deadline)
                WHERE (escalation_level = 0 OR escalation_level IS NULL)
                  AND state IN ('new', 'assigned', 'in_progress');
            CREATE INDEX IF NOT EXISTS mp15_grievance_escalation_2_idx ON mp15_grievance (sla_escalate_at)
                WHERE escalation_level = 1 AND state IN ('new', 'assigned', 'in_progress');
            CREATE INDEX IF NOT EXISTS mp15_grievance_first_update_idx ON mp15_grievance (date_filed)
                WHERE date_first_update IS NULL AND state IN ('new', 'assigned', 'in_progress');
            CREATE INDEX IF NOT EXISTS mp15_grievance_feedback_idx ON mp15_grievance (date_resolved)
                WHERE state = 'resolved' AND rating IS NULL;
            """
        )

    @api.model
    def _sla_steps(self, now):
        """(what is due, its order, what to do with it), in the order a late run must catch up.

        Each domain matches a partial index of ``init()`` and is read in that index's order, so a
        run reads only what is due, oldest first.
        """
        open_ = [("state", "in", OPEN_STATES)]
        update_hours = self._setting("progress_update_hours", 20)
        feedback_days = self._setting("feedback_days", 7)
        return [
            (
                [*open_, ("sla_state", "in", ("on_track", "at_risk")), ("sla_deadline", "<=", now)],
                "sla_deadline, id",
                "_sla_mark_breached",
            ),
            (
                [*open_, ("sla_state", "=", "on_track"), ("sla_at_risk_at", "<=", now)],
                "sla_at_risk_at, id",
                "_sla_mark_at_risk",
            ),
            (
                [*open_, ("escalation_level", "=", 0), ("sla_deadline", "<=", now)],
                "sla_deadline, id",
                "_sla_escalate_to_head",
            ),
            (
                [*open_, ("escalation_level", "=", 1), ("sla_escalate_at", "<=", now)],
                "sla_escalate_at, id",
                "_sla_escalate_to_commissioner",
            ),
            (
                [
                    *open_,
                    ("date_first_update", "=", False),
                    ("date_filed", "<=", now - timedelta(hours=update_hours)),
                    ("partner_id", "!=", False),
                ],
                "date_filed, id",
                "_sla_send_progress_update",
            ),
            (
                [
                    ("state", "=", "resolved"),
                    ("rating", "=", False),
                    ("date_resolved", "<=", now - timedelta(days=feedback_days)),
                ],
                "date_resolved, id",
                "_sla_close_unanswered",
            ),
        ]

    @api.model
    def _cron_sla(self):
        """Keep every open grievance's clock current, escalate, update citizens, close unanswered ones.

        One batch per call: Odoo's scheduler commits it and calls again at once while work remains,
        so a backlog is worked off in short, committed transactions (a later step waits for the
        earlier ones: a late run breaches before it escalates). One run at a time (an advisory lock: a second
        server's run returns at once); due rows are also locked with SKIP LOCKED and the conditions
        are part of the query, so each escalation level is reached once.
        """
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", *locks.SLA_RUN))
        if not self.env.cr.fetchone()[0]:
            _logger.info("SLA run skipped: another server is running it right now")
            return 0, 0
        now = fields.Datetime.now()
        done = 0
        self.env.flush_all()  # the locking query below is raw SQL: it must see pending writes
        for domain, order, handler in self._sla_steps(now):
            query = self._search(domain, order=order, limit=self._sla_batch_size())
            self.env.cr.execute(SQL("%s FOR UPDATE SKIP LOCKED", query.select()))
            due = self.browse(row[0] for row in self.env.cr.fetchall())
            if due:
                getattr(due, handler)()
                due.flush_recordset()
                done += len(due)
                break  # one batch per call: a short transaction, committed by the scheduler
        remaining = sum(self._count_due(domain, order) for domain, order, _handler in self._sla_steps(now))
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        _logger.info("SLA run: %d grievances handled, %d still due", done, remaining)
        return done, remaining

    @api.model
    def _count_due(self, domain, order, cap=100_000):
        """How many are due, read in the step's index order (a plain count may choose a worse plan)."""
        query = self._search(domain, order=order, limit=cap)
        self.env.cr.execute(SQL("SELECT count(*) FROM (%s) AS due", query.select()))
        return self.env.cr.fetchone()[0]

    @api.model
    def _sla_batch_size(self):
        return SLA_BATCH

    def _sla_mark_at_risk(self):
        self.sla_state = "at_risk"

    def _sla_mark_breached(self):
        self.sla_state = "breached"

    def _sla_escalate_to_head(self):
        for grievance in self:
            head = grievance.department_id.head_id or grievance._commissioner()
            grievance.escalation_level = 1
            if head:
                grievance.activity_schedule(
                    "mp15_grievance.mail_activity_type_escalation",
                    date_deadline=self._local_date(),
                    summary=_("Deadline missed: %(ref)s", ref=grievance.name),
                    user_id=head.id,
                )
            grievance.message_post(
                body=_(
                    "Deadline missed: escalated to %(who)s, head of %(department)s.",
                    who=head.name or _("nobody (the department has no head)"),
                    department=grievance.department_id.name or "-",
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _sla_escalate_to_commissioner(self):
        commissioner = self._commissioner()
        for grievance in self:
            grievance.escalation_level = 2
            if commissioner:
                grievance.activity_schedule(
                    "mp15_grievance.mail_activity_type_escalation",
                    date_deadline=self._local_date(),
                    summary=_("Twice past its deadline: %(ref)s", ref=grievance.name),
                    user_id=commissioner.id,
                )
            councillors = grievance.ward_id.councillor_id | grievance.ward_id.councillor_user_ids.partner_id
            for councillor in councillors:
                conversation = self.env["mp15.whatsapp.conversation"].sudo()._for_partner(councillor)
                if conversation:
                    conversation._send_to_citizen("councillor_alert", grievance, fallback_template="status_update")
            grievance.message_post(
                body=_(
                    "Twice past its deadline: escalated to the commissioner (%(who)s); ward councillor alerted: "
                    "%(councillors)s.",
                    who=commissioner.name or "-",
                    councillors=", ".join(councillors.mapped("name")) or _("none for this ward"),
                ),
                partner_ids=grievance.ward_id.councillor_user_ids.partner_id.ids,
                subtype_xmlid="mail.mt_note",
            )

    def _sla_send_progress_update(self):
        self._notify_citizen("progress_update")

    def _sla_close_unanswered(self):
        closed = self.env["mp15.grievance.stage"]._for_state("closed")
        self.with_context(mp15_no_citizen_update=True).write({"stage_id": closed.id})
        for grievance in self:
            grievance.message_post(body=_("Closed: the citizen gave no feedback within the waiting time."))
