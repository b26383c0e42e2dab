"""What the bot knows of a citizen besides the text's category: the answer asked for, places named, announcements."""

from odoo import models

from ..tools import dialogue
from ..tools.answers import match_answer
from ..tools.gazetteer import read_places

WATER_TIMING_ANSWER = "mp15_grievance.bot_answer_water_timing"  # followed by the timing of the citizen's ward


class Mp15WhatsappConversation(models.Model):
    _inherit = "mp15.whatsapp.conversation"

    def _understand(self, text):
        """The ``Event`` fields read from a text: its classification, the answer to it, the places it names.

        The category is read from the text without the place names ("Teen Batti" is not a street light).
        """
        if not text:
            return {"classification": None}
        place_ids, rest = read_places(text, self.env["mp15.place"]._candidates())
        places = self._place_infos(place_ids)
        return {
            "classification": self._classifier().classify(rest),
            "answer": self._answer_info(rest, places),
            "places": places,
        }

    def _place_infos(self, place_ids):
        places = self.env["mp15.place"].sudo().with_context(lang=self._odoo_lang()).browse(place_ids)
        return tuple(
            dialogue.PlaceInfo(
                id=place.id, title=place.name, ward_id=place.ward_id.id, ward_title=place.ward_id.display_name
            )
            for place in places
        )

    def _answer_info(self, text, places):
        """The answer that fits ``text`` in the citizen's language, or None; water timings name the ward's."""
        answer_id = match_answer(text, self.env["mp15.bot.answer"]._candidates())
        if not answer_id:
            return None
        lang = self._odoo_lang()
        answer = self.env["mp15.bot.answer"].sudo().with_context(lang=lang).browse(answer_id)
        body = answer.body
        water_timing = self.env.ref(WATER_TIMING_ANSWER, raise_if_not_found=False)
        ward = self._citizen_ward({place.ward_id for place in places}).with_context(lang=lang)
        if answer == water_timing and ward.water_supply_timing:
            timing = self._render("water_timing_of_ward", ward=ward.display_name, timing=ward.water_supply_timing)
            body = f"{body}\n\n{timing}"
        return dialogue.AnswerInfo(id=answer.id, text=body)

    def _citizen_ward(self, named_ward_ids=()):
        """The ward the citizen is asking about: the one their text names, else that of their latest grievance."""
        Ward = self.env["mp15.ward"].sudo()
        if len(named_ward_ids) == 1:
            return Ward.browse(next(iter(named_ward_ids)))
        latest = (
            self.env["mp15.grievance"]
            .sudo()
            .search([("partner_id", "=", self.partner_id.id), ("ward_id", "!=", False)], order="id desc", limit=1)
        )
        return latest.ward_id or Ward

    def _announcement_facts(self, grievances_newest_first=None):
        """The ``Event`` fields about announcements: whether the citizen gets them, the ward to propose."""
        partner = self.partner_id.sudo()
        if not partner:
            return {}
        ward = partner._mp15_announcement_ward(grievances_newest_first).with_context(lang=self._odoo_lang())
        return {
            "opted_in": partner.mp15_whatsapp_opt_in,
            "announcement_ward": dialogue.WardInfo(id=ward.id, number=ward.number, title=ward.display_name)
            if ward
            else None,
        }

    def _announcement_ward_title(self):
        """The citizen's announcements ward in their language, or "the whole city" when none is stored."""
        ward = self.partner_id.sudo().mp15_ward_id.with_context(lang=self._odoo_lang())
        return ward.display_name if ward else self._render("announce_whole_city")
