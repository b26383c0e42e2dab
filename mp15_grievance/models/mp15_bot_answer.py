"""Bot answers: what the WhatsApp bot replies to a citizen's question, kept by administrators."""

from odoo import api, fields, models, tools

from ..tools.answers import AnswerCandidate


class Mp15BotAnswer(models.Model):
    """An answer the bot sends to a question instead of filing it, edited side by side in Hindi and English."""

    _name = "mp15.bot.answer"
    _inherit = ["mp15.bilingual.mixin", "mp15.bot.cache.mixin", "mp15.keywords.mixin"]
    _description = "Bot Answer"
    _order = "sequence, id"
    _bilingual_fields = {"body": ("body_hi", "body_en")}
    _bot_cached_fields = frozenset({"keywords", "active", "sequence"})  # _candidates

    name = fields.Char(string="Question", required=True, translate=True, help="What the citizen asks, in short.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    body = fields.Text(string="Answer", required=True, translate=True)
    body_hi = fields.Text(string="Hindi", compute="_compute_hindi", inverse="_inverse_bilingual")
    body_en = fields.Text(string="English", compute="_compute_english", inverse="_inverse_bilingual")

    @api.model
    @tools.ormcache()
    def _candidates(self):
        """The active answers as the matcher reads them, in order, built once per worker."""
        answers = self.sudo().search_fetch([], ["keywords"])
        return tuple(AnswerCandidate(id=answer.id, keywords=answer.keywords or "") for answer in answers)
