"""Lists of a workspace's things, a page at a time (the JSON API's list endpoints)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, func, select

from assessor.database import read_only
from assessor.extensions import db
from assessor.models import Assessment, Organization, Respondent

T = TypeVar("T")


def _page(query: Select[tuple[T]], page: int, per_page: int) -> tuple[list[T], int]:
    """One page of ``query`` (ordered by the caller) and how many rows it has in all."""
    read_only()
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = list(db.session.scalars(query.offset((page - 1) * per_page).limit(per_page)))
    return items, int(total or 0)


def organisations(workspace_id: int, page: int, per_page: int) -> tuple[list[Organization], int]:
    """The workspace's organisations by name."""
    query = (
        select(Organization)
        .where(Organization.workspace_id == workspace_id)
        .order_by(Organization.name, Organization.id)
    )
    return _page(query, page, per_page)


def assessments(
    workspace_id: int, page: int, per_page: int, status: str | None = None
) -> tuple[list[Assessment], int]:
    """The workspace's assessments, newest first (of one status, when given)."""
    query: Any = (
        select(Assessment)
        .join(Organization)
        .where(Organization.workspace_id == workspace_id)
        .order_by(Assessment.id.desc())
    )
    if status is not None:
        query = query.where(Assessment.status == status)
    return _page(query, page, per_page)


def respondents(assessment_id: int, page: int, per_page: int) -> tuple[list[Respondent], int]:
    """An assessment's respondents (removed ones aside), in the order they were added."""
    query = (
        select(Respondent)
        .where(Respondent.assessment_id == assessment_id, Respondent.removed_at.is_(None))
        .order_by(Respondent.id)
    )
    return _page(query, page, per_page)
