"""URL helpers: absolute links for emails and safe `next` redirects."""

from urllib.parse import urlsplit

from flask import current_app, request, url_for
from werkzeug.routing import IntegerConverter

from campaigns.database import MAX_ID


class IdConverter(IntegerConverter):
    """`<int:...>` limited to what an id column holds, so a huge number is a 404, not a 500."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _base_adapter():
    """A URL adapter bound to BASE_URL, made once per app (signing builds three per request)."""
    base_url = current_app.config["BASE_URL"]
    cached = current_app.extensions.get("groundswell_base_adapter")
    if cached is None or cached[0] != base_url:
        base = urlsplit(base_url)
        adapter = current_app.url_map.bind(
            base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
        )
        cached = current_app.extensions["groundswell_base_adapter"] = (base_url, adapter)
    return cached[1]


def absolute_url(endpoint: str, **values) -> str:
    """Build an absolute URL on BASE_URL, usable in emails and outside requests."""
    return _base_adapter().build(endpoint, values, force_external=True)


def safe_next(target: str | None, default_endpoint: str = "core.index") -> str:
    """Return target if it is a local path on this site, else the default page."""
    if target:
        parts = urlsplit(target)
        local = not parts.scheme and not parts.netloc and target.startswith("/")
        if local and not target.startswith("//") and "\\" not in target:
            return target
    return url_for(default_endpoint)


def next_from_request(default_endpoint: str = "core.index") -> str:
    """The validated `next` from the query string or form."""
    return safe_next(request.values.get("next"), default_endpoint)
