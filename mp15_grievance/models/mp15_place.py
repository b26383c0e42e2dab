"""Places of the city (landmarks, bazaars, colonies, chowks) and the ward each belongs to: the bot's gazetteer."""

import re

from odoo import api, fields, models, tools

from ..tools.gazetteer import PlaceCandidate
from .mp15_bilingual_mixin import ENGLISH, HINDI


class Mp15Place(models.Model):
    """A place citizens name ("Teen Batti ke paas"): a complaint that names it is filed in its ward."""

    _name = "mp15.place"
    _inherit = ["mp15.bot.cache.mixin"]
    _description = "Place"
    _order = "name, id"
    _rec_names_search = ["name", "aliases"]
    _bot_cached_fields = frozenset({"name", "aliases", "ward_id", "active"})  # _candidates

    name = fields.Char(required=True, translate=True)
    aliases = fields.Text(
        string="Other spellings",
        help="Other ways citizens write this place, in Hindi and in Latin letters, one per line or separated "
        "by commas, e.g. teen batti, teenbatti, तीन बत्ती.",
    )
    ward_id = fields.Many2one("mp15.ward", required=True, index=True, ondelete="restrict")
    latitude = fields.Float(digits=(10, 7))
    longitude = fields.Float(digits=(10, 7))
    active = fields.Boolean(default=True)

    @api.depends("name", "ward_id")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for place in self:
            place.display_name = f"{place.name} ({place.ward_id.display_name})" if place.ward_id else place.name

    @api.model
    @tools.ormcache()
    def _candidates(self):
        """Every active place of an active ward with all its names (both languages, the aliases), once per worker."""
        places = self.sudo().search([("ward_id.active", "=", True)], order="id")
        hindi, english = places.with_context(lang=HINDI), places.with_context(lang=ENGLISH)
        return tuple(
            PlaceCandidate(
                id=place.id,
                names=tuple(dict.fromkeys(name for name in (en.name, hi.name, *_aliases(place.aliases)) if name)),
                ward_id=place.ward_id.id,
            )
            for place, hi, en in zip(places, hindi, english, strict=True)
        )


def _aliases(text):
    return [alias.strip() for alias in re.split(r"[,\n]", text or "") if alias.strip()]
