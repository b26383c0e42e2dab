"""Grievance: the SLA clock, its outcome, and the scheduled action that escalates and updates."""

import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools import SQL

from ..tools import locks, sla

_logger = logging.getLogger(__name__)

SLA_BATCH = 200  # a run's transaction stays short: Odoo's scheduler calls again while work remains


class Mp15Grievance(models.Model):
    _inherit = "mp15.grievance"

    sla_time_left = fields.Char(
        string="Time left", compute="_compute_sla_time_left", help="Hours to the deadline, or past it."
    )
    # Who answered for a breach, recorded by the SLA clock when the deadline passed: the grading counts the
    # breach against them, whatever later reassignment, rejection or archiving does to the grievance.
    sla_breach_user_id = fields.Many2one(
        "res.users", string="Officer at the breach", readonly=True, copy=False, ondelete="set null"
    )
    sla_breach_department_id = fields.Many2one(
        "mp15.department", string="Department at the breach", readonly=True, copy=False, ondelete="set null"
    )

    @api.depends("sla_deadline", "is_open")
    @api.depends_context("lang")  # worded in the reader's language, whoever computed it first
    def _compute_sla_time_left(self):
        """The 24-hour promise in its own unit: "due in 3 h 20 min", "5 h 10 min overdue"."""
        now = fields.Datetime.now()
        for grievance in self:
            if not (grievance.is_open and grievance.sla_deadline):
                grievance.sla_time_left = False
                continue
            overdue, days, hours, minutes = sla.time_left(grievance.sla_deadline, now)
            if days:
                span = _("%(days)s d %(hours)s h", days=days, hours=hours)
            else:
                span = _("%(hours)s h %(minutes)s min", hours=hours, minutes=minutes)
            grievance.sla_time_left = _("%(span)s overdue", span=span) if overdue else _("due in %(span)s", span=span)

    def _apply_stage_state(self):
        """Record when a grievance is resolved or closed, and fix its SLA outcome."""
        now = fields.Datetime.now()
        for grievance in self:
            if grievance.state == "resolved" and grievance.rating and not grievance.date_resolved:
                grievance.rating = False  # resolved again after a reopen: its feedback is asked again
            if grievance.state in ("resolved", "closed"):
                if not grievance.date_resolved:
                    grievance.date_resolved = now
                if grievance.state == "closed" and not grievance.date_closed:
                    grievance.date_closed = now
                    # Only the citizen's own "satisfied" confirms: an answer from a number someone else typed
                    # for them is no word of theirs. The waiting-time closure marks itself.
                    if grievance.rating == "satisfied":
                        grievance.closure = "citizen" if grievance.phone_verified else "no_feedback"
                    else:
                        grievance.closure = "staff"
                grievance.sla_state = sla.closed_sla_state(grievance.sla_deadline, grievance.date_resolved)
            elif grievance.state == "rejected" and grievance.sla_state in sla.OPEN_SLA_STATES:
                grievance.sla_state = sla.closed_sla_state(grievance.sla_deadline, now)
            elif grievance.is_open and grievance.date_resolved:
                grievance.write({"date_resolved": False, "date_closed": False, "closure": False})
        self.filtered("is_open")._refresh_sla_state()
        self._record_sla_breach()

    def _refresh_sla_state(self, now=None):
        """Bring the SLA clock of open grievances up to date."""
        now = now or fields.Datetime.now()
        for grievance in self.filtered(lambda g: g.is_open and g.sla_deadline):
            new_state = sla.open_sla_state(now, grievance.sla_at_risk_at, grievance.sla_deadline)
            if grievance.sla_state != new_state:
                grievance.sla_state = new_state
        self._record_sla_breach()

    def _record_sla_breach(self):
        """Keep who was responsible when the deadline passed: the department and officer of the moment.

        Once per breach: the first record stands (a citizen's reopening starts a new promise, see
        ``_record_feedback``), so moving the grievance afterwards does not move the breach.
        """
        for grievance in self.filtered(
            lambda g: (
                g.sla_state in ("breached", "missed")
                and not (g.sla_breach_department_id or g.sla_breach_user_id)
                and (g.department_id or g.user_id)
            )
        ):
            grievance.sudo().write(
                {"sla_breach_department_id": grievance.department_id.id, "sla_breach_user_id": grievance.user_id.id}
            )

    @api.model
    def _at_risk_ratio(self):
        percent = self._setting("sla_at_risk_percent", round(sla.DEFAULT_AT_RISK_RATIO * 100))
        return percent / 100 if 0 < percent < 100 else sla.DEFAULT_AT_RISK_RATIO

    @api.model
    def _recompute_sla_thresholds(self):
        """A new at-risk percentage applies to every open grievance."""
        self.search([("is_open", "=", True)])._compute_sla_thresholds()

    def init(self):
        # The SLA action's queries: each reads only what is due, whatever the size of the table. The
        # predicates follow the steps' domains (is_open = TRUE, which PostgreSQL reads as is_open).
        self.env.cr.execute(
            """
            DROP INDEX IF EXISTS mp15_grievance_sla_at_risk_idx, mp15_grievance_sla_breach_idx,
                mp15_grievance_escalation_1_idx, mp15_grievance_escalation_2_idx, mp15_grievance_first_update_idx;
            CREATE INDEX IF NOT EXISTS mp15_grievance_open_at_risk_idx ON mp15_grievance (sla_at_risk_at)
                WHERE sla_state = 'on_track' AND is_open;
            CREATE INDEX IF NOT EXISTS mp15_grievance_open_breach_idx ON mp15_grievance (sla_deadline)
                WHERE sla_state IN ('on_track', 'at_risk') AND is_open;
            CREATE INDEX IF NOT EXISTS mp15_grievance_open_escalation_1_idx ON mp15_grievance (sla_deadline)
                WHERE (escalation_level = 0 OR escalation_level IS NULL) AND is_open;
            CREATE INDEX IF NOT EXISTS mp15_grievance_open_escalation_2_idx ON mp15_grievance (sla_escalate_at)
                WHERE escalation_level = 1 AND is_open;
            CREATE INDEX IF NOT EXISTS mp15_grievance_open_first_update_idx ON mp15_grievance (date_filed)
                WHERE date_first_update IS NULL AND is_open;
            CREATE INDEX IF NOT EXISTS mp15_grievance_feedback_idx ON mp15_grievance (date_resolved)
                WHERE state = 'resolved' AND rating IS NULL;
            """
        )

    @api.model
    def _sla_steps(self, now):
        """(what is due, its order, what to do with it), in the order a late run must catch up.

        Each domain matches a partial index of ``init()`` and is read in that index's order, so a
        run reads only what is due, oldest first.
        """
        open_ = [("is_open", "=", True)]
        update_hours = self._setting("progress_update_hours", sla.DEFAULT_PROGRESS_UPDATE_HOURS)
        feedback_days = self._setting("feedback_days", sla.DEFAULT_FEEDBACK_DAYS)
        return [
            (
                [*open_, ("sla_state", "in", ("on_track", "at_risk")), ("sla_deadline", "<=", now)],
                "sla_deadline, id",
                "_sla_mark_breached",
            ),
            (
                [*open_, ("sla_state", "=", "on_track"), ("sla_at_risk_at", "<=", now)],
                "sla_at_risk_at, id",
                "_sla_mark_at_risk",
            ),
            (
                [*open_, ("escalation_level", "=", 0), ("sla_deadline", "<=", now)],
                "sla_deadline, id",
                "_sla_escalate_to_head",
            ),
            (
                [*open_, ("escalation_level", "=", 1), ("sla_escalate_at", "<=", now)],
                "sla_escalate_at, id",
                "_sla_escalate_to_commissioner",
            ),
            (
                [
                    *open_,
                    ("date_first_update", "=", False),
                    ("date_filed", "<=", now - timedelta(hours=update_hours)),
                    ("partner_id", "!=", False),
                ],
                "date_filed, id",
                "_sla_send_progress_update",
            ),
            (
                [
                    ("state", "=", "resolved"),
                    ("rating", "=", False),
                    ("date_resolved", "<=", now - timedelta(days=feedback_days)),
                ],
                "date_resolved, id",
                "_sla_close_unanswered",
            ),
        ]

    @api.model
    def _cron_sla(self):
        """Keep every open grievance's clock current, escalate, update citizens, close unanswered ones.

        One batch per call: Odoo's scheduler commits it and calls again at once while work remains,
        so a backlog is worked off in short, committed transactions (a later step waits for the
        earlier ones: a late run breaches before it escalates). One run at a time (an advisory lock: a second
        server's run returns at once); due rows are also locked with SKIP LOCKED and the conditions
        are part of the query, so each escalation level is reached once.
        """
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", *locks.SLA_RUN))
        if not self.env.cr.fetchone()[0]:
            _logger.info("SLA run skipped: another server is running it right now")
            return 0, 0
        now = fields.Datetime.now()
        done = 0
        self.env.flush_all()  # the locking query below is raw SQL: it must see pending writes
        for domain, order, handler in self._sla_steps(now):
            query = self._search(domain, order=order, limit=self._sla_batch_size())
            self.env.cr.execute(SQL("%s FOR UPDATE SKIP LOCKED", query.select()))
            due = self.browse(row[0] for row in self.env.cr.fetchall())
            if due:
                getattr(due, handler)()
                due.flush_recordset()
                done += len(due)
                break  # one batch per call: a short transaction, committed by the scheduler
        remaining = sum(self._count_due(domain, order) for domain, order, _handler in self._sla_steps(now))
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        _logger.info("SLA run: %d grievances handled, %d still due", done, remaining)
        return done, remaining

    @api.model
    def _count_due(self, domain, order, cap=100_000):
        """How many are due, read in the step's index order (a plain count may choose a worse plan)."""
        query = self._search(domain, order=order, limit=cap)
        self.env.cr.execute(SQL("SELECT count(*) FROM (%s) AS due", query.select()))
        return self.env.cr.fetchone()[0]

    @api.model
    def _sla_batch_size(self):
        return SLA_BATCH

    def _sla_mark_at_risk(self):
        self.sla_state = "at_risk"

    def _sla_mark_breached(self):
        self.sla_state = "breached"
        self._record_sla_breach()

    def _sla_escalate_to_head(self):
        # No reference in a summary: Odoo's "assigned to you" subject and the activity list already name the grievance.
        for grievance in self:
            head = grievance.department_id.head_id or grievance._commissioner()
            grievance.escalation_level = 1
            if head:
                grievance._in_lang_of(head).activity_schedule(
                    "mp15_grievance.mail_activity_type_escalation",
                    date_deadline=self._local_date(),
                    summary=grievance._in_lang_of(head).env._("Deadline missed"),
                    user_id=head.id,
                )
            note = grievance._in_lang_of()
            grievance.message_post(
                body=note.env._(
                    "Deadline missed: escalated to %(who)s, head of %(department)s.",
                    who=head.name or note.env._("nobody (the department has no head)"),
                    department=note.department_id.name or "-",
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _sla_escalate_to_commissioner(self):
        commissioner = self._commissioner()
        for grievance in self:
            grievance.escalation_level = 2
            if commissioner:
                grievance._in_lang_of(commissioner).activity_schedule(
                    "mp15_grievance.mail_activity_type_escalation",
                    date_deadline=self._local_date(),
                    summary=grievance._in_lang_of(commissioner).env._("Twice past its deadline"),
                    user_id=commissioner.id,
                )
            councillors = grievance.ward_id.councillor_id | grievance.ward_id.councillor_user_ids.partner_id
            for councillor in councillors:
                conversation = self.env["mp15.whatsapp.conversation"].sudo()._for_partner(councillor)
                if conversation:
                    conversation._send_to_citizen("councillor_alert", grievance, fallback_template="status_update")
            env = grievance._in_lang_of().env
            grievance.message_post(
                body=env._(
                    "Twice past its deadline: escalated to the commissioner (%(who)s); ward councillor alerted: "
                    "%(councillors)s.",
                    who=commissioner.name or "-",
                    councillors=", ".join(councillors.mapped("name")) or env._("none for this ward"),
                ),
                partner_ids=grievance.ward_id.councillor_user_ids.partner_id.ids,
                subtype_xmlid="mail.mt_note",
            )

    def _sla_send_progress_update(self):
        self._notify_citizen("progress_update")

    def _sla_close_unanswered(self):
        closed = self.env["mp15.grievance.stage"]._for_state("closed")
        self.with_context(mp15_no_citizen_update=True).write({"stage_id": closed.id})
        self.closure = "no_feedback"
        for grievance in self:
            grievance.message_post(
                body=grievance._in_lang_of().env._("Closed: the citizen gave no feedback within the waiting time.")
            )
