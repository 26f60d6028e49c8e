"""Partial indexes on signature.user_id and reason_reported_at

Revision ID: 9c2e4f1a7b3d
Revises: 48b0fd0c07bb
Create Date: 2026-11-21 23:05:00

A guest's signature has no account and no report, so neither index needs an entry for it:
made partial, signing writes two index entries fewer per signature. The queries that use
them (a member's signatures by account; the reported reasons queue, which asks for
reason_reports > 0) imply the predicates, so both databases still use the indexes.
"""

import sqlalchemy as sa
from alembic import op

revision = "9c2e4f1a7b3d"
down_revision = "48b0fd0c07bb"
branch_labels = None
depends_on = None

PARTIAL = {
    "ix_signature_user_id": ("user_id", "user_id IS NOT NULL"),
    "ix_signature_reason_reported_at": ("reason_reported_at", "reason_reports > 0"),
}


def upgrade():
    for name, (column, where) in PARTIAL.items():
        op.drop_index(name, table_name="signature")
        op.create_index(
            name,
            "signature",
            [column],
            postgresql_where=sa.text(where),
            sqlite_where=sa.text(where),
        )


def downgrade():
    for name, (column, _where) in PARTIAL.items():
        op.drop_index(name, table_name="signature")
        op.create_index(name, "signature", [column])
