"""Odoo tests of mp15_grievance: run by Odoo's own runner (``make test-odoo``), never by pytest.

``make test-odoo`` runs ``odoo-bin --test-enable --test-tags`` in a fresh database. The pure tests
(tools/, static checks of both addons) are in the repository's top-level ``tests/``, run by pytest
(``make test-pure``).
"""

from . import test_routing
from . import test_security
from . import test_sla
from . import test_followers
from . import test_whatsapp_webhook
from . import test_portal
from . import test_whatsapp_outbound
from . import test_whatsapp_conversation
from . import test_processing_batch
from . import test_integrity
from . import test_hardening
from . import test_staff_day
from . import test_resolve
from . import test_chatter_whatsapp
from . import test_languages
from . import test_commissioner_settings
from . import test_councillor
from . import test_bot_answers
from . import test_broadcast
from . import test_broadcast_pacing
from . import test_grading
from . import test_open311
from . import test_performance_page
from . import test_dashboards
from . import test_digest
from . import test_announcements_bot
