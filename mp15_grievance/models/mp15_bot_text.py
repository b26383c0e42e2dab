"""Bot texts: what the WhatsApp bot says, edited side by side in Hindi and English."""

import re
import string
from collections import ChainMap

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

from ..tools.placeholders import LazyPlaceholders
from .mp15_bilingual_mixin import ENGLISH
from .mp15_grievance_settings_mixin import PLACEHOLDER_CONTROL_ROOM


class Mp15BotText(models.Model):
    """A text the WhatsApp bot sends, editable by administrators in every language."""

    _name = "mp15.bot.text"
    _inherit = ["mp15.bilingual.mixin"]
    _description = "Bot Text"
    _order = "key"
    _rec_name = "key"
    _bilingual_fields = {"text": ("text_hi", "text_en")}

    key = fields.Char(required=True, readonly=True, help="How the conversation engine refers to this text.")
    text = fields.Text(required=True, translate=True)
    description = fields.Char(translate=True, help="Where the bot sends it, and the {placeholders} it fills in.")
    text_hi = fields.Text(string="Hindi", compute="_compute_hindi", inverse="_inverse_bilingual")
    text_en = fields.Text(string="English", compute="_compute_english", inverse="_inverse_bilingual")
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
        """The text in the language being written: placeholders that parse, and none the English lacks."""
        # Messages in the user's language, not in the language of the text being checked.
        ui = self.env(context=dict(self.env.context, lang=self.env.user.lang or ENGLISH))
        for record in self:
            try:
                names = _placeholders(record.text)
            except ValueError as error:
                raise ValidationError(
                    ui._("The bot text %(key)s has a broken placeholder: %(error)s", key=record.key, error=error)
                ) from error
            if (record.env.lang or ENGLISH) == ENGLISH:
                continue
            unknown = names - _placeholders(record.with_context(lang=ENGLISH).text)
            if unknown:
                raise ValidationError(
                    ui._(
                        "The bot text %(key)s uses placeholders the English text does not have: %(unknown)s. "
                        "Use only the placeholders of the English text.",
                        key=record.key,
                        unknown=", ".join(f"{{{name}}}" for name in sorted(unknown)),
                    )
                )

    @api.model
    def _render(self, key, lang, params=None, **more):
        """The text ``key`` in ``lang`` with its placeholders filled; unknown placeholders stay visible.

        ``params``: a mapping whose values are read only for the placeholders the text uses (see
        ``LazyPlaceholders``); ``more`` wins over it.
        """
        return _fill(self._text(key, lang), ChainMap(more, params or {}, self._settings_params()))

    @api.model
    def _settings_params(self):
        """Placeholders any text may use, from the grievance settings: {control_room}."""
        parameters = self.env["ir.config_parameter"].sudo()

        def control_room():
            return parameters.get_param("mp15_grievance.control_room_phone") or PLACEHOLDER_CONTROL_ROOM

        return LazyPlaceholders({"control_room": control_room})

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

    def update_field_translations(self, field_name, translations, source_lang=None):
        """The field's language dialog writes around ``write``: check and refresh as ``write`` does."""
        result = super().update_field_translations(field_name, translations, source_lang=source_lang)
        if field_name == "text":
            for lang in sorted(translations, key=lambda code: code != ENGLISH):
                self.with_context(lang=lang)._check_text()
            self.env.registry.clear_cache()
        return result


def _placeholders(text):
    return {name for _literal, name, _spec, _conv in string.Formatter().parse(text or "") if name}


class _KeepMissing:
    """The values of ``format_map``: None as empty, an unknown name as itself; each read only when used."""

    def __init__(self, params):
        self.params = params

    def __getitem__(self, key):
        if key not in self.params:
            return "{" + key + "}"
        value = self.params[key]
        return "" if value is None else value


def _fill(text, params):
    """``str.format_map`` that leaves unknown ``{names}`` as they are and never raises."""
    try:
        return text.format_map(_KeepMissing(params))
    except (ValueError, IndexError, AttributeError):
        return re.sub(r"\{(\w+)\}", lambda match: str(params.get(match.group(1), match.group(0))), text)
