"""Processing lanes: which scheduled action handles a citizen's inbound WhatsApp messages, in Python and in SQL.

Citizens are split over parallel lanes (one scheduled action each) by the last character of their
number: each citizen always in the same lane, so their messages are handled in order.
"""

from odoo.tools import SQL

PROCESS_CRONS = ("mp15_grievance.ir_cron_process_whatsapp", "mp15_grievance.ir_cron_process_whatsapp_lane_2")


def processing_lane(phone):
    """The processing lane of a citizen: the same for all their messages, spread evenly."""
    return ord(phone[-1]) % len(PROCESS_CRONS) if phone else 0


def in_processing_lane(lane):
    """``processing_lane(phone) == lane`` in SQL, for queries on mp15_whatsapp_message; None: all lanes."""
    if lane is None:
        return SQL("TRUE")
    return SQL("mod(ascii(right(phone, 1)), %s) = %s", len(PROCESS_CRONS), lane)
