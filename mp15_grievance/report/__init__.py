"""Reports built as SQL views (``_auto = False``), as Odoo core keeps them."""

from . import mp15_grievance_report
