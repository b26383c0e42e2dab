"""Weekly digests: each ward councillor's and department head's week, by e-mail and on WhatsApp, with an opt-out."""

import logging
from datetime import datetime, time, timedelta

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools import messages
from ..tools.phone import PhoneError, normalize_phone
from .mp15_grievance import CORPORATION_TZ

_logger = logging.getLogger(__name__)

OLDEST_OPEN = 5  # the oldest open grievances a digest lists


def week_before(now_utc):
    """The Monday-to-Sunday week (Sagar time) before the one ``now_utc`` falls in, as naive UTC [start, end)."""
    tz = pytz.timezone(CORPORATION_TZ)
    local_today = pytz.utc.localize(now_utc).astimezone(tz).date()
    this_monday = local_today - timedelta(days=local_today.weekday())
    start = tz.localize(datetime.combine(this_monday - timedelta(days=7), time.min))
    end = tz.localize(datetime.combine(this_monday, time.min))
    return start.astimezone(pytz.utc).replace(tzinfo=None), end.astimezone(pytz.utc).replace(tzinfo=None)


class Mp15Digest(models.Model):
    """One recipient's week, kept as sent: what the councillor or head was told, and how."""

    _name = "mp15.digest"
    _description = "Weekly Grievance Digest"
    _order = "date_from desc, id desc"
    _rec_name = "user_id"

    user_id = fields.Many2one("res.users", string="Recipient", required=True, readonly=True, ondelete="cascade")
    scope = fields.Selection(
        [("ward", "Ward councillor"), ("department", "Department head")], required=True, readonly=True
    )
    ward_ids = fields.Many2many("mp15.ward", string="Wards", readonly=True)
    department_ids = fields.Many2many("mp15.department", string="Departments", readonly=True)
    date_from = fields.Datetime(string="Week from", required=True, readonly=True)
    date_to = fields.Datetime(string="Week to", required=True, readonly=True)
    filed_count = fields.Integer(string="Filed", readonly=True)
    resolved_count = fields.Integer(string="Resolved", readonly=True)
    breached_count = fields.Integer(string="Breached", readonly=True, help="Deadlines that passed unresolved.")
    confirmed_count = fields.Integer(string="Confirmed by citizens", readonly=True)
    open_count = fields.Integer(string="Open now", readonly=True)
    oldest_open_ids = fields.Many2many("mp15.grievance", string="Oldest open", readonly=True)
    scope_name = fields.Char(string="Wards or departments", compute="_compute_scope_name")
    mail_sent = fields.Boolean(string="E-mailed", readonly=True)
    whatsapp_message_id = fields.Many2one("mp15.whatsapp.message", string="WhatsApp message", readonly=True)

    @api.depends("scope", "ward_ids", "department_ids")
    @api.depends_context("lang")
    def _compute_scope_name(self):
        for digest in self:
            records = digest.ward_ids if digest.scope == "ward" else digest.department_ids
            digest.scope_name = ", ".join(records.mapped("display_name"))

    # ------------------------------------------------------------------ building

    @api.model
    def _cron_send_weekly(self):
        """Monday morning: last week's digest to every councillor and head who has not opted out."""
        date_from, date_to = week_before(fields.Datetime.now())
        digests = self._build_week(date_from, date_to)
        for digest in digests:
            digest._send()
        _logger.info("Weekly digests: %s sent for the week from %s", len(digests), date_from)
        return digests

    @api.model
    def _recipients(self):
        """``[(user, scope, wards, departments)]``: councillors of active wards, heads of active departments."""
        result = []
        wards = self.env["mp15.ward"].sudo().search([("councillor_user_ids", "!=", False)])
        for user in wards.councillor_user_ids.filtered(lambda u: u.active and not u.mp15_digest_opt_out):
            result.append((user, "ward", wards.filtered(lambda w, u=user: u in w.councillor_user_ids), None))
        departments = self.env["mp15.department"].sudo().search([("head_id", "!=", False)])
        for user in departments.head_id.filtered(lambda u: u.active and not u.mp15_digest_opt_out):
            result.append((user, "department", None, departments.filtered(lambda d, u=user: d.head_id == u)))
        return result

    @api.model
    def _build_week(self, date_from, date_to):
        """Create the digests of the week [date_from, date_to) (naive UTC); one per recipient and scope."""
        vals_list = []
        for user, scope, wards, departments in self._recipients():
            if self.search_count(
                [("user_id", "=", user.id), ("scope", "=", scope), ("date_from", "=", date_from)], limit=1
            ):
                continue  # a second run of the same Monday sends nothing twice
            domain = [("ward_id", "in", wards.ids)] if scope == "ward" else [("department_id", "in", departments.ids)]
            vals = {
                "user_id": user.id,
                "scope": scope,
                "ward_ids": [fields.Command.set(wards.ids if wards else [])],
                "department_ids": [fields.Command.set(departments.ids if departments else [])],
                "date_from": date_from,
                "date_to": date_to,
            }
            vals.update(self._figures(domain, date_from, date_to))
            vals_list.append(vals)
        return self.sudo().create(vals_list)

    @api.model
    def _figures(self, domain, date_from, date_to):
        """The week's figures of the grievances in ``domain`` (read as the system: the scope is the domain)."""
        Grievance = self.env["mp15.grievance"].sudo()

        def count(extra):
            return Grievance.search_count(domain + extra)

        oldest = Grievance.search([*domain, ("is_open", "=", True)], order="date_filed asc, id asc", limit=OLDEST_OPEN)
        return {
            "filed_count": count([("date_filed", ">=", date_from), ("date_filed", "<", date_to)]),
            "resolved_count": count([("date_resolved", ">=", date_from), ("date_resolved", "<", date_to)]),
            # Deadlines that fell in the week and were not met: still open, or resolved late since.
            "breached_count": count(
                [
                    ("sla_deadline", ">=", date_from),
                    ("sla_deadline", "<", date_to),
                    ("state", "!=", "rejected"),
                    "|",
                    ("date_resolved", "=", False),
                    ("sla_state", "=", "missed"),
                ]
            ),
            "confirmed_count": count(
                [("closure", "=", "citizen"), ("date_closed", ">=", date_from), ("date_closed", "<", date_to)]
            ),
            "open_count": count([("is_open", "=", True)]),
            "oldest_open_ids": [fields.Command.set(oldest.ids)],
        }

    # ------------------------------------------------------------------ reading

    def _local_date(self, value):
        """A date of the digest as the recipient reads it (Sagar time)."""
        return pytz.utc.localize(value).astimezone(pytz.timezone(CORPORATION_TZ)).date()

    def _week_label(self):
        self.ensure_one()
        last_day = self._local_date(self.date_to) - timedelta(days=1)
        return f"{self._local_date(self.date_from):%d.%m.%Y} – {last_day:%d.%m.%Y}"

    def _backoffice_url(self, grievance):
        """The grievance in the back office, for the digest's links."""
        return f"{self.get_base_url()}/odoo/action-mp15_grievance.mp15_grievance_action/{grievance.id}"

    def _filed_on(self, grievance):
        """The day a grievance was filed, in Sagar."""
        return f"{self._local_date(grievance.date_filed):%d.%m.%Y}"

    # ------------------------------------------------------------------ sending

    def _send(self):
        """E-mail (template in the recipient's language), then WhatsApp when configured and possible."""
        self.ensure_one()
        if self.user_id.email:
            template = self.env.ref("mp15_grievance.mail_template_weekly_digest")
            template.sudo().send_mail(self.id, email_layout_xmlid="mail.mail_notification_light")
            self.mail_sent = True
        self._send_whatsapp()

    def _whatsapp_phone(self):
        """The recipient's mobile number as E.164, or None."""
        partner = self.user_id.partner_id
        for raw in (partner.mobile, partner.phone):
            if not raw:
                continue
            try:
                return normalize_phone(raw)
            except PhoneError:
                continue
        return None

    def _send_whatsapp(self):
        """Queue the digest as the approved utility template of the account, when one is named."""
        self.ensure_one()
        account = self.env["mp15.whatsapp.account"]._default_account()
        phone = self._whatsapp_phone()
        if not (account and account.template_weekly_digest and phone):
            return None
        lang = "en" if (self.user_id.lang or "").startswith("en") else "hi"
        Conversation = self.env["mp15.whatsapp.conversation"].sudo()
        conversation = Conversation.search([("account_id", "=", account.id), ("phone", "=", phone)], limit=1)
        if not conversation:
            conversation = Conversation.create(
                {"account_id": account.id, "phone": phone, "partner_id": self.user_id.partner_id.id, "lang": lang}
            )
        link = f"{self.get_base_url()}/odoo/action-mp15_grievance.mp15_grievance_action"
        parameters = [
            self.scope_name or "-",
            str(self.filed_count),
            str(self.resolved_count),
            str(self.breached_count),
            str(self.confirmed_count),
            link,
        ]
        payload = messages.template_message(phone, account.template_weekly_digest, lang, parameters)
        body = _(
            "Weekly digest %(week)s, %(scope)s: %(filed)s filed, %(resolved)s resolved, %(breached)s breached, "
            "%(confirmed)s confirmed by citizens.",
            week=self._week_label(),
            scope=self.scope_name,
            filed=self.filed_count,
            resolved=self.resolved_count,
            breached=self.breached_count,
            confirmed=self.confirmed_count,
        )
        self.whatsapp_message_id = self.env["mp15.whatsapp.message"]._queue(conversation, payload, body=body)
        return self.whatsapp_message_id


