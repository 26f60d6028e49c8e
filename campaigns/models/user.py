"""User accounts and roles."""

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from campaigns.database import str_enum, utcnow
from campaigns.extensions import db


class Role(enum.StrEnum):
    """What an account may do; each role includes the ones before it."""

    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """Position in the member < moderator < admin order."""
        return list(Role).index(self)


def new_login_token() -> str:
    """A random token naming the account in session cookies; rotating it logs out everywhere."""
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    """A person with an account: organizer, supporter, moderator or admin."""

    __tablename__ = "user"
    # Never reuse a deleted account's id on SQLite: links and audit rows name ids.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role), default=Role.MEMBER)
    email_verified_at: Mapped[datetime | None]
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    login_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_login_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A disabled account cannot log in, and its sessions end (its login token is rotated).
    disabled_at: Mapped[datetime | None]

    def get_id(self) -> str:
        """Flask-Login stores the login token, not the id, so it can be revoked."""
        return self.login_token

    @property
    def email_verified(self) -> bool:
        """Whether the address was confirmed through the emailed link."""
        return self.email_verified_at is not None

    @property
    def is_disabled(self) -> bool:
        """Whether an admin disabled this account."""
        return self.disabled_at is not None

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses to log in inactive users: disabled accounts are inactive."""
        return self.disabled_at is None

    def has_role(self, role: Role) -> bool:
        """Whether this account has at least the given role."""
        return self.role.rank >= role.rank

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
