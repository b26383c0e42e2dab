"""Odoo tests of the simulator addon, run by Odoo's runner (``make test-odoo``), never by pytest."""

from . import test_graph_api_guards
from . import test_real_citizens
from . import test_simulator
from . import test_simulator_broadcast
