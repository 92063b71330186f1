"""Single-use links e-mailed to a user (verify the address, reset the password): only the
token's hash is stored, each opens once, and each expires."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import String, delete, insert, literal, select, update

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import AccountLink, User, utcnow
from assessor.models.base import UTCDateTime
from assessor.operations.tokens import new_token, token_hash


def lifetime(purpose: str) -> timedelta:
    """How long a link of this purpose works (``VERIFY_LINK_HOURS``, ``RESET_LINK_MINUTES``)."""
    config = current_app.config
    if purpose == "reset":
        return timedelta(minutes=int(config["RESET_LINK_MINUTES"]))
    return timedelta(hours=int(config["VERIFY_LINK_HOURS"]))


def issue(user: User, purpose: str) -> str:
    """A new link token for ``user``; earlier unused links of the same purpose stop
    working.  Added to the current write transaction (the caller commits)."""
    token, hashed = new_token()
    cancel(user, purpose)
    db.session.add(
        AccountLink(
            user_id=user.id,
            purpose=purpose,
            token_hash=hashed,
            expires_at=utcnow() + lifetime(purpose),
        )
    )
    return token


def cancel(user: User, purpose: str) -> None:
    """End ``user``'s unused links of this purpose, in the current write transaction (the
    caller commits)."""
    begin_write()
    db.session.execute(
        delete(AccountLink).where(
            AccountLink.user_id == user.id,
            AccountLink.purpose == purpose,
            AccountLink.used_at.is_(None),
        )
    )


def holder(token: str, purpose: str) -> User | None:
    """The user whose unused, unexpired link this is; None otherwise (nothing is used)."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        select(User)
        .join(AccountLink, AccountLink.user_id == User.id)
        .where(
            AccountLink.token_hash == token_hash(token),
            AccountLink.purpose == purpose,
            AccountLink.used_at.is_(None),
            AccountLink.expires_at > utcnow(),
        )
    )


def use(token: str, purpose: str) -> User | None:
    """Use the link, in the current write transaction: its user, or None when it is
    unknown, used or expired.  Two requests with the same link: one gets the user."""
    if not token or len(token) > 100:
        return None
    begin_write()
    now = utcnow()
    result = db.session.execute(
        update(AccountLink)
        .where(
            AccountLink.token_hash == token_hash(token),
            AccountLink.purpose == purpose,
            AccountLink.used_at.is_(None),
            AccountLink.expires_at > now,
        )
        .values(used_at=now)
        .returning(AccountLink.user_id)
    )
    user_id = result.scalar()
    return None if user_id is None else db.session.get(User, user_id)


def issue_for_address(address: str, purpose: str) -> str:
    """A new link token for the account with this (normalised) address, if there is one;
    earlier unused links of the same purpose stop working.  The same statements run
    whether or not the address has an account (they change no row when it has none), so
    that the work does not tell them apart; added to the current write transaction (the
    caller commits)."""
    token, hashed = new_token()
    begin_write()
    holder = select(User.id).where(User.email == address).scalar_subquery()
    db.session.execute(
        delete(AccountLink)
        .where(
            AccountLink.user_id == holder,
            AccountLink.purpose == purpose,
            AccountLink.used_at.is_(None),
        )
        .execution_options(synchronize_session=False)
    )
    now = utcnow()
    db.session.execute(
        insert(AccountLink).from_select(
            ["user_id", "purpose", "token_hash", "expires_at", "created_at"],
            select(
                User.id,
                literal(purpose, String()),
                literal(hashed, String()),
                literal(now + lifetime(purpose), UTCDateTime()),
                literal(now, UTCDateTime()),
            ).where(User.email == address),
        )
    )
    return token
