"""Signed-in sessions, kept on the server.

Each sign-in starts a session: a random token for the cookie, and a row holding only the
token's hash and an absolute expiry (``PERMANENT_SESSION_LIFETIME`` after sign-in; using
the session never moves it).  A request is signed in while its token names a row that
has not expired, so deleting the row ends the session wherever its cookie was copied:
sign-out deletes its own, "sign out everywhere" every one of the user's (and, when
asked, their API tokens: a token works without a session).  Expired rows
are deleted when the next session starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import delete, select

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import User, UserSession, utcnow
from assessor.operations import api_tokens, audit
from assessor.operations.tokens import new_token, token_hash


def start(user: User, *, replacing: str | None = None) -> str:
    """Sign ``user`` in: a new session (audited), expired ones pruned, and the session this
    browser held before (``replacing``, its token) ended; returns the new one's token."""
    token, hashed = new_token()
    begin_write()  # SQLite: take the write lock before reading what is changed
    now = utcnow()
    _delete_expired(now)
    if replacing:
        db.session.execute(
            delete(UserSession).where(UserSession.token_hash == token_hash(replacing))
        )
    db.session.add(
        UserSession(
            user_id=user.id,
            token_hash=hashed,
            created_at=now,
            expires_at=now + current_app.permanent_session_lifetime,
        )
    )
    user.last_sign_in_at = now
    audit.for_user("sign-in", user)
    db.session.commit()
    return token


def user_for(token: str | None) -> User | None:
    """The user whose live session this token opens, or None (unknown, revoked, expired)."""
    if not token:
        return None
    return db.session.scalar(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == token_hash(token), UserSession.expires_at > utcnow())
    )


def revoke(token: str | None) -> None:
    """End the session this token opens (sign-out); nothing to do for no token."""
    if not token:
        return
    begin_write()  # SQLite: take the write lock before reading what is changed
    db.session.execute(delete(UserSession).where(UserSession.token_hash == token_hash(token)))
    db.session.commit()


@dataclass(frozen=True)
class Ended:
    """What "sign out everywhere" ended: sessions, and API tokens when asked."""

    sessions: int
    tokens: int


def revoke_all(user: User, *, reason: str = "signed-out-everywhere", tokens: bool = False) -> Ended:
    """End every session of ``user``, on every device, and with ``tokens`` every API token
    of theirs in every workspace (a token works without a session); audited as ``reason``
    in each of their workspaces."""
    begin_write()  # SQLite: take the write lock before reading what is changed
    ended = db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    revoked = api_tokens.revoke_user_tokens(user) if tokens else 0
    detail: dict[str, Any] = {"api_tokens_revoked": revoked} if tokens else {}
    audit.for_user(reason, user, **detail)
    db.session.commit()
    return Ended(int(ended.rowcount), revoked)


def prune_expired() -> int:
    """Delete the sessions whose expiry has passed; returns how many."""
    begin_write()  # SQLite: take the write lock before reading what is changed
    pruned = _delete_expired(utcnow())
    db.session.commit()
    return pruned


def _delete_expired(now: datetime) -> int:
    result = db.session.execute(delete(UserSession).where(UserSession.expires_at <= now))
    return int(result.rowcount)
