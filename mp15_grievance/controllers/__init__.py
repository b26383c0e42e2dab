from . import main
from . import portal
from . import performance
from . import open311
