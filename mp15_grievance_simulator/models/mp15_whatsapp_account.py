"""The simulator account: a WhatsApp account whose Graph API is this very Odoo server."""

import secrets

from odoo import _, api, fields, models
from odoo.tools import config

SIMULATOR_GRAPH_PATH = "/mp15/simulator/graph"
SIMULATOR_PHONE_NUMBER_ID = "100000000000001"
SIMULATOR_GRAPH_PREFIX = "http://127.0.0.1:"  # the simulator adds it to the Graph URL allow-list


class Mp15WhatsappAccount(models.Model):
    _inherit = "mp15.whatsapp.account"
    _order = "is_simulator, name, id"

    is_simulator = fields.Boolean(
        string="Simulator", readonly=True, help="Talks to the built-in simulator instead of Meta."
    )

    @api.model
    def _system_only_fields(self):
        return {**super()._system_only_fields(), "is_simulator": False}

    def _effective_graph_url(self):
        """The simulator's Graph API is this very server, wherever it listens now."""
        self.ensure_one()
        if not self.is_simulator:
            return super()._effective_graph_url()
        interface = config["http_interface"] or "127.0.0.1"
        if interface in ("0.0.0.0", "::"):
            interface = "127.0.0.1"
        return f"http://{interface}:{config['http_port']}{SIMULATOR_GRAPH_PATH}"

    @api.model
    def _citizen_facing_domain(self):
        """Never the simulator: a real citizen's updates must not go to the training phone."""
        return [*super()._citizen_facing_domain(), ("is_simulator", "=", False)]

    @api.model
    def _simulator_account(self):
        return self.sudo().search([("is_simulator", "=", True)], limit=1)

    @api.model
    def _create_simulator(self):
        """The account the simulator talks through: usable at once, no Meta credentials."""
        self._allow_graph_url_prefix(SIMULATOR_GRAPH_PREFIX)
        if self.with_context(active_test=False).search([("is_simulator", "=", True)], limit=1):
            return
        self.create(
            {
                "name": _("WhatsApp simulator"),
                "is_simulator": True,
                "phone_number_id": SIMULATOR_PHONE_NUMBER_ID,
                "display_phone_number": "+91 89826 00918",
                "waba_id": "100000000000000",
                "access_token": secrets.token_urlsafe(32),
                "app_secret": secrets.token_hex(16),
                "graph_url": f"{SIMULATOR_GRAPH_PREFIX}{config['http_port']}{SIMULATOR_GRAPH_PATH}",
                "template_status_update": "grievance_status_update",
                "template_feedback": "grievance_feedback",
            }
        )
