"""What every model shares: the UTC timestamp type, the enumerations' check constraints and
the enumerations of more than one table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, TypeDecorator
from sqlalchemy.orm import Mapped, mapped_column

MEMBER_ROLES = ("owner", "consultant", "viewer")
ASSESSMENT_STATUSES = ("draft", "in_progress", "submitted", "closed")
REPORT_FORMATS = ("pdf", "html", "csv", "xlsx", "json")
ORG_SIZES = ("1-49", "50-249", "250-999", "1000-4999", "5000+")
#: A consulting firm assessing clients, or an organisation assessing itself.
WORKSPACE_KINDS = ("firm", "own")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use assessor.models.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def enum_check(column: str, values: tuple[str, ...]) -> CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=f"{column}_valid")


class Timestamp:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
