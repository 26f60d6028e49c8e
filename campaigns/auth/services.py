"""Account verbs. They take plain values and the acting user, flush, and never commit."""

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from campaigns.auth import passwords, tokens
from campaigns.core.services import RuleError, record_audit
from campaigns.core.urls import absolute_url
from campaigns.extensions import db
from campaigns.mail.outbox import queue_email
from campaigns.models import OutboxEmail, Role, User, utcnow
from campaigns.models.user import new_login_token


class PasswordRejected(ValueError):
    """The chosen password breaks a rule; .problems says which, ready to show."""

    def __init__(self, problems: list[str]):
        """Keep the user-facing reasons."""
        super().__init__("; ".join(problems))
        self.problems = problems


class WrongPassword(ValueError):
    """The current password given to confirm an action was wrong."""


class AccountDisabled(ValueError):
    """The password was right, but an admin disabled the account."""


# At most this many emails of one kind to one address per hour, whoever asks and from
# wherever: per-IP limits alone would let rotating addresses flood someone's inbox.
EMAILS_PER_RECIPIENT_PER_HOUR = 3


def _may_email(recipient: str, template: str) -> bool:
    """Whether another email of this kind may go to this address now."""
    since = utcnow() - timedelta(hours=1)
    recent = db.session.scalar(
        select(func.count(OutboxEmail.id)).where(
            OutboxEmail.recipient == recipient,
            OutboxEmail.template == template,
            OutboxEmail.created_at >= since,
        )
    )
    return recent < EMAILS_PER_RECIPIENT_PER_HOUR


def find_user(email: str) -> User | None:
    """The account with this (already normalised) email address, if any."""
    return db.session.scalar(select(User).where(User.email == email))


def _check_new_password(password: str, *hints: str) -> None:
    """Raise PasswordRejected when the password is too short, long or common."""
    problems = passwords.password_problems(password, hints=hints)
    if problems:
        raise PasswordRejected(problems)


def _set_password(user: User, password: str) -> None:
    """Store a new hash and log out every other session."""
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = utcnow()
    user.login_token = new_login_token()


def send_verification(user: User) -> None:
    """Queue the email whose link proves the user owns the address (throttled per address)."""
    if not _may_email(user.email, "verify_email"):
        return
    link = absolute_url("auth.verify_email", token=tokens.make_verify_token(user))
    queue_email(
        user.email, "verify_email", locale=user.locale or "en", name=user.display_name, link=link
    )


def register(*, email: str, display_name: str, password: str, locale: str) -> User | None:
    """Create an unverified account and queue its verification email.

    When the address already has an account, its owner is told by email instead, and
    None is returned; the caller answers the same either way (no account enumeration).
    """
    _check_new_password(password, email.split("@")[0], display_name)
    # Hash before looking the address up, so both answers take as long.
    password_hash = passwords.hash_password(password)
    existing = find_user(email)
    if existing is not None:
        if not _may_email(existing.email, "already_registered"):
            return None
        queue_email(
            existing.email,
            "already_registered",
            locale=existing.locale or locale,
            name=existing.display_name,
            login_link=absolute_url("auth.login"),
            reset_link=absolute_url("auth.forgot_password"),
        )
        return None
    user = User(email=email, display_name=display_name.strip(), locale=locale)
    user.password_hash = password_hash
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:
        # Someone registered this address between our lookup and our insert.
        return None
    send_verification(user)
    return user


