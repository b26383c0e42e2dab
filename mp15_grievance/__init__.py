from . import controllers
from . import models
from . import report
from . import wizard


def _post_init_hook(env):
    """Hindi is the citizens' language: Odoo's own screens speak it too; and the public page has its figures."""
    installed = env["ir.module.module"].search([("state", "in", ("installed", "to install", "to upgrade"))])
    installed._update_translations(filter_lang=["hi_IN"])
    # The public performance page exists from the start: its visitors only ever read it.
    env["mp15.performance.snapshot"]._refresh()
