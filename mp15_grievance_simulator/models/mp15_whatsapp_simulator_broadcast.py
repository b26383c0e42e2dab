"""The simulated phone shows a template message (a broadcast, an update outside the window) as WhatsApp does."""

from odoo import api, models

from odoo.addons.mp15_grievance.models.mp15_whatsapp_template import PARAMETER_RE

from .mp15_whatsapp_simulator import _payload


class Mp15WhatsappSimulator(models.AbstractModel):
    _inherit = "mp15.whatsapp.simulator"

    @api.model
    def _transcript_entry(self, row, media):
        """A template message: its approved text with the parameters filled; a broadcast is marked as one."""
        entry = super()._transcript_entry(row, media)
        if row.direction != "out" or entry.get("type") != "template":
            return entry
        body = self._template_body(row)
        if body:
            entry["body"] = body
        if row.broadcast_recipient_id:
            entry["broadcast"] = row.broadcast_recipient_id.sudo().broadcast_id.name or ""
        return entry

    @api.model
    def _template_body(self, row):
        """The body of the template record the payload names, ``{{n}}`` filled; "" when there is no such record."""
        payload = _template_of(row)
        name, language = payload.get("name"), (payload.get("language") or {}).get("code")
        if not name or not language:
            return ""
        template = (
            self.env["mp15.whatsapp.template"]
            .sudo()
            .with_context(active_test=False)
            .search([("account_id", "=", row.account_id.id), ("name", "=", name), ("language", "=", language)], limit=1)
        )
        if not template.body:
            return ""
        parameters = [
            parameter.get("text", "")
            for component in payload.get("components") or []
            if isinstance(component, dict) and component.get("type") == "body"
            for parameter in component.get("parameters") or []
            if isinstance(parameter, dict)
        ]

        def fill(match):
            number = int(match.group(1))
            return parameters[number - 1] if 0 < number <= len(parameters) else match.group(0)

        return PARAMETER_RE.sub(fill, template.body)


def _template_of(row):
    template = _payload(row).get("template")
    return template if isinstance(template, dict) else {}
