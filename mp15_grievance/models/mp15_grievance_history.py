"""Grievance: the history the citizen sees (portal, WhatsApp status): public messages, photos, timeline."""

from odoo import _, models


class Mp15Grievance(models.Model):
    _inherit = "mp15.grievance"

    def _public_messages(self):
        """Messages the citizen was meant to read ("Send message", WhatsApp photos), newest first; never notes."""
        self.ensure_one()
        return (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("message_type", "=", "comment"),
                    ("subtype_id", "=", self.env.ref("mail.mt_comment").id),
                    ("is_internal", "=", False),
                ],
                order="date desc, id desc",
            )
        )

    def _is_staff_message(self, message):
        """Written by the corporation: a staff member or the bot, not the citizen."""
        author = message.author_id
        return author == self.env.ref("base.partner_root") or any(
            not user.share for user in author.with_context(active_test=False).user_ids
        )

    def _portal_photos(self):
        """The images on public messages (the citizen's own and staff's), with access tokens for the page."""
        photos = (
            self._public_messages()
            .attachment_ids.filtered(lambda attachment: (attachment.mimetype or "").startswith("image/"))
            .sorted("id")
        )
        for photo in photos.filtered(lambda attachment: not attachment.access_token):
            photo.generate_access_token()
        return photos

    def _portal_timeline(self):
        """What happened, newest first: filing, status changes, and the staff's messages to the citizen."""
        self.ensure_one()
        grievance = self.sudo()
        channel = dict(self._fields["channel"]._description_selection(self.env)).get(grievance.channel, "")
        events = [
            {
                "date": grievance.date_filed,
                "kind": "filed",
                "title": _("Filed"),
                "body": _("Filed via %(channel)s.", channel=channel),
            }
        ]
        stage_field = self.env["ir.model.fields"]._get(self._name, "stage_id")
        trackings = (
            self.env["mail.tracking.value"]
            .sudo()
            .search(
                [
                    ("field_id", "=", stage_field.id),
                    ("mail_message_id.model", "=", self._name),
                    ("mail_message_id.res_id", "=", self.id),
                ]
            )
        )
        stages = self.env["mp15.grievance.stage"].sudo()
        for tracking in trackings:
            stage = stages.browse(tracking.new_value_integer).exists()
            if stage:
                events.append(
                    {
                        "date": tracking.mail_message_id.date,
                        "kind": "stage",
                        "state": stage.state,
                        "title": _("Status: %(stage)s", stage=stage.name),
                        "body": stage.description or "",
                    }
                )
        bot = self.env.ref("base.partner_root")
        for message in grievance._public_messages().filtered(self._is_staff_message):
            # The citizen's own messages are in the conversation, not the timeline.
            author = message.author_id
            events.append(
                {
                    "date": message.date,
                    "kind": "note",
                    "title": self.env.company.name if author == bot else author.name,
                    "body": message.body,
                }
            )
        if grievance.date_resolved:
            events.append(
                {
                    "date": grievance.date_resolved,
                    "kind": "resolved",
                    "title": _("Resolved"),
                    "body": grievance.resolution_note or "",
                }
            )
        if grievance.date_reopened:
            events.append(
                {
                    "date": grievance.date_reopened,
                    "kind": "reopened",
                    "title": _("Reopened"),
                    "body": _("You were not satisfied: the work starts again with a new deadline."),
                }
            )
        return sorted(events, key=lambda event: (event["date"], event["kind"] != "filed"), reverse=True)
