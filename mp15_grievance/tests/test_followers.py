"""Followers choose what they hear of a grievance: stage changes and resolution are subtypes to subscribe to."""

from odoo.tests import tagged

from .common import Mp15Case


@tagged("post_install", "-at_install", "mp15_followers")
class TestGrievanceFollowers(Mp15Case):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context={**cls.env.context, "tracking_disable": False})
        cls.stage_changed = cls.env.ref("mp15_grievance.mt_grievance_stage")
        cls.resolved = cls.env.ref("mp15_grievance.mt_grievance_resolved")

    def heard(self, user, grievance):
        """The messages on ``grievance`` that ``user`` was notified of."""
        self.env.cr.flush()  # tracking messages are posted by the cursor's pre-commit hooks
        return (
            self.env["mail.notification"]
            .search(
                [
                    ("res_partner_id", "=", user.partner_id.id),
                    ("mail_message_id.model", "=", grievance._name),
                    ("mail_message_id.res_id", "=", grievance.id),
                ]
            )
            .mail_message_id
        )

    def test_followers_hear_of_the_stage_changes_and_resolutions_they_subscribed_to(self):
        grievance = self._grievance(self.category_a)  # department A: nobody of department B follows it yet
        self.env.cr.flush()  # filed in an earlier transaction: Odoo tracks no change in the creating one
        grievance.message_subscribe(partner_ids=self.head_b.partner_id.ids, subtype_ids=self.stage_changed.ids)
        grievance.message_subscribe(partner_ids=self.officer_b.partner_id.ids, subtype_ids=self.resolved.ids)
        grievance.message_subscribe(partner_ids=self.internal_user.partner_id.ids)  # the default subtypes
        ours = self.stage_changed | self.resolved

        grievance.stage_id = self.stage_in_progress
        stage_news = self.heard(self.head_b, grievance)
        self.assertEqual(stage_news.subtype_id, self.stage_changed)
        self.assertIn("stage_id", stage_news.tracking_value_ids.field_id.mapped("name"))
        self.assertTrue(stage_news.subtype_id.internal, "staff news: not shown to the citizen on the portal")
        self.assertFalse(self.heard(self.officer_b, grievance), "subscribed to resolutions only")
        self.assertFalse(self.heard(self.internal_user, grievance).subtype_id & ours, "not a default subtype")

        grievance.write({"resolution_note": "Pipeline joint replaced.", "stage_id": self.stage_resolved.id})
        resolution = self.heard(self.officer_b, grievance)
        self.assertEqual(resolution.subtype_id, self.resolved)
        self.assertEqual(self.heard(self.head_b, grievance), stage_news, "the resolution is its own subtype")
        self.assertFalse(self.heard(self.internal_user, grievance).subtype_id & ours)
