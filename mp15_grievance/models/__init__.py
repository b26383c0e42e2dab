from . import mp15_department
from . import mp15_ward
from . import mp15_grievance_category
from . import mp15_grievance_stage
from . import mp15_grievance
from . import res_partner
