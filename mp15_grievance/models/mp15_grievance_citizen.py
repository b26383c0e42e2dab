"""Grievance: what the citizen is told, and the feedback only the citizen gives."""

import logging

from odoo import fields, models
from odoo.tools import format_datetime, html2plaintext

from ..tools.dialogue import feedback_options
from ..tools.placeholders import LazyPlaceholders
from .mp15_grievance import CORPORATION_TZ

_logger = logging.getLogger(__name__)


class Mp15Grievance(models.Model):
    _inherit = "mp15.grievance"

    phone_verified = fields.Boolean(
        string="Citizen's own number",
        readonly=True,
        copy=False,
        help="The number is the citizen's own: the grievance was filed from it on WhatsApp or by its owner on the "
        'portal, or the number wrote to us about it on WhatsApp. Only then does a "satisfied" answer count as '
        "confirmed by the citizen.",
    )

    def _verify_phone_from_whatsapp(self, phone):
        """The grievance's number wrote to us about it on WhatsApp: it is the citizen's (system bookkeeping)."""
        for grievance in self.filtered(lambda g: not g.phone_verified and g.phone and g.phone == phone):
            grievance.sudo().phone_verified = True

    def _last_public_note(self):
        """The latest message staff sent to the citizen ("Send message", not "Log note"), as plain text."""
        self.ensure_one()
        bot = self.env.ref("base.partner_root")  # the bot's own posts are not action notes
        notes = self._public_messages().filtered(lambda m: m.author_id != bot and self._is_staff_message(m))
        return html2plaintext(notes[0].body).strip() if notes else ""

    def _notify_citizen(self, text_key, fallback_template="status_update", buttons=None, image=None, is_update=True):
        """Tell the citizen on WhatsApp (portal/e-mail when they have no number).

        ``is_update``: this tells them about action taken, so it counts as their first update.
        """
        now = fields.Datetime.now()
        Conversation = self.env["mp15.whatsapp.conversation"].sudo()
        for grievance in self.sudo():
            try:
                conversation = Conversation._for_partner(grievance.partner_id)
                if conversation:
                    conversation._send_to_citizen(
                        text_key, grievance, fallback_template=fallback_template, buttons=buttons, image=image
                    )
                elif grievance.partner_id:
                    lang = grievance.partner_id.lang or "hi_IN"
                    body = self.env["mp15.bot.text"]._render(text_key, lang, grievance._citizen_params(lang))
                    grievance.message_post(
                        body=body,
                        author_id=self.env.ref("base.partner_root").id,
                        partner_ids=grievance.partner_id.ids,
                        message_type="comment",
                        subtype_xmlid="mail.mt_comment",
                    )
                else:
                    continue
            except ValueError as error:  # e.g. a bot text edited into something WhatsApp refuses
                _logger.warning("Citizen update %s for %s not sent: %s", text_key, grievance.name, error)
                grievance.message_post(
                    body=grievance._in_lang_of().env._(
                        "The citizen could not be told (%(text)s): %(error)s", text=text_key, error=error
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                continue
            if is_update and not grievance.date_first_update:
                grievance.date_first_update = now

    def _citizen_params(self, lang):
        """What bot texts about this grievance may say, in ``lang``: {ref} {stage} {link} …, each read only
        when the text uses it."""
        self.ensure_one()
        grievance = self.sudo().with_context(lang=lang)
        return LazyPlaceholders(
            {
                "ref": lambda: grievance.name,
                "department": lambda: grievance.department_id.name or "",
                "category": lambda: grievance.category_id.name or "",
                "stage": lambda: grievance.stage_id.name or "",
                "deadline": lambda: format_datetime(
                    self.env, grievance.sla_deadline, tz=CORPORATION_TZ, dt_format="d MMM, h:mm a", lang_code=lang
                ),
                "hours": lambda: grievance.sla_hours,
                "link": lambda: grievance._portal_link(lang),
                "last_note": lambda: grievance._last_public_note() or "—",
                "resolution_note": lambda: grievance.resolution_note or "",
                "ward": lambda: grievance.ward_id.display_name or "",
                "original": lambda: grievance.duplicate_of_id.name or "",
            }
        )

    def _portal_link(self, lang):
        """The citizen's link to the grievance's page, opening in ``lang`` whatever the browser prefers.

        Odoo's frontend (portal pages are ``website=True`` routes, see http_routing's ``_match``) takes the
        language from the URL's prefix first (/hi/my/…), then the ``frontend_lang`` cookie, which the
        prefix also sets; the default language's prefix is redirected away, keeping the cookie.
        """
        self.ensure_one()
        url_code = self.env["res.lang"]._get_data(code=lang).url_code
        prefix = f"/{url_code}" if url_code else ""
        grievance = self.sudo()  # the token link is for the system's own messages to the citizen
        return grievance.get_base_url() + prefix + grievance.get_portal_url()

    def _acknowledge_filing(self):
        """The reference, department, promised hours and portal link, for filings outside WhatsApp."""
        self._notify_citizen("filed_complete", is_update=False)

    def _notify_citizen_of_stage(self):
        """Every stage change is an update to the citizen, with the latest public action note."""
        if self.env.context.get("mp15_no_citizen_update"):
            return
        for grievance in self:
            if grievance.state in ("assigned", "in_progress"):
                grievance._notify_citizen("stage_update")
            elif grievance.state == "resolved":
                grievance._notify_citizen("resolved", image=grievance._resolution_image_url())
                grievance._notify_citizen(
                    "feedback_request", fallback_template="feedback", buttons=feedback_options(grievance.id)
                )
            elif grievance.state == "rejected":
                grievance._notify_citizen("rejected")

    def _resolution_image_url(self):
        """A link Meta can fetch the photo of the fix from (an access-token URL), or None."""
        self.ensure_one()
        if not self.resolution_image:
            return None
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [("res_model", "=", self._name), ("res_id", "=", self.id), ("res_field", "=", "resolution_image")],
                limit=1,
            )
        )
        if not attachment:
            return None
        token = attachment.access_token or attachment.generate_access_token()[0]
        return f"{self.get_base_url()}/web/image/{attachment.id}?access_token={token}"

    def _record_feedback(self, satisfied, channel):
        """The citizen's answer to "are you satisfied?": close, or reopen with a new deadline."""
        self.ensure_one()
        if self.state != "resolved":
            return False
        self = self.with_context(mp15_no_citizen_update=True)  # the channel answers the citizen itself
        if satisfied:
            self.write({"rating": "satisfied", "stage_id": self.env["mp15.grievance.stage"]._for_state("closed").id})
            self.message_post(body=self._in_lang_of().env._("The citizen is satisfied (%(channel)s).", channel=channel))
        else:
            stage = self.env["mp15.grievance.stage"]._for_state("in_progress" if self.user_id else "new")
            self.write(
                {
                    "rating": "not_satisfied",
                    "stage_id": stage.id,
                    "reopen_count": self.reopen_count + 1,
                    "date_reopened": fields.Datetime.now(),
                    "escalation_level": 0,
                    # A new promise: a breach of it is recorded afresh (the reopening is the citizen's).
                    "sla_breach_user_id": False,
                    "sla_breach_department_id": False,
                }
            )
            self.message_post(
                body=self._in_lang_of().env._(
                    "The citizen is not satisfied (%(channel)s): reopened with a new deadline.", channel=channel
                )
            )
        return True
