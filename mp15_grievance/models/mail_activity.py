"""Activities: the "Resolve grievance" reminder ends only when its grievance is resolved."""

from odoo import _, api, models
from odoo.exceptions import RedirectWarning


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        """Marking the resolve reminder of an open grievance done offers the Resolve dialog instead."""
        self._check_resolve_reminder_kept()
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

    def unlink(self):
        # The system replaces or closes the reminder itself (as superuser); staff cannot cancel it.
        if not self.env.su:
            self._check_resolve_reminder_kept()
        return super().unlink()

    def _check_resolve_reminder_kept(self):
        resolve_type = self.env.ref("mp15_grievance.mail_activity_type_resolve", raise_if_not_found=False)
        reminders = self.filtered(lambda a: a.activity_type_id == resolve_type and a.res_model == "mp15.grievance")
        if not resolve_type or not reminders:
            return
        grievances = self.env["mp15.grievance"].sudo().browse(reminders.mapped("res_id")).exists()
        still_open = grievances.filtered("is_open")[:1]
        if still_open:
            raise RedirectWarning(
                _(
                    "%(ref)s is still open: resolve the grievance to finish this activity. "
                    "The reminder stays until then.",
                    ref=still_open.name,
                ),
                still_open.sudo(False)._resolve_wizard_action("resolve"),
                _("Resolve now"),
            )

    @api.readonly
    @api.model
    def get_activity_data(self, res_model, domain, limit=None, offset=0, fetch_done=False):
        """The grievance activity view shows the grievance's own activity types, not every generic one."""
        data = super().get_activity_data(res_model, domain, limit=limit, offset=offset, fetch_done=fetch_done)
        if res_model == "mp15.grievance":
            used = {type_id for per_type in data["grouped_activities"].values() for type_id in per_type}
            own = set(self.env["mail.activity.type"].search([("res_model", "=", res_model)]).ids)
            data["activity_types"] = [t for t in data["activity_types"] if t["id"] in own or t["id"] in used]
        return data
