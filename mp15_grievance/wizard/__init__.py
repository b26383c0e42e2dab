from . import mp15_grievance_resolve
from . import mp15_grievance_message_citizen
