from . import mp15_whatsapp_account
from . import mp15_whatsapp_conversation
from . import mp15_whatsapp_simulator
from . import mp15_grievance
from . import res_partner
from . import mp15_whatsapp_simulator_broadcast
from . import mp15_broadcast
