"""Placeholder values worked out only when a text uses them."""

from collections.abc import Mapping


class LazyPlaceholders(Mapping):
    """``{name: value}`` whose values are functions, each called on first read and remembered.

    A bot text uses a few of the placeholders a grievance offers ({ref}, {link}, {last_note} …); some
    cost queries (the last public note reads the chatter). Merging with ``|`` or ``ChainMap`` keeps
    them unread; ``dict(...)`` or ``{**...}`` reads them all.
    """

    def __init__(self, makers):
        self._makers = dict(makers)
        self._values = {}

    def __getitem__(self, name):
        if name not in self._values:
            self._values[name] = self._makers[name]()
        return self._values[name]

    def __iter__(self):
        return iter(self._makers)

    def __len__(self):
        return len(self._makers)

    def __setitem__(self, name, value):
        self._makers[name] = lambda: value
        self._values.pop(name, None)
