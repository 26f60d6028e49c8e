"""The Flask class the factory builds."""

from collections.abc import Callable

from flask import Flask


class App(Flask):
    """Flask, remembering which functions are synchronous.

    Flask asks `inspect` whether every hook and the view are coroutine functions on each
    request (about a hundred calls per request here); the answer never changes for a
    registered function, so it is worked out once per function.
    """

    def __init__(self, *args, **kwargs):
        """As Flask, with nothing remembered yet."""
        super().__init__(*args, **kwargs)
        self._synchronous: dict[Callable, Callable] = {}

    def ensure_sync(self, func: Callable) -> Callable:
        """Flask's answer for this function, remembered."""
        try:
            return self._synchronous[func]
        except KeyError:
            sync = self._synchronous[func] = super().ensure_sync(func)
            return sync
        except TypeError:  # an unhashable callable: ask every time
            return super().ensure_sync(func)
