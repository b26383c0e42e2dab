"""The keywords a record is found by (categories, bot answers): one field, one check of what the bot can use."""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools.classifier import KEYWORDS_HELP, keyword_errors


class Mp15KeywordsMixin(models.AbstractModel):
    """``keywords`` written by administrators, refused with the faulty entry when the matcher cannot use them."""

    _name = "mp15.keywords.mixin"
    _description = "Found by keywords"

    keywords = fields.Text(help=KEYWORDS_HELP)

    @api.constrains("keywords")
    def _check_keywords(self):
        for record in self:
            problems = keyword_errors(record.keywords or "")
            if problems:
                raise ValidationError(
                    _(
                        "The keywords of %(record)s cannot be used: %(problems)s",
                        record=record.display_name,
                        problems="; ".join(problems),
                    )
                )
