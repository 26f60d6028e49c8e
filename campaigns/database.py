"""Declarative base, constraint naming convention and shared column types."""

import enum
import sqlite3
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The largest value an INTEGER id column holds on every supported database.
MAX_ID = 2**31 - 1
# Signature ids are BIGINT on PostgreSQL: routes taking one accept up to this.
MAX_BIG_ID = 2**63 - 1
SIGNATURE_ID = f"<int(max={MAX_BIG_ID}):signature_id>"


def _sqlite_foreign_keys(dbapi_connection, connection_record) -> None:
    """SQLite ignores foreign keys (and ON DELETE) unless each connection asks for them."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def enforce_sqlite_foreign_keys() -> None:
    """Turn on foreign keys for every SQLite connection (idempotent)."""
    if not sa.event.contains(sa.engine.Engine, "connect", _sqlite_foreign_keys):
        sa.event.listen(sa.engine.Engine, "connect", _sqlite_foreign_keys)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (called per row, never at import)."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware, SQLite included."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Normalise to UTC before storing; refuse naive datetimes."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        """Attach UTC to values the driver returns naive (SQLite)."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def str_enum(enum_cls: type[enum.StrEnum], length: int = 20) -> sa.Enum:
    """A portable enum column stored as VARCHAR of the members' values."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    """Base class of every model; carries the naming convention for migrations."""

    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )
