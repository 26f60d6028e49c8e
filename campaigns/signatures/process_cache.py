"""A small per-process cache for what the hot read and sign paths look up by slug.

Entries live COUNT_CACHE_SECONDS (never longer than the aggregation interval, 0 = off).
Misses are never kept, so random slugs cannot fill the cache and flush real entries.
"""

import time
from collections.abc import Callable
from typing import TypeVar

from flask import current_app

# Past this many slugs in one process's cache, it starts again empty.
MAX_ENTRIES = 10_000
T = TypeVar("T")


def cached(name: str, slug: str, load: Callable[[str], T | None]) -> T | None:
    """load(slug), or this process's copy of it while fresh."""
    seconds = current_app.config["COUNT_CACHE_SECONDS"]
    if seconds <= 0:
        return load(slug)
    cache = current_app.extensions.setdefault(f"groundswell_{name}", {})
    now = time.monotonic()
    hit = cache.get(slug)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load(slug)
    if value is not None:
        if len(cache) >= MAX_ENTRIES:
            cache.clear()
        cache[slug] = (now + seconds, value)
    return value
