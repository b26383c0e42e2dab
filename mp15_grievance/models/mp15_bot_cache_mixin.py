"""Records the bot reads on every message (categories, answers, places): cached per worker, cleared on any change."""

from odoo import api, models


class Mp15BotCacheMixin(models.AbstractModel):
    """Read through ``tools.ormcache`` methods on the message path; a change clears the cache in every worker.

    ``_bot_cached_fields``: the fields those cached methods read. Creating or deleting a record, writing
    one of those fields or editing their translations clears Odoo's model cache (every worker reloads it
    at its next request: ``registry.clear_cache`` is signalled through the database).
    """

    _name = "mp15.bot.cache.mixin"
    _description = "Read by the bot on every message"
    _bot_cached_fields = frozenset()

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        result = super().write(vals)
        if self._bot_cached_fields & vals.keys():
            self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    def update_field_translations(self, field_name, translations, source_lang=None):
        result = super().update_field_translations(field_name, translations, source_lang=source_lang)
        if field_name in self._bot_cached_fields:
            self.env.registry.clear_cache()
        return result
