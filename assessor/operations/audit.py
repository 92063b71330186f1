"""The audit log: who did what, when; visible to the workspace owner."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String, insert, literal, select

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import AuditEvent, Membership, User, utcnow
from assessor.models.base import UTCDateTime


def record(
    action: str,
    *,
    workspace_id: int | None,
    actor: str,
    user: User | None = None,
    target: str | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits)."""
    event = AuditEvent(
        workspace_id=workspace_id,
        user_id=user.id if user is not None else None,
        actor=actor,
        action=action,
        target=target,
        detail=detail,
    )
    db.session.add(event)
    return event


def downloaded(workspace_id: int, assessment_id: int, user: User, actor: str, fmt: str) -> None:
    """Record that ``user`` (as ``actor``) downloaded an assessment's report or export."""
    begin_write()  # SQLite: take the write lock before reading what is changed
    record(
        "report-downloaded",
        workspace_id=workspace_id,
        actor=actor,
        user=user,
        target=f"assessment:{assessment_id}",
        format=fmt,
    )
    db.session.commit()


def for_user(action: str, user: User, *, actor: str | None = None, **detail: Any) -> None:
    """Record ``action`` of ``user`` in each of their workspaces (the caller commits)."""
    for membership in user.memberships:
        record(
            action,
            workspace_id=membership.workspace_id,
            actor=actor or user.email,
            user=user,
            **detail,
        )


def recent(workspace_id: int, limit: int = 200) -> list[AuditEvent]:
    """The workspace's latest events, newest first."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.workspace_id == workspace_id)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def for_address(action: str, address: str, **detail: Any) -> None:
    """Record ``action`` of the account with this (normalised) address in each of its
    workspaces, acted by that account, by one statement that adds no row when no account
    has the address: the same work either way (the caller commits)."""
    db.session.execute(
        insert(AuditEvent).from_select(
            ["workspace_id", "user_id", "actor", "action", "detail", "at"],
            select(
                Membership.workspace_id,
                User.id,
                User.email,
                literal(action, String()),
                literal(detail, JSON()),
                literal(utcnow(), UTCDateTime()),
            )
            .join(Membership, Membership.user_id == User.id)
            .where(User.email == address),
        )
    )
