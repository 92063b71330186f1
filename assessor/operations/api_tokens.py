"""Personal API tokens: create (shown once, kept hashed), list, revoke, and find the
token a request names; revoked with their owner's membership."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from assessor.database import begin_write, commit
from assessor.extensions import db
from assessor.models import API_TOKEN_SCOPES, ApiToken, Membership, User, Workspace, utcnow
from assessor.operations import audit
from assessor.operations.errors import Forbidden, InvalidInput
from assessor.operations.tokens import token_hash

#: Every token starts so (secret scanners and people can tell what it is).
PREFIX = "asr_"
#: How stale ``last_used_at`` may get before a request writes it again (one write a
#: minute per token at most, not one per request).
LAST_USED_EVERY = timedelta(minutes=1)
#: Roles whose tokens may change things (a viewer's read-write token still only reads).
WRITERS = ("owner", "consultant")


@dataclass(frozen=True)
class Caller:
    """Who an API request acts as: the token, its owner and the owner's membership."""

    token_id: int
    user: User
    workspace: Workspace
    role: str
    scope: str

    @property
    def workspace_id(self) -> int:
        return self.workspace.id

    @property
    def can_write(self) -> bool:
        return self.scope == "read-write" and self.role in WRITERS

    @property
    def actor(self) -> str:
        """How answer history names the caller (as a consultant's saves are named)."""
        return f"{self.user.name[:160]} (API token {self.token_id})"

    @property
    def audit_actor(self) -> str:
        """How the audit log names the caller (as it names a signed-in user: the e-mail)."""
        return f"{self.user.email[:220]} (API token {self.token_id})"


def create_token(
    workspace: Workspace, user: User, *, name: str, scope: str
) -> tuple[str, ApiToken]:
    """A new token of ``user`` in ``workspace``: the token (shown once) and its row.

    :raise InvalidInput: no name, or an unknown scope.
    :raise Forbidden: the user's address is not confirmed (whoever signed up may not own
        it, and the real owner's password reset must leave them nothing).
    """
    if user.email_verified_at is None:
        raise Forbidden("Confirm your e-mail address before creating API tokens.")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput("Name the token (at most 100 characters).", field="name")
    if scope not in API_TOKEN_SCOPES:
        raise InvalidInput("Choose read or read-write.", field="scope")
    token = PREFIX + secrets.token_urlsafe(32)
    begin_write()  # SQLite: take the write lock before reading what is changed
    row = ApiToken(
        workspace_id=workspace.id,
        user_id=user.id,
        name=name,
        scope=scope,
        token_hash=token_hash(token),
        prefix=token[: len(PREFIX) + 4],
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "api-token-created",
        workspace_id=workspace.id,
        actor=user.email,
        user=user,
        target=f"api-token:{row.id}",
        scope=scope,
    )
    db.session.commit()
    return token, row


def tokens_of(workspace_id: int, user_id: int) -> list[ApiToken]:
    """The user's tokens in the workspace that still work, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(
                ApiToken.workspace_id == workspace_id,
                ApiToken.user_id == user_id,
                ApiToken.revoked_at.is_(None),
            )
            .order_by(ApiToken.id.desc())
        )
    )


def token_of(workspace_id: int, user_id: int, token_id: int) -> ApiToken | None:
    return next((t for t in tokens_of(workspace_id, user_id) if t.id == token_id), None)


def revoke_token(token: ApiToken, by: User) -> None:
    """Stop a token working at once."""
    begin_write()  # SQLite: take the write lock before reading what is changed
    token.revoked_at = utcnow()
    audit.record(
        "api-token-revoked",
        workspace_id=token.workspace_id,
        actor=by.email,
        user=by,
        target=f"api-token:{token.id}",
    )
    db.session.commit()


def revoke_member_tokens(workspace_id: int, user_id: int) -> int:
    """Revoke the tokens of someone leaving the workspace, in the caller's transaction
    (the caller commits); how many there were."""
    result = db.session.execute(
        update(ApiToken)
        .where(
            ApiToken.workspace_id == workspace_id,
            ApiToken.user_id == user_id,
            ApiToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount)


def revoke_user_tokens(user: User) -> int:
    """Revoke every token of ``user``, in every workspace, in the caller's transaction
    (the caller commits and audits): a password reset, or "sign out everywhere" with its
    box ticked.  How many there were."""
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount)


def caller_for(token: str) -> Caller | None:
    """The caller a bearer token stands for; None for a token unknown, revoked, or whose
    owner is no longer a member of its workspace.

    :raise Forbidden: the workspace requires two-factor sign-in and the token's owner
        has none (a token is not a second factor, and must not be a way around the
        owner's requirement); or the owner's address is unconfirmed in a firm's
        workspace (closed until it is, as on the web).
    """
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    row = db.session.execute(
        select(ApiToken, Membership.role)
        .join(
            Membership,
            (Membership.workspace_id == ApiToken.workspace_id)
            & (Membership.user_id == ApiToken.user_id),
        )
        .where(ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None:
        return None
    found, role = row
    user, workspace = found.user, found.workspace
    if workspace.require_two_factor and user.totp_enabled_at is None:
        raise Forbidden(
            f"{workspace.name} requires two-factor sign-in, and this token's owner has "
            "not turned it on. Once they turn it on (Workspace \u2192 Your account), the "
            "token works again."
        )
    if user.email_verified_at is None and workspace.kind != "own":
        raise Forbidden(
            "This token's owner has not confirmed their e-mail address: the workspace "
            "opens, on the web and here, once they have."
        )
    now = utcnow()
    if found.last_used_at is None or now - found.last_used_at > LAST_USED_EVERY:
        begin_write(expire=False)
        db.session.execute(update(ApiToken).where(ApiToken.id == found.id).values(last_used_at=now))
        commit(expire=False)
    return Caller(found.id, user, workspace, role, found.scope)
