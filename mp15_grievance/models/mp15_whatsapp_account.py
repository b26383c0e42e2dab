import secrets

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools import messages, urls, webhook
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
        accounts = super().create(vals_list)
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
        result = super().write(vals)
        if {"phone_number_id", "app_secret", "verify_token", "active"} & vals.keys():
            self.env.registry.clear_cache()  # _webhook_secrets, cached in every worker
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

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
