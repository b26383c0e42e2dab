"""Side-by-side Hindi and English editing of translatable fields: one computed field per language."""

from odoo import api, models

# The bot's two languages: Hindi by default, English on request.
HINDI, ENGLISH = "hi_IN", "en_US"


class Mp15BilingualMixin(models.AbstractModel):
    """A translatable field edited as two plain fields, its Hindi and its English, on one form.

    A model lists its field as ``_bilingual_fields = {"text": ("text_hi", "text_en")}`` and declares
    ``text_hi`` with ``compute="_compute_hindi"`` and ``text_en`` with ``compute="_compute_english"``, both
    with ``inverse="_inverse_bilingual"``. Two compute methods, not one: Odoo protects every field of a
    compute method while one of them is written, and the other language must still be read.
    """

    _name = "mp15.bilingual.mixin"
    _description = "Hindi and English Side by Side"
    _bilingual_fields = {}

    @api.depends(lambda model: tuple(model._bilingual_fields))
    def _compute_hindi(self):
        self._compute_language(HINDI, 0)

    @api.depends(lambda model: tuple(model._bilingual_fields))
    def _compute_english(self):
        self._compute_language(ENGLISH, 1)

    def _compute_language(self, lang, position):
        translated = self.with_context(lang=lang)
        for source, targets in self._bilingual_fields.items():
            for record, in_lang in zip(self, translated, strict=True):
                record[targets[position]] = in_lang[source]

    def _inverse_bilingual(self):
        # One inverse for both, English first: a Hindi text may be checked against the English one.
        for record in self:
            for source, (hindi_field, english_field) in self._bilingual_fields.items():
                for lang, value in ((ENGLISH, record[english_field]), (HINDI, record[hindi_field])):
                    if value != record.with_context(lang=lang)[source]:
                        record.with_context(lang=lang).write({source: value})
