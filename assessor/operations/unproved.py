"""What an account set up before its address was proved, and what goes when a password
reset proves it.

Until the address is confirmed, whoever signed up may not own it: someone can sign up
first with another person's address.  The real owner takes the account over with a
password reset (the e-mail proves the address), and then nothing of the one who signed
up may stay: their API tokens, their authenticator and recovery codes, their sessions,
their requests to join a workspace, their verification links, and the workspaces they
set up, unless the owner of the address says those are theirs.

A never-verified account cannot invite anyone or join a workspace, so each workspace it
belongs to is one it set up at sign-up, and it is that workspace's only member.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select, update

from assessor.config import outbox_for
from assessor.extensions import db
from assessor.models import (
    Assessment,
    Invitation,
    MailLog,
    Organization,
    RecoveryCode,
    User,
    Workspace,
)
from assessor.operations import account_links, audit


@dataclass(frozen=True)
class SetUp:
    """A workspace a never-verified account set up, and how much is in it."""

    workspace: Workspace
    organizations: int
    assessments: int


def workspaces_of(user: User) -> list[SetUp]:
    """The workspaces ``user`` (never verified) belongs to alone: the ones a password
    reset deletes unless kept.  Empty for a verified account."""
    if user.email_verified_at is not None:
        return []
    found = []
    for membership in sorted(user.memberships, key=lambda m: m.id):
        workspace = membership.workspace
        if len(workspace.memberships) != 1:
            continue
        organizations = db.session.scalar(
            select(func.count()).where(Organization.workspace_id == workspace.id)
        )
        assessments = db.session.scalar(
            select(func.count(Assessment.id))
            .join(Organization)
            .where(Organization.workspace_id == workspace.id)
        )
        found.append(SetUp(workspace, int(organizations or 0), int(assessments or 0)))
    return found


def discard(user: User, *, keep_workspaces: bool) -> list[str]:
    """Undo what ``user`` (never verified) set up, in the current write transaction (the
    caller commits, sets the password and the verification, and ends the sessions):
    the second factor and recovery codes, requests to join, unused verification links,
    and (unless ``keep_workspaces``) the workspaces it alone belongs to with all they
    hold.  Audited.  Returns the outbox files of the deleted workspaces' e-mails, to
    delete once the transaction commits (:func:`delete_outbox_files`)."""
    had_second_factor = user.totp_enabled_at is not None or user.totp_secret is not None
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(
        update(Invitation).where(Invitation.pending_user_id == user.id).values(pending_user_id=None)
    )
    db.session.flush()  # cancel's begin_write expires what is loaded: write it first
    account_links.cancel(user, "verify")
    doomed = [] if keep_workspaces else [s.workspace.id for s in workspaces_of(user)]
    files: list[str] = []
    if doomed:
        which = MailLog.workspace_id.in_(doomed)
        files = [n for n in db.session.scalars(select(MailLog.outbox_file).where(which)) if n]
        db.session.execute(delete(MailLog).where(which))
        db.session.execute(delete(Workspace).where(Workspace.id.in_(doomed)))
        db.session.expire(user, ["memberships"])
    detail: dict[str, Any] = {
        "second_factor_removed": had_second_factor,
        "workspaces_deleted": len(doomed),
        "workspaces_kept": keep_workspaces,
    }
    audit.record(
        "unproved-account-taken-over", workspace_id=None, actor=user.email, user=user, **detail
    )
    audit.for_user("unproved-account-taken-over", user, **detail)
    return files


def delete_outbox_files(names: list[str]) -> None:
    """The outbox's copies of the deleted workspaces' e-mails (the embedded default
    writes every e-mail there)."""
    if not names:
        return
    folder = outbox_for(Path(current_app.instance_path), current_app.config["MAIL_OUTBOX"])
    for name in names:
        (folder / Path(name).name).unlink(missing_ok=True)
