from . import test_routing
from . import test_security
from . import test_simulator
from . import test_sla
from . import test_whatsapp_webhook
from . import test_portal
from . import test_whatsapp_outbound
from . import test_whatsapp_conversation
