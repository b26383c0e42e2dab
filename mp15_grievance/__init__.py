from . import controllers
from . import models
from . import report
from . import wizard


def _post_init_hook(env):
    """Hindi is the citizens' language: make sure Odoo's own screens speak it too, not only ours."""
    installed = env["ir.module.module"].search([("state", "in", ("installed", "to install", "to upgrade"))])
    installed._update_translations(filter_lang=["hi_IN"])
