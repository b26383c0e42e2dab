"""Citizens: the number they file from, whether they want announcements, their grievances (contact smart button)."""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..tools.phone import format_for_display, normalize_phone

OPT_IN_SOURCES = [
    ("bot", "WhatsApp menu (Announcements)"),
    ("keyword", "START / STOP message"),
    ("office", "Back office"),
    ("meta", "Stopped promotions in WhatsApp"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    mp15_phone = fields.Char(
        string="Grievance phone",
        index=True,
        copy=False,
        help="The number this citizen files grievances from, in international form (E.164).",
    )
    mp15_whatsapp_opt_in = fields.Boolean(
        string="WhatsApp announcements",
        tracking=True,
        help="The citizen asked for the corporation's announcements on WhatsApp (START); STOP ends them.",
    )
    mp15_opt_in_date = fields.Datetime(
        string="Consent changed on",
        readonly=True,
        copy=False,
        help="When the citizen last gave or withdrew consent to announcements.",
    )
    mp15_opt_in_source = fields.Selection(
        OPT_IN_SOURCES,
        string="Consent given through",
        readonly=True,
        copy=False,
        tracking=True,
        help="How the citizen last gave or withdrew consent to announcements.",
    )
    mp15_ward_id = fields.Many2one(
        "mp15.ward",
        string="Announcements ward",
        index="btree_not_null",
        tracking=True,
        help="The ward whose announcements this citizen receives.",
    )
    mp15_grievance_count = fields.Integer(
        compute="_compute_mp15_grievance_count",
        string="Grievance count",
        groups="mp15_grievance.group_officer",
        help="How many of this citizen's grievances you may see; the Grievances button opens them.",
    )

    _sql_constraints = [
        ("mp15_phone_unique", "unique(mp15_phone)", "Another contact already files grievances from this number."),
    ]

    def _compute_mp15_grievance_count(self):
        """Counted with the user's record rules, so the button shows what it opens."""
        counts = dict(
            self.env["mp15.grievance"]._read_group([("partner_id", "in", self.ids)], ["partner_id"], ["__count"])
        )
        for partner in self:
            partner.mp15_grievance_count = counts.get(partner, 0)

    def write(self, vals):
        if "mp15_phone" in vals and not self._mp15_may_change_phone():
            raise AccessError(
                _("Only the commissioner's office may change the number a citizen files grievances from.")
            )
        if "mp15_whatsapp_opt_in" in vals and "mp15_opt_in_date" not in vals:
            # Whoever changes the consent, when it changed is recorded (the source when the caller knows it).
            vals = {**vals, "mp15_opt_in_date": fields.Datetime.now()}
            if "mp15_opt_in_source" not in vals and not self.env.su:
                vals["mp15_opt_in_source"] = "office"
        return super().write(vals)

    def _mp15_set_announcements(self, opted_in, source, ward=None):
        """Record a citizen's consent to announcements, or its withdrawal: when, how and for which ward.

        ``source``: ``bot`` (the Announcements menu, after the consent text), ``keyword`` (START, STOP, बंद),
        ``office`` (staff, on the citizen's word), ``meta`` (error 131050, "Stop promotions" pressed).
        ``ward``: an ``mp15.ward`` (or its id) the citizen chose or confirmed; None keeps the one stored.
        """
        if source not in dict(OPT_IN_SOURCES):
            raise ValueError(f"unknown consent source {source!r}")
        values = {
            "mp15_whatsapp_opt_in": bool(opted_in),
            "mp15_opt_in_source": source,
            "mp15_opt_in_date": fields.Datetime.now(),
        }
        if ward:
            values["mp15_ward_id"] = ward if isinstance(ward, int) else ward.id
        self.sudo().write(values)
        return True

    def _mp15_announcement_ward(self, grievances_newest_first=None):
        """The ward to propose when the citizen opts in: the one stored, else that of their last grievance.

        ``grievances_newest_first``: the citizen's grievances the caller has already read (the bot reads them
        for every message), so that no second search is needed.
        """
        self.ensure_one()
        if self.mp15_ward_id:
            return self.mp15_ward_id
        if grievances_newest_first is not None:
            return grievances_newest_first.filtered("ward_id")[:1].ward_id
        grievance = (
            self.env["mp15.grievance"]
            .sudo()
            .search(
                [("partner_id", "=", self.id), ("ward_id", "!=", False)], order="create_date desc, id desc", limit=1
            )
        )
        return grievance.ward_id

    def _mp15_may_change_phone(self):
        """The number we write to the citizen on: changing it would redirect their updates."""
        return self.env.su or self.env.user.has_group("mp15_grievance.group_manager")

    @api.model
    def _mp15_find_or_create_citizen(self, phone, name=None):
        """The contact filing from ``phone`` (any spelling), created on first contact; an archived one is still
        theirs (its number is taken: creating another would fail)."""
        e164 = normalize_phone(phone)
        partner = self.with_context(active_test=False).search([("mp15_phone", "=", e164)], limit=1).with_env(self.env)
        return partner or self._mp15_create_citizens({e164: name})

    @api.model
    def _mp15_create_citizens(self, names_by_number):
        """New citizens' contacts, in one create: {E.164 number: their WhatsApp profile name, or None}."""
        quiet = self.with_context(mail_create_nolog=True, mail_create_nosubscribe=True, tracking_disable=True)
        return quiet.create(
            [
                {"name": name or format_for_display(e164), "mp15_phone": e164, "mobile": e164}
                for e164, name in names_by_number.items()
            ]
        )

    def action_mp15_open_grievances(self):
        """The contact form's Grievances button: every grievance of this citizen the user may see."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("mp15_grievance.mp15_grievance_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
