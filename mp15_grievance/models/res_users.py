"""Staff users: their open grievances beside their name when assigning, and losing roles they no longer hold."""

from odoo import _, api, fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.depends_context("mp15_open_count")
    def _compute_display_name(self):
        """With ``mp15_open_count`` in the context (the assignee field), "Officer A · 3 open"."""
        super()._compute_display_name()
        if not self.env.context.get("mp15_open_count"):
            return
        counts = dict(
            self.env["mp15.grievance"]
            .sudo()
            ._read_group([("user_id", "in", self.ids), ("is_open", "=", True)], ["user_id"], ["__count"])
        )
        for user in self:
            user.display_name = _("%(name)s · %(count)s open", name=user.display_name, count=counts.get(user, 0))

    def _revoke_head_group(self):
        """Former heads who head no department any more lose the head's rights (not the commissioner)."""
        head_group = self.env.ref("mp15_grievance.group_head")
        manager_group = self.env.ref("mp15_grievance.group_manager")
        still_heads = self.env["mp15.department"].sudo().search([("head_id", "in", self.ids)]).head_id
        revoked = self.filtered(lambda user: user not in still_heads and manager_group not in user.groups_id)
        if revoked:
            head_group.sudo().users = [fields.Command.unlink(user.id) for user in revoked]

    def _revoke_councillor_group(self):
        """Former councillors of no ward any more lose the councillor's read access."""
        group = self.env.ref("mp15_grievance.group_councillor")
        still = self.env["mp15.ward"].sudo().search([("councillor_user_ids", "in", self.ids)]).councillor_user_ids
        revoked = self - still
        if revoked:
            group.sudo().users = [fields.Command.unlink(user.id) for user in revoked]
