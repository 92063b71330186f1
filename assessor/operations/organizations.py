"""Client organisations of a workspace."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import Organization, User, Workspace, utcnow
from assessor.operations import audit
from assessor.operations.errors import InvalidInput


def create_organization(
    workspace: Workspace,
    by: User,
    *,
    name: str,
    sector: str | None,
    size: str | None,
    benchmark: bool | None = False,
) -> Organization:
    """Add a client organisation to the workspace (opted in to benchmarks with
    ``benchmark``: the client's consent, audited)."""
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
    if benchmark:
        _record_consent(organization, by, True)
    db.session.commit()
    return organization


def update_organization(
    organization: Organization,
    by: User,
    *,
    name: str,
    sector: str | None,
    size: str | None,
    benchmark: bool | None = None,
) -> None:
    """Change the organisation's facts, and its benchmark consent when ``benchmark`` is
    given (a change is audited)."""
    begin_write()  # SQLite: take the write lock before reading what is changed
    organization.name, organization.sector, organization.size = (
        name.strip(),
        sector or None,
        size or None,
    )
    _flush_unique(name)
    if benchmark is not None:
        _record_consent(organization, by, benchmark)
    db.session.commit()


def _record_consent(organization: Organization, by: User, consent: bool) -> None:
    """Record the client's benchmark consent (given or withdrawn) and audit a change; in
    the caller's transaction."""
    if consent == (organization.benchmark_consent_at is not None):
        return
    organization.benchmark_consent_at = utcnow() if consent else None
    audit.record(
        "benchmark-consent-given" if consent else "benchmark-consent-withdrawn",
        workspace_id=organization.workspace_id,
        actor=by.email,
        user=by,
        target=f"organization:{organization.id}",
    )


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
