"""The production app plus /bench/hello, the cheapest request this server can answer.

count.json is compared with hello on the same server, so both pay the same per-request
hooks (security headers, locale, login) and only the endpoint's own work differs.
"""

from campaigns import create_app


def hello():
    """A constant answer: no database, no template."""
    return "hello"


app = create_app()
app.add_url_rule("/bench/hello", "bench_hello", hello)
