"""Grievance: what a ward councillor gets — their wards' figures on the board, and filing for a constituent."""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import format_date
from odoo.tools.misc import clean_context

from ..tools.phone import PhoneError


class Mp15Grievance(models.Model):
    _inherit = "mp15.grievance"

    @api.model
    def retrieve_ward_figures(self):
        """The figures above a councillor's board, one block per ward they represent (callable over RPC).

        Counted with the caller's own rights: only the grievances they may read, of their own wards. Filed and
        resolved as the SLA report and the public page count them: grievances filed this month in Sagar
        (rejected and archived ones included), and those of them resolved.
        """
        wards = self.env["mp15.ward"].search([("councillor_user_ids", "in", self.env.uid)])
        if not wards:
            return {"wards": []}
        _first, month_start, month_end = self.env["mp15.performance.grade"]._month_bounds(self._local_date())
        now = fields.Datetime.now()
        in_wards = [("ward_id", "in", wards.ids)]
        this_month = self.env["mp15.grievance.report"]._read_group(
            [*in_wards, ("date_filed", ">=", month_start), ("date_filed", "<", month_end)],
            ["ward_id"],
            ["__count", "resolved_count:sum"],
        )
        filed = {ward: count for ward, count, _resolved in this_month}
        resolved = {ward: resolved or 0 for ward, _count, resolved in this_month}
        overdue = self._read_group(
            [*in_wards, ("is_open", "=", True), ("sla_deadline", "<", now)],
            ["ward_id", "department_id"],
            ["__count"],
            order="ward_id, __count desc",
        )
        return {
            "month": format_date(self.env, self._local_date(), date_format="MMMM y"),
            "wards": [
                {
                    "id": ward.id,
                    "name": ward.display_name,
                    "filed": filed.get(ward, 0),
                    "resolved": resolved.get(ward, 0),
                    "overdue": sum(count for w, _d, count in overdue if w == ward),
                    "overdue_by_department": [
                        {"id": department.id, "name": department.display_name or _("No department"), "count": count}
                        for w, department, count in overdue
                        if w == ward
                    ],
                }
                for ward in wards
            ],
        }

    @api.model
    def _get_view_cache_key(self, view_id=None, view_type="form", **options):
        """Councillors' views differ from staff's (see ``_get_view``), as project's do for portal users."""
        return (*super()._get_view_cache_key(view_id, view_type, **options), self._is_councillor_only())

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        """No "New" for councillors on the boards: they file through "File for a constituent"."""
        arch, view = super()._get_view(view_id, view_type, **options)
        if view_type in ("kanban", "list", "form") and self._is_councillor_only():
            arch.set("create", "0")
        return arch, view

    def _is_councillor_only(self):
        """A councillor who is not also staff of a department: files for constituents, edits nothing."""
        user = self.env.user
        return (
            not self.env.su
            and user.has_group("mp15_grievance.group_councillor")
            and not user.has_group("mp15_grievance.group_officer")
        )


class Mp15GrievanceConstituent(models.TransientModel):
    """A councillor files a grievance for a citizen of their ward who called or came to see them."""

    _name = "mp15.grievance.constituent"
    _description = "File a grievance for a constituent"

    def _default_ward_id(self):
        return self.env["mp15.ward"].search([("councillor_user_ids", "in", self.env.uid)], limit=1)

    citizen_name = fields.Char(string="Citizen's name", required=True)
    phone = fields.Char(
        string="Citizen's mobile",
        required=True,
        help="The citizen gets the reference and every update on WhatsApp at this number.",
    )
    ward_id = fields.Many2one(
        "mp15.ward",
        required=True,
        default=_default_ward_id,
        domain="[('councillor_user_ids', 'in', uid)]",
    )
    category_id = fields.Many2one(
        "mp15.grievance.category",
        required=True,
        domain=[("is_emergency", "=", False)],
        help="Emergencies are not filed here: the citizen calls 112, 101 or 108.",
    )
    description = fields.Text(required=True)
    address = fields.Char(help="Where exactly: street, house, landmark.")

    def action_file(self):
        """File for the constituent: the ward must be the councillor's; the citizen is told on WhatsApp."""
        self.ensure_one()
        if self.env.uid not in self.sudo().ward_id.councillor_user_ids.ids:
            raise AccessError(_("You can file grievances only for the wards you represent."))
        if self.category_id.sudo().is_emergency:
            raise AccessError(
                _("Emergencies cannot be filed online: call 112 (police), 101 (fire) or 108 (ambulance).")
            )
        grievance = self._file_as_system()
        grievance._acknowledge_filing()
        return {
            "type": "ir.actions.act_window",
            "res_model": "mp15.grievance",
            "res_id": grievance.id,
            "views": [(False, "form")],
            "target": "current",
        }

    def _file_as_system(self):
        """The filing itself, checked by ``action_file``: councillors may not create grievances on their own.

        Only what a citizen gives (CITIZEN_FIELDS), for the citizen found or created by the phone, from the
        back office: the routing is the department's to decide. The number was typed by the councillor, so it
        is not taken as the citizen's own (``phone_verified``) until it writes to us about the grievance.
        """
        self.ensure_one()
        citizen = self._find_or_create_citizen()
        vals = {
            "partner_id": citizen.id,
            "phone": citizen.mp15_phone,
            "ward_id": self.ward_id.id,
            "category_id": self.category_id.id,
            "description": self.description,
            "address": self.address,
            "channel": "backoffice",
            "phone_verified": False,
        }
        return self.env(context=clean_context(self.env.context))["mp15.grievance"].sudo().create(vals)

    def _find_or_create_citizen(self):
        """The contact filing from this number, as on WhatsApp; the name given for a new one only."""
        self.ensure_one()
        try:
            # The system's lookup: a councillor may not read or create contacts on their own.
            return self.env["res.partner"].sudo()._mp15_find_or_create_citizen(self.phone, self.citizen_name)
        except PhoneError as error:
            raise ValidationError(
                _("%(phone)s is not a phone number we can reach: %(reason)s", phone=self.phone, reason=error)
            ) from error
