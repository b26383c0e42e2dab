"""Pure tests import the addon's pure core without Odoo.

``mp15_grievance/__init__.py`` imports the ORM models, so the package is
registered here as a bare namespace: ``import mp15_grievance.tools.phone`` then
loads only the module asked for.
"""

import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDON = ROOT / "mp15_grievance"

if "mp15_grievance" not in sys.modules:
    package = types.ModuleType("mp15_grievance")
    package.__path__ = [str(ADDON)]
    sys.modules["mp15_grievance"] = package
# Likewise its Odoo tests' package, for the fake Graph API server they share with the pure tests
# (``from mp15_grievance.tests import fake_graph_api`` then loads that module alone, no Odoo test).
if "mp15_grievance.tests" not in sys.modules:
    tests_package = types.ModuleType("mp15_grievance.tests")
    tests_package.__path__ = [str(ADDON / "tests")]
    sys.modules["mp15_grievance.tests"] = tests_package
