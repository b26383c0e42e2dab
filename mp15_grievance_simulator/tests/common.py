"""What the simulator's tests share: an HTTP case with the simulator account in place."""

from odoo.tests import HttpCase


class SimulatorCase(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        accounts = cls.env["mp15.whatsapp.account"]
        if not accounts._simulator_account():
            accounts._create_simulator()
        cls.account = accounts._simulator_account()
