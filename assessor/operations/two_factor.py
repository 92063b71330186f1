"""Two-factor sign-in: a TOTP authenticator (RFC 6238, pyotp) and single-use recovery codes.

Enrolling stores a fresh secret; it is in use only once the user confirms it with a code
from their authenticator, which also issues ten recovery codes (shown once, kept as their
sha256: each has 80 random bits, so the hash cannot be reversed by trying them).  A TOTP
code is accepted within one 30-second step either side of now, and never twice (the last
step accepted is kept).  Disabling asks for a current code.  API tokens are not second
factors.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
import time

import pyotp
import segno
from sqlalchemy import delete, select

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import RecoveryCode, User, Workspace, utcnow
from assessor.operations import audit
from assessor.operations.errors import InvalidInput

ISSUER = "Governance gap"
RECOVERY_CODES = 10
#: Steps of 30 seconds accepted either side of now (a phone's clock a little off).
WINDOW = 1
_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no l, o, 0, 1: read back without doubt


def enabled(user: User) -> bool:
    return user.totp_enabled_at is not None


def _audit_all(action: str, user: User) -> None:
    for membership in user.memberships:
        audit.record(action, workspace_id=membership.workspace_id, actor=user.email, user=user)


def start_enrolment(user: User) -> str:
    """A new secret for the user's authenticator (not in use until confirmed)."""
    _require_verified(user)
    begin_write()  # SQLite: take the write lock before reading what is changed
    if enabled(user):
        db.session.rollback()
        raise InvalidInput("Two-factor sign-in is already on; turn it off first.")
    user.totp_secret = pyotp.random_base32()
    db.session.commit()
    return user.totp_secret


def _require_verified(user: User, field: str | None = None) -> None:
    """An unconfirmed address may be someone else's: whoever signed up with it must not
    put their authenticator between the address's owner and the account."""
    if user.email_verified_at is None:
        raise InvalidInput(
            "Confirm your e-mail address first (the link we sent you), then set up "
            "two-factor sign-in.",
            field=field,
        )


def provisioning_uri(user: User) -> str:
    """The ``otpauth://`` URI an authenticator app reads (from the QR code or pasted)."""
    return pyotp.TOTP(user.totp_secret or "").provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The URI as a QR code, an SVG document (made offline by segno, no script)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=4, xmldecl=False, svgns=True)
    return out.getvalue().decode()


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _recovery_hash(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _accept_totp(user: User, code: str) -> bool:
    """Whether ``code`` is the authenticator's for a step near now not used before (the
    step is then kept: the caller commits)."""
    code = _normalise(code)
    if not user.totp_secret or len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = int(time.time()) // totp.interval
    for step in range(now - WINDOW, now + WINDOW + 1):
        if hmac.compare_digest(totp.at(step * totp.interval), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False  # replayed
            user.totp_last_step = step
            return True
    return False


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Turn two-factor sign-in on with a code from the new authenticator; returns the
    recovery codes (shown once).

    :raise InvalidInput: the code is wrong (``field`` is ``code``), or no enrolment began.
    """
    _require_verified(user, field="code")
    begin_write()  # SQLite: take the write lock before reading what is changed
    if enabled(user) or not user.totp_secret:
        db.session.rollback()
        raise InvalidInput("Start again: open the two-factor page.", field="code")
    if not _accept_totp(user, code):
        db.session.rollback()
        raise InvalidInput(
            "That code is not the one your authenticator shows now; try the next one.",
            field="code",
        )
    user.totp_enabled_at = utcnow()
    codes = _new_recovery_codes(user)
    _audit_all("two-factor-enabled", user)
    db.session.commit()
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(16))
        code = "-".join(raw[i : i + 4] for i in range(0, 16, 4))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(code)))
        codes.append(code)
    return codes


def verify(user: User, code: str) -> bool:
    """The second step of a sign-in: a current authenticator code, or an unused recovery
    code (which is then used up).  Commits what it used."""
    begin_write()  # SQLite: take the write lock before reading what is changed
    if not enabled(user):
        db.session.rollback()
        return False
    if _accept_totp(user, code):
        db.session.commit()
        return True
    found = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_hash(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if found is None:
        db.session.rollback()
        return False
    found.used_at = utcnow()
    _audit_all("recovery-code-used", user)
    db.session.commit()
    return True


def recovery_codes_left(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def disable(user: User, code: str) -> None:
    """Turn two-factor sign-in off, with a current authenticator code.

    :raise InvalidInput: the code is wrong (``field`` is ``code``).
    """
    begin_write()  # SQLite: take the write lock before reading what is changed
    if not enabled(user) or not _accept_totp(user, code):
        db.session.rollback()
        raise InvalidInput(
            "Enter the code your authenticator shows now to turn two-factor sign-in off.",
            field="code",
        )
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    _audit_all("two-factor-disabled", user)
    db.session.commit()


def set_required(workspace: Workspace, by: User, required: bool) -> None:
    """Require (or stop requiring) a second factor of every member of the workspace.

    :raise InvalidInput: the owner requiring it has no second factor themselves.
    """
    if required and not enabled(by):
        raise InvalidInput(
            "Turn on two-factor sign-in for yourself first, then require it of everyone.",
            field="require_two_factor",
        )
    begin_write()  # SQLite: take the write lock before reading what is changed
    workspace.require_two_factor = required
    audit.record(
        "two-factor-required" if required else "two-factor-optional",
        workspace_id=workspace.id,
        actor=by.email,
        user=by,
    )
    db.session.commit()
