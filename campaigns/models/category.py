"""Categories: the admin-managed list campaigns are filed under."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from campaigns.database import utcnow
from campaigns.extensions import db


class Category(db.Model):
    """A topic such as education or workplace; archived ones take no new campaigns."""

    __tablename__ = "category"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(60), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<Category {self.slug}>"
