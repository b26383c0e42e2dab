"""Grievance: verification calls, a daily sample of yesterday's resolutions checked with the citizen."""

import math
import random
from datetime import datetime, time, timedelta

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools import sla
from .mp15_grievance import CORPORATION_TZ

VERIFICATION_STATES = [
    ("pending", "To verify"),
    ("confirmed", "Confirmed by the citizen on a call"),
    ("not_fixed", "Not fixed, says the citizen"),
]


class Mp15Grievance(models.Model):
    _inherit = "mp15.grievance"

    verification_state = fields.Selection(
        VERIFICATION_STATES,
        string="Verification call",
        readonly=True,
        copy=False,
        index="btree_not_null",
        tracking=True,
        help="A sample of resolved grievances is checked with the citizen by someone who did not resolve them.",
    )
    verifier_id = fields.Many2one("res.users", readonly=True, copy=False)
    verified_user_id = fields.Many2one(
        "res.users",
        string="Resolved by (verified)",
        readonly=True,
        copy=False,
        help="The officer whose resolution was checked: a 'not fixed' counts against them.",
    )

    @api.model
    def _cron_sample_verifications(self):
        """Each day, a share of yesterday's resolutions (at least one per department) gets a verification call."""
        verifiers = self._verifiers()
        if not verifiers:
            return 0
        tz_today = self._local_date()
        start, end = self._utc_day(tz_today - timedelta(days=1)), self._utc_day(tz_today)
        resolved = self.search(
            [
                ("date_resolved", ">=", start),
                ("date_resolved", "<", end),
                ("verification_state", "=", False),
                ("duplicate_of_id", "=", False),
            ]
        )
        share = self._setting("verification_percent", sla.DEFAULT_VERIFICATION_PERCENT) / 100
        chosen = self.browse()
        rng = random.SystemRandom()  # staff must not be able to predict which of their resolutions are checked
        for department in resolved.department_id:
            pool = resolved.filtered(lambda g, d=department: g.department_id == d)
            chosen |= self.browse(rng.sample(pool.ids, max(1, math.ceil(len(pool) * share))))
        for grievance in chosen:
            candidates = verifiers - grievance.user_id
            if candidates:
                grievance._ask_verification(candidates[0])
        return len(chosen)

    @api.model
    def _verifiers(self):
        """Who makes verification calls: the verifier chosen in Settings, with the commissioner's office
        standing in for grievances that verifier resolved."""
        chosen = self.env["res.users"].sudo().browse(self._setting("verifier_id", 0)).exists()
        office = self.env.ref("mp15_grievance.group_manager").sudo().users
        return (chosen | office).filtered(lambda u: u.active and not u.share and not u._is_superuser())

    @api.model
    def _utc_day(self, day):
        """Midnight at the start of ``day`` in Sagar, in UTC as stored."""
        local = pytz.timezone(CORPORATION_TZ).localize(datetime.combine(day, time.min))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    def _ask_verification(self, verifier):
        self.ensure_one()
        self.sudo().write(
            {"verification_state": "pending", "verifier_id": verifier.id, "verified_user_id": self.user_id.id}
        )
        self.sudo()._in_lang_of(verifier).activity_schedule(
            "mp15_grievance.mail_activity_type_verify",
            date_deadline=self._local_date(),
            note=self._in_lang_of(verifier).env._(
                "Call the citizen (%(phone)s) and ask whether the problem is really solved.", phone=self.phone or "-"
            ),
            user_id=verifier.id,
        )

    def action_verification_confirmed(self):
        self._record_verification("confirmed")

    def action_verification_not_fixed(self):
        self._record_verification("not_fixed")

    def _record_verification(self, outcome):
        """The verifier's answer, from the call: only the verifier asked may give it."""
        for grievance in self:
            if grievance.verification_state != "pending":
                raise UserError(_("%(ref)s is not waiting for a verification call.", ref=grievance.name))
            if grievance.verifier_id != self.env.user:
                raise AccessError(_("Only the verifier asked to call the citizen can record the answer."))
        system = self.sudo()
        system.verification_state = outcome
        system.activity_feedback(["mp15_grievance.mail_activity_type_verify"])
        for grievance in system:
            if outcome == "confirmed":
                grievance.message_post(
                    body=grievance._in_lang_of().env._("Verification call: the citizen confirms the problem is solved.")
                )
                continue
            stage = self.env["mp15.grievance.stage"]._for_state("in_progress" if grievance.user_id else "new")
            grievance.with_context(mp15_no_citizen_update=True).write(
                {
                    "stage_id": stage.id,
                    "reopen_count": grievance.reopen_count + 1,
                    "date_reopened": fields.Datetime.now(),
                    "escalation_level": 0,
                }
            )
            grievance.message_post(
                body=grievance._in_lang_of().env._(
                    "Verification call: the citizen says the problem is not fixed. Reopened with a new deadline."
                )
            )
