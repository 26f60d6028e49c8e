"""Human-readable, translated names of the roles."""

from flask_babel import lazy_gettext as _l

from campaigns.models import Role

ROLE_LABELS = {Role.MEMBER: _l("Member"), Role.MODERATOR: _l("Moderator"), Role.ADMIN: _l("Admin")}
