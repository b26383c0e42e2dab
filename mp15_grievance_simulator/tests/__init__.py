from . import test_graph_api_guards
from . import test_real_citizens
from . import test_simulator
