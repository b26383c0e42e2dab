"""WhatsApp accounts: the corporation's numbers, their connection, rate, daily limit, prices and templates."""

import secrets
from datetime import timedelta

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools import cloud_api, messages, urls, webhook
from ..tools.cloud_api import CloudApiClient

DEFAULT_GRAPH_URL = "https://graph.facebook.com/v21.0"
GRAPH_URL_ALLOWLIST_PARAM = urls.GRAPH_URL_ALLOWLIST_PARAM


class Mp15WhatsappAccount(models.Model):
    """A WhatsApp Business phone number the corporation talks to citizens through."""

    _name = "mp15.whatsapp.account"
    _description = "WhatsApp Account"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "name, id"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    phone_number_id = fields.Char(
        string="Phone number ID", required=True, tracking=True, help="From Meta: WhatsApp > API Setup."
    )
    display_phone_number = fields.Char(string="Phone number", help="As citizens dial it, e.g. +91 89826 00918.")
    waba_id = fields.Char(string="WhatsApp Business Account ID", tracking=True)
    access_token = fields.Char(
        groups="mp15_grievance.group_manager",
        copy=False,
        help="A permanent System User token with whatsapp_business_messaging permission.",
    )
    app_secret = fields.Char(
        groups="mp15_grievance.group_manager",
        copy=False,
        help="Meta app secret: every webhook is signed with it (X-Hub-Signature-256).",
    )
    verify_token = fields.Char(
        groups="mp15_grievance.group_manager",
        copy=False,
        default=lambda self: secrets.token_urlsafe(24),
        help="Any secret string; type the same in Meta's webhook settings.",
    )
    graph_url = fields.Char(string="Graph API URL", required=True, default=DEFAULT_GRAPH_URL)
    rate_limit_mps = fields.Integer(
        string="Messages per second", default=80, help="Meta allows 80 per second per number unless upgraded."
    )
    messaging_limit = fields.Integer(
        string="Messaging limit (24 h)",
        default=250,
        help="Meta's messaging limit: how many citizens may be written to first (templates outside their "
        "24-hour window) in any moving 24 hours. Tiers: 250, 2,000, 10,000, 100,000; 0 = unlimited. "
        "Broadcasts stop at it and continue when the oldest sends are 24 hours old.",
    )
    price_marketing = fields.Float(
        string="Price of a marketing message (₹)",
        digits=(12, 3),
        default=0.86,
        help="What Meta charges per delivered marketing template in India (announcements of schemes).",
    )
    price_utility = fields.Float(
        string="Price of a utility message (₹)",
        digits=(12, 3),
        default=0.115,
        help="What Meta charges per delivered utility template in India (notices about the citizen's own "
        "service). Messages inside a citizen's 24-hour window are free.",
    )
    template_ids = fields.One2many("mp15.whatsapp.template", "account_id", string="Templates")
    template_status_update_id = fields.Many2one(
        "mp15.whatsapp.template",
        string="Status update template record",
        domain="[('account_id', '=', id), ('status', '=', 'approved'), ('category', '=', 'utility')]",
        help="An approved utility template synced from Meta; choosing it sets the name and language below.",
    )
    template_feedback_id = fields.Many2one(
        "mp15.whatsapp.template",
        string="Feedback template record",
        domain="[('account_id', '=', id), ('status', '=', 'approved'), ('category', '=', 'utility')]",
        help="An approved utility template synced from Meta; choosing it sets the name and language below.",
    )
    template_status_update = fields.Char(
        string="Status update template",
        help="Approved utility template sent when the citizen's 24-hour window is closed. "
        "Body parameters: {{1}} reference, {{2}} status, {{3}} portal link.",
    )
    template_feedback = fields.Char(
        string="Feedback template",
        help="Approved utility template asking for feedback outside the 24-hour window. "
        "Body parameters: {{1}} reference, {{2}} portal link.",
    )
    template_language = fields.Char(default="hi", help="Language code the templates were approved in (hi, en).")
    sending_blocked = fields.Char(
        readonly=True,
        copy=False,
        tracking=True,
        help="Why Meta refused to send (expired token, restricted account). Sending stops until cleared.",
    )
    webhook_url = fields.Char(compute="_compute_webhook_url", help="Paste this in Meta's webhook settings.")
    message_in_count = fields.Integer(compute="_compute_message_counts", string="Received")
    message_out_count = fields.Integer(compute="_compute_message_counts", string="Sent")
    message_failed_count = fields.Integer(compute="_compute_message_counts", string="Failed")

    _sql_constraints = [
        ("phone_number_id_unique", "unique(phone_number_id)", "This phone number ID is already configured."),
        ("rate_limit_positive", "check(rate_limit_mps > 0)", "Messages per second must be at least 1."),
        ("messaging_limit_positive", "check(messaging_limit >= 0)", "The messaging limit cannot be negative."),
    ]

    def _compute_webhook_url(self):
        base_url = self.get_base_url()
        for account in self:
            account.webhook_url = f"{base_url}/mp15/whatsapp/webhook"

    def _compute_message_counts(self):
        counts = {
            (account.id, direction, state): count
            for account, direction, state, count in self.env["mp15.whatsapp.message"]._read_group(
                [("account_id", "in", self.ids)], ["account_id", "direction", "state"], ["__count"]
            )
        }
        for account in self:
            account.message_in_count = sum(
                counts.get((account.id, "in", state), 0) for state in ("received", "processed", "error")
            )
            account.message_out_count = sum(
                counts.get((account.id, "out", state), 0) for state in ("sent", "delivered", "read")
            )
            account.message_failed_count = counts.get((account.id, "out", "failed"), 0)

    @api.constrains("template_status_update", "template_feedback", "template_language")
    def _check_templates(self):
        """A template the sender cannot build would stop the queue at the first closed window."""
        for account in self:
            for name in filter(None, (account.template_status_update, account.template_feedback)):
                try:
                    messages.template_message("+919000000000", name, account.template_language or "hi")
                except ValueError as error:
                    raise ValidationError(
                        _(
                            "The WhatsApp template %(name)s cannot be sent: %(reason)s. Use the template's name "
                            "and language code as approved in Meta (like grievance_status_update, hi).",
                            name=name,
                            reason=error,
                        )
                    ) from error

    @api.constrains("graph_url")
    def _check_graph_url(self):
        """No server-side request forgery: the token goes only where a system administrator allowed."""
        allowlist = self._graph_url_allowlist()
        for account in self:
            if not urls.url_allowed(account.graph_url, allowlist):
                raise ValidationError(
                    _(
                        "The Graph API URL %(url)s is not allowed: it must start with one of %(prefixes)s "
                        "(system parameter %(param)s, changed by system administrators only).",
                        url=account.graph_url or "",
                        prefixes=", ".join(allowlist) or "-",
                        param=GRAPH_URL_ALLOWLIST_PARAM,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_system_fields(
                {
                    name
                    for name, default in self._system_only_fields().items()
                    if name in vals and (vals[name] or False) != default
                }
            )
        accounts = super().create([self._with_template_names(vals) for vals in vals_list])
        self.env.registry.clear_cache()
        return accounts

    def write(self, vals):
        self._check_system_fields(
            {
                name
                for name in self._system_only_fields()
                if name in vals and any((account[name] or False) != (vals[name] or False) for account in self)
            }
        )
        result = super().write(self._with_template_names(vals))
        if {"phone_number_id", "app_secret", "verify_token", "active"} & vals.keys():
            self.env.registry.clear_cache()  # _webhook_secrets, cached in every worker
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    @api.model
    def _with_template_names(self, vals):
        """A template record chosen for the closed-window fallback also sets the name and language it is sent by."""
        vals = dict(vals)
        for record_field, name_field in (
            ("template_status_update_id", "template_status_update"),
            ("template_feedback_id", "template_feedback"),
        ):
            if vals.get(record_field):
                template = self.env["mp15.whatsapp.template"].browse(vals[record_field])
                vals.setdefault(name_field, template.name)
                vals.setdefault("template_language", template.language)
        return vals

    def _link_fallback_templates(self):
        """After a sync: the fallback templates named on the account, as records (when Meta has them)."""
        for account in self:
            for record_field, name_field in (
                ("template_status_update_id", "template_status_update"),
                ("template_feedback_id", "template_feedback"),
            ):
                if account[record_field] or not account[name_field]:
                    continue
                template = account.template_ids.filtered(
                    lambda t, name=account[name_field], account=account: (
                        t.name == name
                        and t.language == (account.template_language or "hi")
                        and t.status == "approved"
                        and t.category == "utility"
                    )
                )[:1]
                if template:
                    account[record_field] = template

    @api.model
    def _system_only_fields(self):
        """Where an account sends its requests (and its token), with the value anyone may keep: only
        system administrators (Settings) change these."""
        return {"graph_url": DEFAULT_GRAPH_URL}

    @api.model
    def _check_system_fields(self, changed):
        """Refuse a change of ``changed`` (connection fields) unless the caller is a system administrator."""
        if changed and not self.env.su and not self.env.user.has_group("base.group_system"):
            raise AccessError(
                _(
                    "Only system administrators (Settings) may change where a WhatsApp account connects to "
                    "(%(fields)s).",
                    fields=", ".join(sorted(self._fields[name].string for name in changed if name in self._fields)),
                )
            )

    @api.model
    def _graph_url_allowlist(self):
        """The URL prefixes a ``graph_url`` may start with (system parameter, set by system administrators)."""
        value = self.env["ir.config_parameter"].sudo().get_param(GRAPH_URL_ALLOWLIST_PARAM)
        return urls.parse_allowlist(value) if value is not None else urls.DEFAULT_GRAPH_URL_ALLOWLIST

    @api.model
    def _allow_graph_url_prefix(self, prefix):
        """Add ``prefix`` to the allow-list (tests, the simulator's data). Not callable over RPC."""
        allowlist = self._graph_url_allowlist()
        if prefix not in allowlist:
            self.env["ir.config_parameter"].sudo().set_param(GRAPH_URL_ALLOWLIST_PARAM, ",".join((*allowlist, prefix)))

    # ------------------------------------------------------------------ webhook

    @api.model
    @tools.ormcache()
    def _webhook_secrets(self):
        """(account id, phone_number_id, app secret, verify token) of active accounts, read once per worker."""
        accounts = self.sudo().search([])
        return tuple(
            (account.id, account.phone_number_id, account.app_secret or "", account.verify_token or "")
            for account in accounts
        )

    @api.model
    def _webhook_handshake(self, params):
        """The challenge to echo when Meta's verify token matches an active account, else None."""
        return webhook.verify_handshake(params, [token for _id, _number, _secret, token in self._webhook_secrets()])

    @api.model
    def _webhook_signed_numbers(self, raw_body, signature_header):
        """{phone_number_id: account id} of the accounts whose app secret signed ``raw_body``."""
        return {
            number: account_id
            for account_id, number, secret, _token in self._webhook_secrets()
            if secret and webhook.verify_signature(raw_body, signature_header, secret)
        }

    # ------------------------------------------------------------------ sending

    def _client(self):
        """The Cloud API client; raises ``GraphUrlNotAllowed`` for a URL off the allow-list, even one
        stored before the constraint (defence in depth)."""
        self.ensure_one()
        account = self.sudo()
        return CloudApiClient(
            account._effective_graph_url(),
            account.phone_number_id,
            account.access_token or "",
            allowed_prefixes=self._graph_url_allowlist(),
        )

    def _effective_graph_url(self):
        """The Graph API base URL the sender calls (an addon may point an account elsewhere)."""
        self.ensure_one()
        return self.graph_url

    def _block_sending(self, reason):
        """Stop sending through this account and tell the administrators why."""
        for account in self.filtered(lambda a: a.sending_blocked != reason):
            account.sending_blocked = reason
            managers = self.env.ref("mp15_grievance.group_manager").users.filtered(lambda u: not u.share)
            for manager in managers[:5]:
                in_lang = account.with_context(lang=manager.lang or self.env.lang)  # the manager's language
                in_lang.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=in_lang.env._("WhatsApp sending stopped"),
                    note=reason,
                    user_id=manager.id,
                )

    def action_resume_sending(self):
        """Clear a stop and send what waited (Commissioner); nothing is woken for anyone else, nor for nothing."""
        self.check_access("write")
        if not self:
            raise UserError(_("Select the records to act on."))
        blocked = self.filtered("sending_blocked")
        if not blocked:
            return False
        blocked.sending_blocked = False
        self.env.ref("mp15_grievance.ir_cron_send_whatsapp")._trigger()
        return True

    # ------------------------------------------------------------------ broadcasts

    def _broadcast_used(self):
        """Broadcast messages of this account sent in the last 24 hours, or taken and not yet answered."""
        self.ensure_one()
        self.env["mp15.whatsapp.message"].flush_model(["account_id", "broadcast_recipient_id", "date_sent", "state"])
        self.env.cr.execute(
            """
            SELECT count(*) FROM mp15_whatsapp_message
             WHERE account_id = %s AND broadcast_recipient_id IS NOT NULL
               AND (date_sent > %s OR (state = 'queued' AND date_sent IS NULL))
            """,
            (self.id, fields.Datetime.now() - timedelta(hours=24)),
        )
        return self.env.cr.fetchone()[0]

    def _broadcast_allowance(self):
        """How many more citizens broadcasts may write to now without passing the messaging limit."""
        self.ensure_one()
        if not self.messaging_limit:
            return 10**9
        return max(0, self.messaging_limit - self._broadcast_used())

    def _broadcast_capacity_back_at(self):
        """When the oldest broadcast send of the last 24 hours ages out (the limit frees up), or None."""
        self.ensure_one()
        self.env["mp15.whatsapp.message"].flush_model(["account_id", "broadcast_recipient_id", "date_sent"])
        self.env.cr.execute(
            """
            SELECT min(date_sent) FROM mp15_whatsapp_message
             WHERE account_id = %s AND broadcast_recipient_id IS NOT NULL AND date_sent > %s
            """,
            (self.id, fields.Datetime.now() - timedelta(hours=24)),
        )
        oldest = self.env.cr.fetchone()[0]
        return oldest + timedelta(hours=24) if oldest else None

    def action_sync_templates(self):
        """The Sync templates button: this account's templates as Meta has them now."""
        self.check_access("write")
        for account in self:
            account._sync_templates()
        return True

    def _sync_templates(self):
        """Create or update this account's templates from Meta (GET /{waba_id}/message_templates)."""
        self.ensure_one()
        if not self.waba_id:
            raise UserError(_("Set the WhatsApp Business Account ID of %(account)s first.", account=self.name))
        try:
            with self._client() as client:
                items = client.list_templates(self.waba_id)
        except (cloud_api.CloudApiError, ValueError) as error:
            raise UserError(
                _(
                    "Meta did not list the templates of %(account)s: %(error)s",
                    account=self.name,
                    error=error.error.summary() if isinstance(error, cloud_api.CloudApiError) else error,
                )
            ) from error
        templates = self.env["mp15.whatsapp.template"].sudo()._upsert_from_meta(self, items)
        self.sudo()._link_fallback_templates()
        return templates

    def action_open_messages(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("mp15_grievance.mp15_whatsapp_message_action")
        action["domain"] = [("account_id", "=", self.id)]
        return action

    @api.model
    def _default_account(self):
        """The number the corporation writes to citizens from when they have not written to one."""
        return self.sudo().search(self._citizen_facing_domain(), order="id", limit=1)

    @api.model
    def _citizen_facing_domain(self):
        """The accounts real citizens may be written to on (all active ones here)."""
        return []
