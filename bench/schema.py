"""What the benchmark's parts share: the baseline's table and the driver URL form."""

import re

import sqlalchemy as sa

TABLE = sa.table("bench_signature", sa.column("email"), sa.column("created_at"))
CREATE_TABLE = (
    "CREATE TABLE IF NOT EXISTS bench_signature "
    "(id bigserial PRIMARY KEY, email text NOT NULL, created_at timestamptz NOT NULL)"
)


def engine_url(url: str) -> str:
    """The PostgreSQL URL on the psycopg 3 driver, as the real app uses it."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+psycopg://", url)
