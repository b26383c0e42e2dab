"""Grievance: the "Resolve grievance" activity and the alerts staff act on."""

from collections import defaultdict

from odoo import _, models

from .mp15_grievance_stage import OPEN_STATES


class Mp15Grievance(models.Model):
    _inherit = "mp15.grievance"

    def _responsible_user(self):
        """The assignee, else the department head, else the commissioner."""
        self.ensure_one()
        return self.user_id or self.department_id.head_id or self._commissioner()

    def _sync_resolve_activity(self):
        """Exactly one "Resolve grievance" activity while open, on the responsible user, due at the deadline."""
        # The activity shows in the user's activity menu: no "assigned to you" message for each filing.
        self = self.with_context(mail_activity_quick_update=True)
        activity_type = self.env.ref("mp15_grievance.mail_activity_type_resolve")
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )
        )
        by_grievance = defaultdict(lambda: self.env["mail.activity"])
        for activity in activities:
            by_grievance[activity.res_id] |= activity
        done = self.filtered(lambda g: g.state not in OPEN_STATES or not g.active)
        if done:
            alerts = (
                self.env["mail.activity"]
                .sudo()
                .search(
                    [
                        ("res_model", "=", self._name),
                        ("res_id", "in", done.ids),
                        ("activity_type_id", "in", self._alert_activity_types().ids),
                    ]
                )
            )
            alerts.action_feedback(feedback=_("The grievance is no longer open."))
        for grievance in self:
            current = by_grievance[grievance.id]
            if grievance in done:
                if grievance.state in ("resolved", "closed"):
                    current.action_feedback(feedback=_("Resolved."))
                else:
                    current.unlink()
                continue
            user = grievance._responsible_user()
            deadline = grievance._local_date(grievance.sla_deadline)
            if not user:
                current.unlink()
            elif not current:
                grievance.sudo().activity_schedule(
                    "mp15_grievance.mail_activity_type_resolve", date_deadline=deadline, user_id=user.id
                )
            else:
                current[1:].unlink()
                if current[:1].user_id != user or current[:1].date_deadline != deadline:
                    current[:1].write({"user_id": user.id, "date_deadline": deadline})

    def _alert_activity_types(self):
        return self.env.ref("mp15_grievance.mail_activity_type_escalation") | self.env.ref(
            "mp15_grievance.mail_activity_type_emergency"
        )

    def _alert_emergency(self):
        """Emergencies reach the department head at once, not at the next scheduled run."""
        for grievance in self:
            head = grievance.department_id.head_id or grievance._commissioner()
            if not head:
                continue
            grievance.sudo().activity_schedule(
                "mp15_grievance.mail_activity_type_emergency",
                date_deadline=self._local_date(),
                summary=_("Emergency: %(ref)s", ref=grievance.name),
                note=grievance.description,
                user_id=head.id,
            )
