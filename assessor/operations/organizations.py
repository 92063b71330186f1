"""Client organisations of a workspace."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import Organization, User, Workspace
from assessor.operations import audit
from assessor.operations.errors import InvalidInput


def create_organization(
    workspace: Workspace, by: User, *, name: str, sector: str | None, size: str | None
) -> Organization:
    """Add a client organisation to the workspace."""
    organization = Organization(
        workspace_id=workspace.id, name=name.strip(), sector=sector or None, size=size or None
    )
    begin_write()  # SQLite: take the write lock before reading what is changed
    db.session.add(organization)
    _flush_unique(name)
    audit.record(
        "organization-created",
        workspace_id=workspace.id,
        actor=by.email,
        user=by,
        target=f"organization:{organization.id}",
    )
    db.session.commit()
    return organization


def update_organization(
    organization: Organization, by: User, *, name: str, sector: str | None, size: str | None
) -> None:
    begin_write()  # SQLite: take the write lock before reading what is changed
    organization.name, organization.sector, organization.size = (
        name.strip(),
        sector or None,
        size or None,
    )
    _flush_unique(name)
    db.session.commit()


def _flush_unique(name: str) -> None:
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise InvalidInput(
            f"There is already an organisation called {name.strip()!r}.", field="name"
        ) from None


def organizations(workspace_id: int) -> list[Organization]:
    return list(
        db.session.scalars(
            select(Organization)
            .where(Organization.workspace_id == workspace_id)
            .order_by(Organization.name)
        )
    )
