"""The people of a workspace: change a member's role, remove a member, leave.

A workspace always keeps an owner: the last one cannot leave, be removed or be made
something else.  Access is checked on every request against the memberships, so a
removed member loses the workspace at once; a member left in no workspace at all has
every session ended as well.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import MEMBER_ROLES, Membership, User, UserSession, Workspace
from assessor.operations import api_tokens, audit, render_queue
from assessor.operations.errors import InvalidInput

LAST_OWNER = (
    "{name} is the last owner of this workspace: make another member owner first "
    "(a workspace always has an owner)."
)


def role_label(role: str, kind: str) -> str:
    """A member's role as the people of a workspace of ``kind`` read it: an organisation's
    own workspace has editors, not consultants (the stored code stays ``consultant``)."""
    return "editor" if kind == "own" and role == "consultant" else role


def roles_text(kind: str) -> str:
    """The roles to choose from, as a sentence's list: "owner, consultant or viewer"."""
    first, *middle, last = (role_label(role, kind) for role in MEMBER_ROLES)
    return f"{', '.join([first, *middle])} or {last}"


def _lock_members(workspace_id: int) -> list[Membership]:
    """The workspace's memberships as stored now (PostgreSQL: locked, so two owners
    removing each other at once cannot leave the workspace without one)."""
    query = select(Membership).where(Membership.workspace_id == workspace_id)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return list(db.session.scalars(query.execution_options(populate_existing=True)))


def _refuse_last_owner(membership: Membership, others: list[Membership]) -> None:
    owners = [m for m in others if m.role == "owner" and m.id != membership.id]
    if membership.role == "owner" and not owners:
        name = membership.user.name
        db.session.rollback()
        raise InvalidInput(LAST_OWNER.format(name=name), field="role")


def change_role(membership: Membership, role: str, by: User) -> None:
    """Make a member owner, consultant (in an organisation's own workspace: editor) or viewer.

    :raise InvalidInput: an unknown role, or the last owner made something else.
    """
    if role not in MEMBER_ROLES:
        raise InvalidInput(f"Choose {roles_text(membership.workspace.kind)}.", field="role")
    begin_write()  # SQLite: take the write lock before reading what is changed
    members = _lock_members(membership.workspace_id)
    if role != "owner":
        _refuse_last_owner(membership, members)
    before, membership.role = membership.role, role
    audit.record(
        "member-role-changed",
        workspace_id=membership.workspace_id,
        actor=by.email,
        user=by,
        target=f"user:{membership.user_id}",
        before=before,
        after=role,
    )
    db.session.commit()


def remove(membership: Membership, by: User, *, action: str = "member-removed") -> None:
    """Take a member out of the workspace (or, with ``action="member-left"``, let them
    leave).  Their API tokens of the workspace are revoked; someone left in no workspace
    has all their sessions ended.

    :raise InvalidInput: the last owner.
    """
    begin_write()  # SQLite: take the write lock before reading what is changed
    members = _lock_members(membership.workspace_id)
    _refuse_last_owner(membership, members)
    user_id, workspace_id = membership.user_id, membership.workspace_id
    db.session.delete(membership)
    tokens = api_tokens.revoke_member_tokens(workspace_id, user_id)
    db.session.flush()
    elsewhere = db.session.scalar(
        select(func.count()).select_from(Membership).where(Membership.user_id == user_id)
    )
    ended = 0
    if not elsewhere:
        result = db.session.execute(delete(UserSession).where(UserSession.user_id == user_id))
        ended = int(result.rowcount)
    audit.record(
        action,
        workspace_id=workspace_id,
        actor=by.email,
        user=by,
        target=f"user:{user_id}",
        sessions_ended=ended,
        api_tokens_revoked=tokens,
    )
    db.session.commit()
    db.session.expire_all()


def leave(membership: Membership) -> None:
    """Leave the workspace (:func:`remove`, by the member themselves)."""
    remove(membership, membership.user, action="member-left")


def member_or_none(workspace: Workspace, membership_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(
            Membership.id == membership_id, Membership.workspace_id == workspace.id
        )
    )


def set_kind(workspace: Workspace, kind: str, by: User) -> None:
    """Say whether the workspace is a firm's (assessing clients) or an organisation's own.
    The reports speak accordingly: a change renders every submitted assessment's report
    again, in the background (as a change of branding does)."""
    if kind not in ("firm", "own"):
        raise InvalidInput("Choose a consulting firm or your own organisation.", field="kind")
    begin_write()  # SQLite: take the write lock before reading what is changed
    changed = workspace.kind != kind
    workspace.kind = kind
    audit.record(
        "workspace-kind-changed", workspace_id=workspace.id, actor=by.email, user=by, kind=kind
    )
    db.session.commit()
    if changed:
        render_queue.prerender_workspace(workspace.id)