def verify_email(token: str) -> User | None:
    """Mark the address verified if the token is valid and still names it."""
    claims = tokens.read_verify_token(token)
    if claims is None:
        return None
    user = db.session.get(User, claims.get("uid"))
    if user is None or user.email != claims.get("email"):
        return None
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The account if the password is right; upgrades old hashes on the way.

    Raises AccountDisabled for a disabled account, but only once the password is
    known to be right: a wrong guess learns nothing about the account's state.
    """
    user = find_user(email)
    if not passwords.verify_password(user.password_hash if user else None, password):
        return None
    if user.is_disabled:
        raise AccountDisabled(email)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    return user


def request_password_reset(email: str) -> None:
    """Queue a reset link if the account exists; say nothing either way."""
    user = find_user(email)
    # A disabled account gets no link: resetting must not become a way back in.
    if user is None or user.is_disabled or not _may_email(user.email, "reset_password"):
        return
    link = absolute_url("auth.reset_password", token=tokens.make_reset_token(user))
    queue_email(
        user.email, "reset_password", locale=user.locale or "en", name=user.display_name, link=link
    )


def user_for_reset_token(token: str) -> User | None:
    """The account a reset link is for, if it is valid, unexpired and unused."""
    claims = tokens.read_reset_token(token)
    if claims is None:
        return None
    user = db.session.get(User, claims.get("uid"))
    if user is None or user.is_disabled or not tokens.reset_token_matches(user, claims):
        return None
    return user


def reset_password(user: User, password: str) -> None:
    """Set a new password from a reset link; the link proved the address too."""
    _check_new_password(password, user.email.split("@")[0], user.display_name)
    _set_password(user, password)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    queue_email(user.email, "password_changed", locale=user.locale or "en", name=user.display_name)


def change_password(user: User, current: str, new: str) -> None:
    """Change the password after checking the current one."""
    if not passwords.verify_password(user.password_hash, current):
        raise WrongPassword("current password does not match")
    _check_new_password(new, user.email.split("@")[0], user.display_name)
    _set_password(user, new)
    queue_email(user.email, "password_changed", locale=user.locale or "en", name=user.display_name)


def update_profile(user: User, *, display_name: str, locale: str) -> None:
    """Save the name and language shown on the account page."""
    user.display_name = display_name.strip()
    user.locale = locale


def delete_account(user: User, password: str) -> None:
    """Delete the account after checking its password; campaigns keep no link to it."""
    if not passwords.verify_password(user.password_hash, password):
        raise WrongPassword("password does not match")
    queue_email(user.email, "account_deleted", locale=user.locale or "en", name=user.display_name)
    record_audit(None, "account.deleted", user, role=user.role.value)
    db.session.delete(user)


def create_user(*, email: str, display_name: str, password: str, role: Role) -> User:
    """Create a verified account from the command line."""
    if find_user(email) is not None:
        raise ValueError(f"an account with {email} already exists")
    _check_new_password(password, email.split("@")[0], display_name)
    user = User(email=email, display_name=display_name, role=role, email_verified_at=utcnow())
    _set_password(user, password)
    db.session.add(user)
    db.session.flush()
    record_audit(None, "user.created", user, role=role.value, via="cli")
    return user


def set_role(actor: User | None, user: User, role: Role) -> None:
    """Change an account's role, recorded in the audit trail."""
    if user.role == role:
        return
    record_audit(actor, "user.role_changed", user, old=user.role.value, new=role.value)
    user.role = role


def disable_account(actor: User, user: User, *, reason: str = "") -> None:
    """Disable an account: it cannot log in, and every session and remember cookie ends."""
    if user.id == actor.id:
        raise RuleError(_("You cannot disable your own account."), status=403)
    if user.is_disabled:
        raise RuleError(_("This account is already disabled."), status=409)
    user.disabled_at = utcnow()
    # Sessions and remember-me cookies name the login token: a new one ends them all.
    user.login_token = new_login_token()
    record_audit(actor, "user.disabled", user, reason=reason.strip())
    db.session.flush()


def enable_account(actor: User, user: User) -> None:
    """Let a disabled account log in again (its old sessions stay ended)."""
    if not user.is_disabled:
        raise RuleError(_("This account is not disabled."), status=409)
    user.disabled_at = None
    record_audit(actor, "user.enabled", user)
    db.session.flush()
