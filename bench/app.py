"""The production app (wsgi:app) plus /bench/hello, the cheapest request it can answer.

count.json is compared with hello on the same server, so both pay the same per-request
hooks (security headers, locale, login) and only the endpoint's own work differs.
"""

from wsgi import app


def hello():
    """A constant answer: no database, no template."""
    return "hello"


app.add_url_rule("/bench/hello", "bench_hello", hello)