class Mp15WhatsappAccountDigest(models.Model):
    _inherit = "mp15.whatsapp.account"

    template_weekly_digest = fields.Char(
        string="Weekly digest template",
        help="Approved utility template, in Hindi and English under one name, sending councillors and heads "
        "their week: {{1}} wards or departments, {{2}} filed, {{3}} resolved, {{4}} breached, "
        "{{5}} confirmed by citizens, {{6}} back-office link. Empty: digests go by e-mail only.",
    )

    @api.constrains("template_weekly_digest")
    def _check_template_weekly_digest(self):
        for account in self.filtered("template_weekly_digest"):
            try:
                messages.template_message("+919000000000", account.template_weekly_digest, "hi")
            except ValueError as error:
                raise ValidationError(
                    _("The weekly digest template cannot be sent: %(reason)s.", reason=error)
                ) from error


class ResUsersDigest(models.Model):
    _inherit = "res.users"

    mp15_digest_opt_out = fields.Boolean(
        string="No weekly grievance digest",
        help="Councillors and department heads receive their wards' or department's week every Monday "
        "morning, by e-mail and on WhatsApp; tick this to stop it.",
    )

    @property
    def SELF_READABLE_FIELDS(self):
        return [*super().SELF_READABLE_FIELDS, "mp15_digest_opt_out"]

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return [*super().SELF_WRITEABLE_FIELDS, "mp15_digest_opt_out"]
