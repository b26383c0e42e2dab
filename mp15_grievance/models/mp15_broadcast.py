"""Broadcasts: an approved template to the opted-in citizens of chosen wards, approved by a second manager."""

import math
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .mp15_broadcast_recipient import RECIPIENT_STATES

STATES = [
    ("draft", "Draft"),
    ("to_approve", "Waiting for approval"),
    ("scheduled", "Scheduled"),
    ("sending", "Sending"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]
# Changed only by the flow's methods (submit, approve, cancel), never by a write from a client.
FLOW_FIELDS = frozenset({"state", "submitted_by_id", "approved_by_id", "date_approved", "date_started", "date_done"})
# What was approved: fixed once the broadcast leaves the draft.
CONTENT_FIELDS = frozenset(
    {"account_id", "template_id", "template_en_id", "parameters", "parameters_en", "ward_ids", "category_ids"}
    | {"grievance_days"}
)
CLOSED_GRIEVANCE_STATES = ("resolved", "closed", "rejected")


class Mp15Broadcast(models.Model):
    """An announcement to citizens on WhatsApp: drafted and submitted by one manager, approved by another."""

    _name = "mp15.broadcast"
    _description = "WhatsApp Broadcast"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(string="Title", required=True, tracking=True)
    account_id = fields.Many2one(
        "mp15.whatsapp.account",
        string="WhatsApp account",
        required=True,
        default=lambda self: self.env["mp15.whatsapp.account"]._default_account(),
    )
    template_id = fields.Many2one(
        "mp15.whatsapp.template",
        string="Template (Hindi)",
        required=True,
        tracking=True,
        domain="[('account_id', '=', account_id), ('status', '=', 'approved'), "
        "('category', 'in', ('marketing', 'utility'))]",
        help="Sent to every citizen, except those who use the bot in English when an English template is set.",
    )
    template_en_id = fields.Many2one(
        "mp15.whatsapp.template",
        string="Template (English)",
        tracking=True,
        domain="[('account_id', '=', account_id), ('status', '=', 'approved'), "
        "('category', 'in', ('marketing', 'utility'))]",
    )
    parameters = fields.Text(string="Parameters (Hindi)", help="One line per {{1}}, {{2}} ... of the template.")
    parameters_en = fields.Text(string="Parameters (English)", help="One line per {{1}}, {{2}} ... of the template.")
    ward_ids = fields.Many2many("mp15.ward", string="Wards", help="Empty: every ward.")
    category_ids = fields.Many2many(
        "mp15.grievance.category",
        string="Only citizens with grievances of",
        help="Optional: only citizens with an open grievance of these categories, or one filed recently.",
    )
    grievance_days = fields.Integer(string="Filed in the last (days)", default=30)
    scheduled_at = fields.Datetime(string="Send at", default=fields.Datetime.now, tracking=True)
    state = fields.Selection(STATES, required=True, default="draft", readonly=True, tracking=True, index=True)
    submitted_by_id = fields.Many2one("res.users", string="Submitted by", readonly=True)
    approved_by_id = fields.Many2one("res.users", string="Approved by", readonly=True, tracking=True)
    date_approved = fields.Datetime(string="Approved on", readonly=True)
    date_started = fields.Datetime(string="Started", readonly=True)
    date_done = fields.Datetime(string="Finished", readonly=True)
    recipient_ids = fields.One2many("mp15.broadcast.recipient", "broadcast_id", string="Recipients", readonly=True)
    recipient_count = fields.Integer(
        string="Audience",
        compute="_compute_estimate",
        help="Opted-in citizens it goes to (the recipients once approved).",
    )
    window_open_count = fields.Integer(
        string="Free (window open)", compute="_compute_estimate", help="Citizens who wrote in the last 24 hours."
    )
    estimated_cost = fields.Float(
        string="Estimated cost (₹)",
        compute="_compute_estimate",
        digits=(12, 2),
        help="Per delivered message at the account's price for the template's category; free inside the window.",
    )
    estimated_duration = fields.Char(
        string="Sending takes", compute="_compute_estimate", help="At the number's rate, within its messaging limit."
    )
    continues_at = fields.Datetime(
        string="Continues at",
        compute="_compute_results",
        help="The messaging limit is reached: the rest goes out when the oldest sends are 24 hours old.",
    )
    queued_count = fields.Integer(string="Queued", compute="_compute_results")
    sent_count = fields.Integer(string="Sent", compute="_compute_results", help="Sent, delivered or read.")
    delivered_count = fields.Integer(string="Delivered", compute="_compute_results", help="Delivered or read.")
    read_count = fields.Integer(string="Read", compute="_compute_results")
    failed_count = fields.Integer(string="Failed", compute="_compute_results")
    skipped_count = fields.Integer(string="Skipped", compute="_compute_results")
    opted_out_count = fields.Integer(
        string="Opted out since",
        compute="_compute_results",
        help="Recipients who stopped announcements since it began.",
    )
    reply_count = fields.Integer(
        string="Replies", compute="_compute_results", help="Recipients who wrote back within 24 hours of it."
    )
    failure_summary = fields.Text(string="Failures by reason", compute="_compute_results")

    # ------------------------------------------------------------------ audience and estimate

    def _audience_sql(self):
        """The citizens this broadcast goes to now: (partner_id, phone, lang, in_window)."""
        self.ensure_one()
        now = fields.Datetime.now()
        conditions = [SQL("p.active AND p.mp15_whatsapp_opt_in"), self._audience_reachable()]
        if self.ward_ids:
            conditions.append(SQL("p.mp15_ward_id IN %s", tuple(self.ward_ids.ids)))
        if self.category_ids:
            conditions.append(
                SQL(
                    """EXISTS (SELECT 1 FROM mp15_grievance g
                                WHERE g.partner_id = p.id AND g.active AND g.category_id IN %s
                                  AND (g.state NOT IN %s OR g.create_date >= %s))""",
                    tuple(self.category_ids.ids),
                    CLOSED_GRIEVANCE_STATES,
                    now - timedelta(days=max(0, self.grievance_days)),
                )
            )
        phone, conversation = self._audience_conversation()
        return SQL(
            """
            SELECT p.id AS partner_id, %s AS phone,
                   COALESCE(c.lang, 'hi') AS lang,
                   COALESCE(c.last_inbound_at > %s, FALSE) AS in_window
              FROM res_partner p
              %s
             WHERE %s
            """,
            phone,
            now - timedelta(hours=24),
            conversation,
            SQL(" AND ").join(conditions),
        )

    def _audience_reachable(self):
        """Which contacts this broadcast's account can reach: citizens with their WhatsApp number."""
        return SQL("p.mp15_phone IS NOT NULL")

    def _audience_conversation(self):
        """(the number to send to, the join to the citizen's conversation on this account: language, window)."""
        return SQL("p.mp15_phone"), SQL(
            "LEFT JOIN mp15_whatsapp_conversation c ON c.account_id = %s AND c.phone = p.mp15_phone",
            self.account_id.id,
        )

    def _counts(self):
        """{(lang, in_window): citizens}, of the audience while a draft, of the recipients once approved."""
        self.ensure_one()
        self.env.flush_all()  # the SQL below reads partners, conversations and recipients as stored
        if self.state in ("draft", "to_approve"):
            if not self.account_id:
                return {}
            source = SQL("(%s) AS audience", self._audience_sql())
        else:
            source = SQL(
                "(SELECT lang, in_window FROM mp15_broadcast_recipient WHERE broadcast_id = %s) AS audience", self.id
            )
        self.env.cr.execute(SQL("SELECT lang, in_window, count(*) FROM %s GROUP BY lang, in_window", source))
        return {(lang, bool(in_window)): count for lang, in_window, count in self.env.cr.fetchall()}

    @api.depends("state", "account_id", "template_id", "template_en_id", "ward_ids", "category_ids", "grievance_days")
    def _compute_estimate(self):
        for broadcast in self:
            if not broadcast.id:
                broadcast.update(recipient_count=0, window_open_count=0, estimated_cost=0, estimated_duration=False)
                continue
            counts = broadcast._counts()
            cost = 0.0
            for (lang, in_window), count in counts.items():
                if not in_window:
                    cost += count * broadcast._price(broadcast._template_for(lang)[0])
            total = sum(counts.values())
            broadcast.recipient_count = total
            broadcast.window_open_count = sum(count for (_lang, in_window), count in counts.items() if in_window)
            broadcast.estimated_cost = round(cost, 2)
            broadcast.estimated_duration = broadcast._duration_text(total - broadcast.window_open_count, total)

    def _price(self, template):
        account = self.account_id
        return {"marketing": account.price_marketing, "utility": account.price_utility}.get(template.category, 0.0)

    def _duration_text(self, limited, total):
        """How long sending ``total`` messages takes, ``limited`` of them counted against the messaging limit."""
        account = self.account_id
        if not total or not account:
            return False
        seconds = math.ceil(total / max(1, account.rate_limit_mps))
        limit = account.messaging_limit
        if not limit or limited <= limit:
            if seconds < 60:
                return _("under a minute")
            if seconds < 2 * 3600:
                return _("about %(minutes)s minutes", minutes=math.ceil(seconds / 60))
            return _("about %(hours)s hours", hours=math.ceil(seconds / 3600))
        days = math.ceil(limited / limit)
        return _(
            "%(days)s days: at most %(limit)s citizens a day (the number's messaging limit)", days=days, limit=limit
        )

    def _template_for(self, lang):
        """(template, parameters) for a citizen who reads ``lang``."""
        self.ensure_one()
        if lang == "en" and self.template_en_id:
            return self.template_en_id, _lines(self.parameters_en)
        return self.template_id, _lines(self.parameters)

    @api.model
    def _rendered_body(self, template, parameters):
        """The template's text as the citizen reads it (for the message list)."""
        body = template.body or template.name
        for number, value in enumerate(parameters, start=1):
            body = body.replace(f"{{{{{number}}}}}", value)
        return body

    # ------------------------------------------------------------------ results

    @api.depends("state", "recipient_ids.state")
    def _compute_results(self):
        states = {state for state, _label in RECIPIENT_STATES}
        for broadcast in self:
            counts = dict.fromkeys(states, 0)
            failures, opted_out, replies = [], 0, 0
            if broadcast.id and broadcast.state not in ("draft", "to_approve"):
                counts.update(broadcast._recipient_counts())
                failures, opted_out, replies = broadcast._outcome_figures()
            broadcast.update(
                {
                    "queued_count": counts["queued"],
                    "sent_count": counts["sent"] + counts["delivered"] + counts["read"],
                    "delivered_count": counts["delivered"] + counts["read"],
                    "read_count": counts["read"],
                    "failed_count": counts["failed"],
                    "skipped_count": counts["skipped"],
                    "opted_out_count": opted_out,
                    "reply_count": replies,
                    "failure_summary": "\n".join(failures) or False,
                    "continues_at": broadcast._continues_at() if counts["queued"] else False,
                }
            )

    def _recipient_counts(self):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT state, count(*) FROM mp15_broadcast_recipient WHERE broadcast_id = %s GROUP BY state", (self.id,)
        )
        return dict(self.env.cr.fetchall())

    def _outcome_figures(self):
        """(failures by reason, citizens who opted out since it began, citizens who replied within 24 hours)."""
        self.env.cr.execute(
            """
            SELECT error_code, min(error_message), count(*) FROM mp15_broadcast_recipient
             WHERE broadcast_id = %s AND state = 'failed' GROUP BY error_code ORDER BY count(*) DESC
            """,
            (self.id,),
        )
        failures = [
            self.env._("%(count)s × %(reason)s", count=count, reason=(message or str(code)).splitlines()[0])
            for code, message, count in self.env.cr.fetchall()
        ]
        self.env.cr.execute(
            """
            SELECT count(*) FILTER (WHERE NOT p.mp15_whatsapp_opt_in AND p.mp15_opt_in_date >= %s),
                   count(*) FILTER (WHERE r.date_sent IS NOT NULL AND EXISTS (
                       SELECT 1 FROM mp15_whatsapp_message m
                        WHERE m.direction = 'in' AND m.account_id = %s AND m.phone = r.phone
                          AND COALESCE(m.wa_timestamp, m.create_date) >= r.date_sent
                          AND COALESCE(m.wa_timestamp, m.create_date) < r.date_sent + interval '24 hours'))
              FROM mp15_broadcast_recipient r JOIN res_partner p ON p.id = r.partner_id
             WHERE r.broadcast_id = %s
            """,
            (self.date_started or self.date_approved or self.create_date, self.account_id.id, self.id),
        )
        opted_out, replies = self.env.cr.fetchone()
        return failures, opted_out, replies

    def _continues_at(self):
        """When a broadcast held back by the messaging limit goes on; False while it is not held back."""
        if self.state != "sending" or self.account_id._broadcast_allowance() > 0:
            return False
        return self.account_id._broadcast_capacity_back_at() or False

    # ------------------------------------------------------------------ flow

    @api.model_create_multi
    def create(self, vals_list):
        if any(FLOW_FIELDS & vals.keys() for vals in vals_list) and not self.env.su:
            raise AccessError(_("A broadcast starts as a draft; it moves on only by its buttons."))
        return super().create(vals_list)

    def write(self, vals):
        if FLOW_FIELDS & vals.keys() and not self.env.su:
            raise AccessError(_("A broadcast moves on only by its buttons: submit, approve, cancel."))
        if CONTENT_FIELDS & vals.keys() and any(broadcast.state != "draft" for broadcast in self):
            raise UserError(_("Only a draft broadcast can be changed: set it back to draft first."))
        return super().write(vals)

    def _check_manager(self):
        self.check_access("write")
        if not self.env.user.has_group("mp15_grievance.group_manager"):
            raise AccessError(_("Only managers may submit, approve or cancel broadcasts."))
        if not self:
            raise UserError(_("Select the records to act on."))

    def _check_ready(self):
        """What Meta would refuse, said before anyone approves it."""
        self.invalidate_recordset(["recipient_count", "window_open_count", "estimated_cost", "estimated_duration"])
        for broadcast in self:
            for template, parameters in (
                (broadcast.template_id, _lines(broadcast.parameters)),
                (broadcast.template_en_id, _lines(broadcast.parameters_en)),
            ):
                if not template:
                    continue
                if template.status != "approved" or template.category not in ("marketing", "utility"):
                    raise UserError(
                        _(
                            "The template %(template)s is not an approved marketing or utility template.",
                            template=template.display_name,
                        )
                    )
                if template.account_id != broadcast.account_id:
                    raise UserError(
                        _(
                            "The template %(template)s belongs to another WhatsApp account.",
                            template=template.display_name,
                        )
                    )
                if len(parameters) != template.parameter_count:
                    raise UserError(
                        _(
                            "The template %(template)s needs %(needed)s parameters, one per line; %(given)s given.",
                            template=template.display_name,
                            needed=template.parameter_count,
                            given=len(parameters),
                        )
                    )
            if not broadcast.recipient_count:
                raise UserError(_("No opted-in citizen matches this broadcast's wards and categories."))

    def action_submit(self):
        """Draft → waiting for approval (a manager); another manager approves it."""
        self._check_manager()
        if any(broadcast.state != "draft" for broadcast in self):
            raise UserError(_("Only a draft broadcast can be submitted."))
        self._check_ready()
        self.sudo().write({"state": "to_approve", "submitted_by_id": self.env.uid})
        for broadcast in self:
            broadcast._message_log(  # a note in its history, whatever the manager's email settings
                body=_(
                    "Submitted for approval: %(count)s citizens, about ₹%(cost)s, %(duration)s.",
                    count=broadcast.recipient_count,
                    cost=broadcast.estimated_cost,
                    duration=broadcast.estimated_duration,
                )
            )
        return True

    def action_approve(self):
        """Waiting → scheduled, by a manager other than the one who drafted or submitted it; the recipients
        are fixed now (one INSERT) and the estimate is theirs."""
        self._check_manager()
        for broadcast in self:
            if broadcast.state != "to_approve":
                raise UserError(_("Only a broadcast waiting for approval can be approved."))
            if self.env.uid in (broadcast.create_uid.id, broadcast.submitted_by_id.id):
                raise AccessError(
                    _("Another manager must approve this broadcast: nobody writes to the whole city alone.")
                )
        self._check_ready()
        self.env.flush_all()
        for broadcast in self:
            audience = broadcast._audience_sql()
            broadcast.sudo().write(
                {"state": "scheduled", "approved_by_id": self.env.uid, "date_approved": fields.Datetime.now()}
            )
            self.env["mp15.broadcast.recipient"].sudo()._enqueue(broadcast, audience)
        self.env.ref("mp15_grievance.ir_cron_run_broadcasts")._trigger()
        return True

    def action_draft(self):
        """Back to draft from waiting for approval (to change it, or refused by the approver)."""
        self._check_manager()
        if any(broadcast.state != "to_approve" for broadcast in self):
            raise UserError(_("Only a broadcast waiting for approval can be sent back to draft."))
        self.sudo().write({"state": "draft", "submitted_by_id": False})
        return True

    def action_cancel(self):
        """Stop it: nothing more goes out; what was sent stays recorded."""
        self._check_manager()
        if any(broadcast.state in ("done", "cancelled") for broadcast in self):
            raise UserError(_("This broadcast is already finished."))
        waiting = (
            self.env["mp15.broadcast.recipient"]
            .sudo()
            .search([("broadcast_id", "in", self.ids), ("state", "=", "queued"), ("message_id", "=", False)])
        )
        waiting._skip(_("The broadcast was cancelled."))
        self.sudo().write({"state": "cancelled", "date_done": fields.Datetime.now()})
        return True

    def action_open_recipients(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("mp15_grievance.mp15_broadcast_recipient_action")
        action["domain"] = [("broadcast_id", "=", self.id)]
        return action

    @api.model
    def _cron_run(self):
        """Start scheduled broadcasts whose time has come, wake the sender, finish those with nobody left."""
        now = fields.Datetime.now()
        due = self.sudo().search([("state", "=", "scheduled"), ("scheduled_at", "<=", now)])
        due.write({"state": "sending", "date_started": now})
        sending = self.sudo().search([("state", "=", "sending")])
        if not sending:
            return
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT DISTINCT broadcast_id FROM mp15_broadcast_recipient WHERE broadcast_id IN %s AND state = 'queued'",
            (tuple(sending.ids),),
        )
        unfinished = {row[0] for row in self.env.cr.fetchall()}
        sending.filtered(lambda b: b.id not in unfinished).write({"state": "done", "date_done": now})
        if unfinished:
            self.env.ref("mp15_grievance.ir_cron_send_whatsapp")._trigger()


def _lines(text):
    """Template parameters, one per non-empty line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
