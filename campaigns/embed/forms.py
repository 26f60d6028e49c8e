"""The widget's sign form: the guest form of the campaign page, without cookie CSRF."""

from campaigns.signatures.forms import SignForm


class EmbedSignForm(SignForm):
    """The guest sign form as the widget shows it.

    In a frame on another site the browser sends no session cookie, so the session-bound
    CSRF token could never match; the form carries a signed form token instead (tokens.py).
    """

    class Meta:
        """No session CSRF: building the form must not touch the session either."""

        csrf = False
