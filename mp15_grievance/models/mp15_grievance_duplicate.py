"""Grievance: a second report of the same problem nearby follows the first."""

from datetime import timedelta

from odoo import models

from ..tools import geo

DUPLICATE_RADIUS_M = 100  # a second report of the same problem is usually from the same street
DUPLICATE_WINDOW = timedelta(days=30)


class Mp15Grievance(models.Model):
    _inherit = "mp15.grievance"

    def _link_duplicates(self):
        """A new report of the same problem within DUPLICATE_RADIUS_M of an open one follows that one."""
        for grievance in self.filtered(lambda g: not g.duplicate_of_id and g.is_open):
            original = grievance._find_original()
            if not original:
                continue
            grievance.duplicate_of_id = original
            original.message_post(
                body=original._in_lang_of().env._(
                    "%(ref)s reports the same problem nearby and follows this grievance.", ref=grievance.name
                ),
                subtype_xmlid="mail.mt_note",
            )
            grievance._notify_citizen("duplicate_linked", is_update=False)

    def _find_original(self):
        """The nearest open grievance of the same category filed before this one, within the radius."""
        self.ensure_one()
        if not (self._has_coordinates() and self.category_id):
            return self.browse()
        # About 0.001° of latitude per 111 m: a bounding box first, the exact distance after.
        delta = DUPLICATE_RADIUS_M / 111_000 * 1.5
        candidates = self.search(
            [
                ("id", "!=", self.id),
                ("category_id", "=", self.category_id.id),
                ("is_open", "=", True),
                ("duplicate_of_id", "=", False),
                ("date_filed", ">=", self.date_filed - DUPLICATE_WINDOW),
                ("date_filed", "<=", self.date_filed),
                ("latitude", ">=", self.latitude - delta),
                ("latitude", "<=", self.latitude + delta),
                ("longitude", ">=", self.longitude - delta * 1.1),
                ("longitude", "<=", self.longitude + delta * 1.1),
            ]
        )
        distances = [
            (geo.distance_m(self.latitude, self.longitude, other.latitude, other.longitude), other.id, other)
            for other in candidates
        ]
        near = [item for item in distances if item[0] <= DUPLICATE_RADIUS_M]
        return min(near)[2] if near else self.browse()

    def _move_duplicates_along(self):
        """Duplicates follow their original: resolved, closed or rejected with it, with its note."""
        for original in self.filtered(lambda g: not g.is_open and g.duplicate_ids):
            followers = original.duplicate_ids.filtered("is_open")
            if not followers:
                continue
            followers.write(
                {
                    "resolution_note": original.resolution_note,
                    "resolution_image": original.resolution_image,
                    "delay_reason_id": original.delay_reason_id.id,
                    "delay_reason": original.delay_reason,
                    "stage_id": original.stage_id.id,
                }
            )
