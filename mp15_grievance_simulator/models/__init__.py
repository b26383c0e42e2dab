from . import mp15_whatsapp_account
from . import mp15_whatsapp_conversation
from . import mp15_whatsapp_simulator
from . import mp15_grievance
from . import res_partner
