"""Grievance: the way to resolve or reject it, the Resolve dialog (wizard/mp15_grievance_resolve.py)."""

from odoo import _, models
from odoo.exceptions import UserError


class Mp15Grievance(models.Model):
    _inherit = "mp15.grievance"

    def action_open_resolve_wizard(self):
        """The Resolve dialog: what was done, a photo of the fix and, when late, the reason for delay."""
        self.ensure_one()
        return self._resolve_wizard_action("resolve")

    def action_open_reject_wizard(self):
        """The same dialog to reject the grievance, with the reason the citizen is given."""
        self.ensure_one()
        return self._resolve_wizard_action("reject")

    def _resolve_wizard_action(self, mode):
        if not self.is_open:
            raise UserError(_("%(ref)s is no longer open.", ref=self.name))
        return {
            "type": "ir.actions.act_window",
            "name": _("Resolve %(ref)s", ref=self.name) if mode == "resolve" else _("Reject %(ref)s", ref=self.name),
            "res_model": "mp15.grievance.resolve",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_grievance_id": self.id, "default_mode": mode},
        }
