"""WhatsApp templates: the messages Meta approved for writing first to citizens, synced from Meta daily."""

import logging
import re

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import messages

_logger = logging.getLogger(__name__)

PARAMETER_RE = re.compile(r"\{\{\s*(\d+)\s*\}\}")
CATEGORIES = [("marketing", "Marketing"), ("utility", "Utility"), ("authentication", "Authentication")]
STATUSES = [
    ("approved", "Approved"),
    ("pending", "Pending"),
    ("rejected", "Rejected"),
    ("paused", "Paused"),
    ("disabled", "Disabled"),
]
# Meta's statuses → ours; anything else Meta invents counts as not usable.
META_STATUS = {"APPROVED": "approved", "PENDING": "pending", "IN_APPEAL": "pending", "REJECTED": "rejected"}
META_STATUS.update({"PAUSED": "paused"})
QUALITIES = [("green", "High"), ("yellow", "Medium"), ("red", "Low"), ("unknown", "Unknown")]


class Mp15WhatsappTemplate(models.Model):
    """A message template of a WhatsApp account, as Meta approved (or refused) it."""

    _name = "mp15.whatsapp.template"
    _description = "WhatsApp Template"
    _order = "name, language, id"

    name = fields.Char(required=True, help="The template's name in Meta (lowercase letters, digits and _).")
    language = fields.Char(required=True, default="hi", help="Meta's language code: hi, en, en_US ...")
    category = fields.Selection(
        CATEGORIES,
        required=True,
        default="utility",
        help="Meta prices by category: marketing for announcements of schemes, utility for notices about "
        "the citizen's own service. Meta may re-categorise a template it disagrees with.",
    )
    status = fields.Selection(STATUSES, required=True, default="pending", help="Only approved templates are sent.")
    quality = fields.Selection(QUALITIES, default="unknown", help="Meta's quality rating from citizens' reactions.")
    account_id = fields.Many2one("mp15.whatsapp.account", string="WhatsApp account", required=True, ondelete="cascade")
    body = fields.Text(help="The text citizens read; {{1}}, {{2}} ... are filled per broadcast.")
    parameter_count = fields.Integer(
        string="Parameters", compute="_compute_parameter_count", store=True, help="How many {{n}} the body has."
    )
    meta_id = fields.Char(string="Meta template ID", readonly=True, copy=False)
    date_synced = fields.Datetime(string="Last synced", readonly=True, copy=False)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "name_language_unique",
            "unique(account_id, name, language)",
            "A template exists once per account, name and language.",
        ),
    ]

    @api.depends("body")
    def _compute_parameter_count(self):
        for template in self:
            numbers = {int(number) for number in PARAMETER_RE.findall(template.body or "")}
            template.parameter_count = max(numbers, default=0)

    @api.depends("name", "language", "category")
    def _compute_display_name(self):
        labels = dict(self._fields["category"]._description_selection(self.env))
        for template in self:
            template.display_name = f"{template.name} ({template.language}, {labels.get(template.category, '')})"

    @api.constrains("name", "language")
    def _check_name(self):
        for template in self:
            try:
                messages.template_message("+919000000000", template.name, template.language)
            except ValueError as error:
                raise ValidationError(
                    _("Meta would refuse the template %(name)s: %(reason)s", name=template.name, reason=error)
                ) from error

    def _payload(self, phone, parameters):
        """The send payload of this template to ``phone`` with body ``parameters`` (strings, in order)."""
        self.ensure_one()
        return messages.template_message(phone, self.name, self.language, parameters)

    # ------------------------------------------------------------------ sync from Meta

    @api.model
    def action_sync_all(self):
        """The Sync button of the template list: every account with a WhatsApp Business Account ID."""
        self.env["mp15.whatsapp.template"].check_access("create")
        accounts = self.env["mp15.whatsapp.account"].search([("waba_id", "!=", False)])
        if not accounts:
            raise UserError(_("Set the WhatsApp Business Account ID on a WhatsApp account first."))
        for account in accounts:
            account._sync_templates()
        return True

    @api.model
    def _cron_sync(self):
        """Daily: Meta approves, pauses and re-categorises templates on its own; a failure waits for tomorrow."""
        for account in self.env["mp15.whatsapp.account"].sudo().search([("waba_id", "!=", False)]):
            try:
                with self.env.cr.savepoint():
                    account._sync_templates()
            except UserError as error:
                _logger.warning("WhatsApp templates of account %s not synced: %s", account.id, error)

    @api.model
    def _upsert_from_meta(self, account, items):
        """Create or update ``account``'s templates from Meta's list; those Meta no longer lists are archived."""
        existing = {
            (template.name, template.language): template
            for template in self.with_context(active_test=False).search([("account_id", "=", account.id)])
        }
        now = fields.Datetime.now()
        seen = self.browse()
        for item in items:
            values = _values_from_meta(item)
            if not values:
                continue
            values.update(account_id=account.id, date_synced=now, active=True)
            template = existing.get((values["name"], values["language"]))
            if template:
                template.write(values)
            else:
                template = self.create(values)
            seen |= template
        (self.browse([template.id for template in existing.values()]) - seen).write({"active": False})
        return seen


def _values_from_meta(item):
    """Our fields from one template of Meta's list; None for one we cannot use (no name, unsendable name)."""
    name, language = item.get("name"), item.get("language")
    if not isinstance(name, str) or not isinstance(language, str):
        return None
    try:
        messages.template_message("+919000000000", name, language)
    except ValueError:
        return None
    category = str(item.get("category") or "").lower()
    quality = item.get("quality_score") if isinstance(item.get("quality_score"), dict) else {}
    body = next(
        (
            component.get("text")
            for component in item.get("components") or []
            if isinstance(component, dict) and component.get("type") == "BODY"
        ),
        "",
    )
    return {
        "name": name,
        "language": language,
        "category": category if category in dict(CATEGORIES) else "marketing",  # Meta's default, the dearest
        "status": META_STATUS.get(str(item.get("status") or "").upper(), "disabled"),
        "quality": str(quality.get("score") or "unknown").lower()
        if str(quality.get("score") or "").lower() in dict(QUALITIES)
        else "unknown",
        "body": body if isinstance(body, str) else "",
        "meta_id": str(item.get("id") or "") or False,
    }
