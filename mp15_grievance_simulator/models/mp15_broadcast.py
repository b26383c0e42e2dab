"""A broadcast from the simulator account goes to the simulated citizens who opted in, at their simulated numbers."""

from datetime import timedelta

from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.mp15_grievance.models.mp15_broadcast import CLOSED_GRIEVANCE_STATES


class Mp15Broadcast(models.Model):
    _inherit = "mp15.broadcast"

    def _audience_sql(self):
        """On the simulator account: simulated citizens (who have no grievance phone), by their chat's number.

        The same filters as a real broadcast: opted in, of the chosen wards and categories. Real citizens
        never get a simulator broadcast, nor simulated ones a real one (they have no ``mp15_phone``).
        """
        self.ensure_one()
        if not self.account_id.is_simulator:
            return super()._audience_sql()
        now = fields.Datetime.now()
        conditions = [SQL("p.active AND p.mp15_whatsapp_opt_in AND p.mp15_simulated")]
        if self.ward_ids:
            conditions.append(SQL("p.mp15_ward_id IN %s", tuple(self.ward_ids.ids)))
        if self.category_ids:
            conditions.append(
                SQL(
                    """EXISTS (SELECT 1 FROM mp15_grievance g
                                WHERE g.partner_id = p.id AND g.active AND g.category_id IN %s
                                  AND (g.state NOT IN %s OR g.create_date >= %s))""",
                    tuple(self.category_ids.ids),
                    CLOSED_GRIEVANCE_STATES,
                    now - timedelta(days=max(0, self.grievance_days)),
                )
            )
        return SQL(
            """
            SELECT p.id AS partner_id, c.phone AS phone,
                   COALESCE(c.lang, 'hi') AS lang,
                   COALESCE(c.last_inbound_at > %s, FALSE) AS in_window
              FROM res_partner p
              JOIN mp15_whatsapp_conversation c ON c.account_id = %s AND c.partner_id = p.id
             WHERE %s
            """,
            now - timedelta(hours=24),
            self.account_id.id,
            SQL(" AND ").join(conditions),
        )
