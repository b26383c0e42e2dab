from . import main
from . import simulator
from . import portal
