"""Grievance: the "Resolve grievance" activity and the alerts staff act on."""

from collections import defaultdict

from odoo import models

RESOLVE_ACTIVITY_TYPE = "mp15_grievance.mail_activity_type_resolve"
EMERGENCY_ACTIVITY_TYPE = "mp15_grievance.mail_activity_type_emergency"
ALERT_ACTIVITY_TYPES = ["mp15_grievance.mail_activity_type_escalation", EMERGENCY_ACTIVITY_TYPE]


class Mp15Grievance(models.Model):
    _inherit = "mp15.grievance"

    def _responsible_user(self):
        """The assignee, else the department head, else the commissioner."""
        self.ensure_one()
        return self.user_id or self.department_id.head_id or self._commissioner()

    def _in_lang_of(self, user=None):
        """This grievance in ``user``'s language, to write what that person reads with ``.env._(...)``.

        The one rule for staff-facing text: an activity in its assignee's language; a system note on
        the grievance in its responsible user's (assignee, else department head, else commissioner).
        """
        self.ensure_one()
        reader = user if user is not None else self._responsible_user()
        return self.with_context(lang=reader.lang or self.env.lang)

    def _sync_resolve_activity(self, just_created=False):
        """Exactly one "Resolve grievance" activity while open, on the responsible user, due at the deadline.

        Once the grievance is no longer open, its alerts are marked done, and so is the Resolve activity
        when it was resolved (it is removed when it was rejected or archived). ``just_created``: the
        grievances have no activity yet (no need to look; every bot filing comes this way).
        """
        # The activity shows in the user's activity menu: no "assigned to you" message for each filing.
        grievances = self.sudo().with_context(mail_activity_quick_update=True)
        closed = grievances.filtered(lambda g: not g.is_open or not g.active)
        for grievance in closed:  # the feedback is a note in the chatter: in the responsible user's language
            env = grievance._in_lang_of().env
            grievance.activity_feedback(ALERT_ACTIVITY_TYPES, feedback=env._("The grievance is no longer open."))
            if grievance.state in ("resolved", "closed"):
                grievance.activity_feedback([RESOLVE_ACTIVITY_TYPE], feedback=env._("Resolved."))
        if closed:
            resolved = closed.filtered(lambda g: g.state in ("resolved", "closed"))
            if closed - resolved:
                (closed - resolved).activity_unlink([RESOLVE_ACTIVITY_TYPE])
        still_open = grievances - closed
        if not still_open:
            return
        current = defaultdict(list)  # grievance id -> its Resolve activities
        for activity in () if just_created else still_open.activity_search([RESOLVE_ACTIVITY_TYPE]):
            current[activity.res_id].append(activity)
        to_clear = still_open.browse()
        to_schedule, to_reschedule = defaultdict(still_open.browse), defaultdict(still_open.browse)
        for grievance in still_open:
            user = grievance._responsible_user()
            activities = current[grievance.id]
            if not user or len(activities) > 1:
                to_clear |= grievance
            if not user:
                continue
            target = (user.id, grievance._local_date(grievance.sla_deadline))
            if len(activities) != 1:
                to_schedule[target] |= grievance
            elif (activities[0].user_id.id, activities[0].date_deadline) != target:
                to_reschedule[target] |= grievance
        if to_clear:
            to_clear.activity_unlink([RESOLVE_ACTIVITY_TYPE])
        # In the assignee's language: the type's default summary is written into each activity.
        users = self.env["res.users"].sudo()
        for (user_id, deadline), group in to_schedule.items():
            group.with_context(lang=users.browse(user_id).lang or self.env.lang).activity_schedule(
                RESOLVE_ACTIVITY_TYPE, date_deadline=deadline, user_id=user_id
            )
        for (user_id, deadline), group in to_reschedule.items():
            moved = group.activity_reschedule([RESOLVE_ACTIVITY_TYPE], date_deadline=deadline, new_user_id=user_id)
            lang = users.browse(user_id).lang or self.env.lang
            summary = self.env.ref(RESOLVE_ACTIVITY_TYPE).with_context(lang=lang).summary
            moved.filtered(lambda activity, text=summary: activity.summary != text).summary = summary

    def _alert_emergency(self):
        """Emergencies reach the department head at once, not at the next scheduled run."""
        for grievance in self:
            head = grievance.department_id.head_id or grievance._commissioner()
            if not head:
                continue
            # The type's default summary, in the head's language; no reference (Odoo names the record).
            grievance.sudo()._in_lang_of(head).activity_schedule(
                EMERGENCY_ACTIVITY_TYPE,
                date_deadline=self._local_date(),
                note=grievance.description,
                user_id=head.id,
            )
