"""Workspaces, their members and sign-in: users, invitations, sessions, single-use links,
recovery codes and API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessor.extensions import db
from assessor.models.base import MEMBER_ROLES, Timestamp, UTCDateTime, enum_check, utcnow

if TYPE_CHECKING:
    from assessor.models.assessments import Organization


class Workspace(Timestamp, db.Model):
    """A consultant firm, or an organisation assessing itself."""

    __tablename__ = "workspace"
    __table_args__ = (
        CheckConstraint("accent_color IS NULL OR length(accent_color) = 7", name="accent_len"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The firm name printed as "prepared by" on reports.
    firm_name: Mapped[str | None] = mapped_column(String(200))
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: ``image/png`` or ``image/svg+xml`` (sanitised on upload).
    logo_mimetype: Mapped[str | None] = mapped_column(String(40))
    #: ``#rrggbb``; validated on input.
    accent_color: Mapped[str | None] = mapped_column(String(7))

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="workspace", cascade="all, delete-orphan", passive_deletes=True
    )
    organizations: Mapped[list[Organization]] = relationship(
        back_populates="workspace", cascade="all, delete-orphan", passive_deletes=True
    )
    #: ``firm`` (assesses client organisations) or ``own`` (assesses itself): the wording.
    kind: Mapped[str] = mapped_column(
        String(10),
        CheckConstraint("kind IN ('firm', 'own')", name="kind_valid"),
        default="firm",
        server_default="firm",
    )
    #: Every member must sign in with a second factor (members without one enrol first).
    require_two_factor: Mapped[bool] = mapped_column(default=False, server_default=false())


class User(UserMixin, Timestamp, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased; unique across the service.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the user proved the address (a verification link, a password reset, or joining
    #: by an e-mailed invitation); until then they may not invite, join or export.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    #: The TOTP secret (base32): set when enrolment starts, in use once confirmed.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    #: When the user confirmed their authenticator; NULL: no second factor.
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The last TOTP time step accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    #: Wrong second-step codes in a row (a right one sets it back to 0): past a number of
    #: them the next attempt waits, and at the limit the second step is locked
    #: (``operations/two_factor.py``).
    two_factor_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: No code is checked before this moment (the back-off after repeated wrong codes).
    two_factor_wait_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Membership(Timestamp, db.Model):
    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("workspace_id", "user_id"),
        enum_check("role", MEMBER_ROLES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))

    workspace: Mapped[Workspace] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")


class Invitation(Timestamp, db.Model):
    """A link that lets someone join a workspace as consultant or viewer."""

    __tablename__ = "invitation"
    __table_args__ = (enum_check("role", MEMBER_ROLES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20))
    #: sha256 of the token in the link; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked: Mapped[bool] = mapped_column(default=False)
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    #: sha256 of the proof the e-mailed link carries (``?proof=``): only the mailbox sees
    #: it, so only that link proves the address; the owner's copy of the link lacks it.
    #: NULL for invitations from before proofs (their links prove nothing).
    proof_hash: Mapped[str | None] = mapped_column(String(64))
    #: An account made through the link without its proof, not yet confirmed: it joins
    #: when it confirms its address (``registration.confirm_email``).
    pending_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    workspace: Mapped[Workspace] = relationship()


class UserSession(db.Model):
    """One signed-in session (a browser): sign-out deletes it, and so does its expiry."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: sha256 of the token the session cookie carries; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Absolute: using the session never moves it.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


ACCOUNT_LINK_PURPOSES = ("verify", "reset")


class AccountLink(db.Model):
    """A single-use link e-mailed to a user: verify the address, or reset the password."""

    __tablename__ = "account_link"
    __table_args__ = (enum_check("purpose", ACCOUNT_LINK_PURPOSES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(10))
    #: sha256 of the token in the link; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Set when the link is used: it opens nothing after.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RecoveryCode(db.Model):
    """A single-use code that stands in for the authenticator (shown once, kept hashed)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: sha256 of the code; the code itself is never stored.
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


API_TOKEN_SCOPES = ("read", "read-write")


class ApiToken(db.Model):
    """A personal API token of a user in one workspace (shown once, kept hashed).

    It acts as its owner with the owner's role in the workspace, narrowed to its scope; it
    is revoked when the owner leaves or is removed from the workspace.
    """

    __tablename__ = "api_token"
    __table_args__ = (enum_check("scope", API_TOKEN_SCOPES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: What the owner called it ("CRM sync").
    name: Mapped[str] = mapped_column(String(100))
    #: ``read`` or ``read-write``.
    scope: Mapped[str] = mapped_column(String(20))
    #: sha256 of the token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The token's first characters, to tell tokens apart in the list (not secret).
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When it was revoked (by its owner, or by their leaving); NULL while it works.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
    workspace: Mapped[Workspace] = relationship()


class ApiIdempotencyKey(db.Model):
    """A create sent with an ``Idempotency-Key``: the same key again gets the same answer.

    Only what identifies the request and where its result lives is kept (no response body:
    a respondent's link is shown once, and erasure has nothing to find here).
    """

    __tablename__ = "api_idempotency_key"
    __table_args__ = (UniqueConstraint("token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    #: sha256 of the method, path and body: the same key with another request is a 422.
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    #: The created resource's URL under /api/v1.
    location: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
