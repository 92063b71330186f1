"""Stored logos checked again with today's rules (a logo stored before a rule existed)."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import AuditEvent, Workspace, utcnow
from assessor.reports.branding import BrandingError, validate_logo

#: The file name each stored kind is checked under (the upload's name is not kept).
_NAMES = {"image/png": "logo.png", "image/svg+xml": "logo.svg"}


def recheck_stored_logos(connection: Connection) -> list[tuple[int, str]]:
    """Check every workspace's stored logo; remove each that fails, with an audit entry.

    Runs on a plain connection (the migration that brought the rules, and
    ``assessor logos check``); the caller commits.  Returns ``(workspace id, why)`` for
    each logo removed.
    """
    workspaces = Workspace.__table__
    rows = connection.execute(
        select(workspaces.c.id, workspaces.c.logo, workspaces.c.logo_mimetype)
        .where(workspaces.c.logo.is_not(None))
        .order_by(workspaces.c.id)
    ).all()
    removed = []
    for workspace_id, logo, mimetype in rows:
        try:
            validate_logo(bytes(logo), _NAMES.get(mimetype or "", "logo"))
        except BrandingError as exc:
            removed.append((workspace_id, exc.message))
    for workspace_id, why in removed:
        connection.execute(
            update(workspaces)
            .where(workspaces.c.id == workspace_id)
            .values(logo=None, logo_mimetype=None)
        )
        connection.execute(
            insert(AuditEvent.__table__).values(
                workspace_id=workspace_id,
                actor="system",
                action="logo-removed",
                target=f"workspace:{workspace_id}",
                detail={"reason": why},
                at=utcnow(),
            )
        )
    return removed


def recheck_logos() -> list[tuple[int, str]]:
    """:func:`recheck_stored_logos` in a write transaction of the app's session, committed."""
    begin_write()
    removed = recheck_stored_logos(db.session.connection())
    db.session.commit()
    return removed
