"""The Flask class the factory builds."""

import weakref
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
        # Weak keys, so a function made per request (after_this_request) is forgotten with
        # it; None stands for "the function itself", which as a value would keep it alive.
        self._synchronous: weakref.WeakKeyDictionary[Callable, Callable | None] = (
            weakref.WeakKeyDictionary()
        )

    def ensure_sync(self, func: Callable) -> Callable:
        """Flask's answer for this function, remembered."""
        try:
            sync = self._synchronous[func]
        except KeyError:
            sync = super().ensure_sync(func)
            self._synchronous[func] = None if sync is func else sync
            return sync
        except TypeError:  # a callable that cannot be weakly referenced: ask every time
            return super().ensure_sync(func)
        return func if sync is None else sync
