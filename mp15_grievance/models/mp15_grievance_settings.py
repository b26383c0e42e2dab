"""The commissioner's grievance settings: the Settings page's grievance fields, without the administrator's right."""

from odoo import _, api, models
from odoo.exceptions import AccessError


class Mp15GrievanceSettings(models.TransientModel):
    """Reads and writes the same ir.config_parameter values as Settings, with the same rules."""

    _name = "mp15.grievance.settings"
    _inherit = "mp15.grievance.settings.mixin"
    _description = "Grievance Settings"

    @api.model
    def default_get(self, fields_list):
        self._check_commissioner()
        values = super().default_get(fields_list)
        parameters = self.env["ir.config_parameter"].sudo()
        for name, field in self._mp15_parameter_fields().items():
            stored = parameters.get_param(field.config_parameter)
            if name not in fields_list or not stored:
                continue
            if field.type == "char":
                values[name] = stored
                continue
            try:
                value = int(stored)
            except ValueError:
                continue  # a hand-edited parameter: the field's default, as the code reading it does
            if field.type == "many2one":
                value = self.env[field.comodel_name].browse(value).exists().id
            values[name] = value
        return values

    def action_save(self):
        self.ensure_one()
        self._check_commissioner()
        old_ratio = self.env["mp15.grievance"]._at_risk_ratio()
        self._write_parameters()
        self._mp15_apply_at_risk_ratio(old_ratio)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _("The grievance settings are saved."),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    @api.model
    def _check_commissioner(self):
        if not self.env.su and not self.env.user.has_group("mp15_grievance.group_manager"):
            raise AccessError(_("Only the commissioner may see or change the grievance settings."))

    def _write_parameters(self):
        """The values into ir.config_parameter (system administrators only): callers check the commissioner first."""
        parameters = self.env["ir.config_parameter"].sudo()
        for name, field in self._mp15_parameter_fields().items():
            value = self[name]
            # No user: no parameter (as Settings does); a number as its digits, 0 included; a text as it is.
            if field.type == "char":
                stored = (value or "").strip() or False
            elif field.type == "many2one":
                stored = value.id
            else:
                stored = str(value)
            parameters.set_param(field.config_parameter, stored)
