import re
import string

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError


class Mp15BotText(models.Model):
    """A text the WhatsApp bot sends, editable by administrators in every language."""

    _name = "mp15.bot.text"
    _description = "Bot Text"
    _order = "key"
    _rec_name = "key"

    key = fields.Char(required=True, readonly=True, help="How the conversation engine refers to this text.")
    text = fields.Text(required=True, translate=True)
    description = fields.Char(help="Where the bot sends it, and the {placeholders} it fills in.")
    placeholders = fields.Char(
        compute="_compute_placeholders", help="The {placeholders} the default text uses; keep them."
    )

    _sql_constraints = [("key_unique", "unique(key)", "Each bot text key is used once.")]

    @api.depends("text")
    def _compute_placeholders(self):
        for record in self:
            record.placeholders = ", ".join(sorted(_placeholders(record.text)))

    @api.constrains("text")
    def _check_text(self):
        for record in self:
            try:
                _placeholders(record.text)
            except ValueError as error:
                raise ValidationError(
                    _("The bot text %(key)s has a broken placeholder: %(error)s", key=record.key, error=error)
                ) from error

    @api.model
    def _render(self, key, lang, **params):
        """The text ``key`` in ``lang`` with its placeholders filled; unknown placeholders stay visible."""
        return _fill(self._text(key, lang), params)

    @api.model
    @tools.ormcache("key", "lang")
    def _text(self, key, lang):
        record = self.sudo().with_context(lang=lang).search([("key", "=", key)], limit=1)
        if not record:
            raise ValueError(f"No bot text with key {key!r}")
        return record.text

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()  # _text, in every worker
        return result


def _placeholders(text):
    return {name for _literal, name, _spec, _conv in string.Formatter().parse(text or "") if name}


class _KeepMissing(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def _fill(text, params):
    """``str.format_map`` that leaves unknown ``{names}`` as they are and never raises."""
    try:
        return text.format_map(_KeepMissing({key: "" if value is None else value for key, value in params.items()}))
    except (ValueError, IndexError, AttributeError):
        return re.sub(r"\{(\w+)\}", lambda match: str(params.get(match.group(1), match.group(0))), text)
