"""count.json's body, kept per process for COUNT_CACHE_SECONDS.

The count only moves when the aggregator runs (every COUNT_INTERVAL_SECONDS), and the
response tells browsers and proxies to keep it that long anyway; keeping it as long in
each process spares the database one query per poll from every open campaign page.
"""

from flask import Response, current_app, request

from campaigns.signatures import queries
from campaigns.signatures.process_cache import cached


def _payload(slug: str) -> dict | None:
    """What count.json says about a public campaign, or None."""
    row = queries.count_row(slug)
    if row is None:
        return None
    ahead = [n for n in (row.next_threshold, row.goal) if n and n > row.signature_count]
    updated = row.count_updated_at or row.published_at
    return {
        "slug": row.slug,
        "signature_count": row.signature_count,
        "goal": row.goal,
        "next_milestone": min(ahead, default=None),
        "status": row.status.value,
        "updated_at": updated.isoformat() if updated else None,
    }


def count_payload(slug: str) -> dict | None:
    """The payload, from this process's cache while fresh, else from the database."""
    return cached("live_counts", slug, _payload)


def cacheable(response: Response) -> Response:
    """Let browsers and proxies keep a count for the aggregation interval, then revalidate."""
    cache = response.cache_control
    cache.public = True
    cache.max_age = current_app.config["COUNT_INTERVAL_SECONDS"]
    cache.stale_while_revalidate = current_app.config["COUNT_STALE_SECONDS"]
    response.add_etag()
    return response.make_conditional(request)
