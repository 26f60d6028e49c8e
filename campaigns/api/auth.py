"""Who is calling: the organizer API key in 'Authorization: Bearer <key>'."""

import functools

from flask import g, request
from flask_babel import gettext as _
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from campaigns.models import ApiKey, Campaign, Role

REALM = "groundswell"


def require_key() -> ApiKey:
    """The active key sent with the request, or a 401 asking for one."""
    from campaigns.api import keys  # the key verbs live with the account pages' part

    key = keys.authenticate(keys.key_from_request(request.headers))
    if key is None:
        raise Unauthorized(
            _("A valid API key is needed: send it as 'Authorization: Bearer <key>'."),
            www_authenticate=WWWAuthenticate("bearer", {"realm": REALM}),
        )
    return key


def may_read_signatures(key: ApiKey, campaign: Campaign) -> bool:
    """Organizers' keys read their own campaigns' signatures; admins' keys read any."""
    return campaign.is_organizer(key.user) or key.user.has_role(Role.ADMIN)


def key_required(view):
    """Refuse the request with a 401 unless it carries an active key (then in g.api_key)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        """Authenticate, then run the view."""
        g.api_key = require_key()
        return view(*args, **kwargs)

    return wrapped
