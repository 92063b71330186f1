"""Two-factor sign-in: a TOTP authenticator (RFC 6238, pyotp) and single-use recovery codes.

Enrolling (the password asked) stores a fresh secret; it is in use only once the user
confirms it with a code from their authenticator, which also issues ten recovery codes
(shown once, kept as their sha256: each has 80 random bits, so the hash cannot be
reversed by trying them) and ends the user's other sessions.  A TOTP code is accepted
within one 30-second step either side of now, and never twice; a recovery code once.
Both are used by a conditional UPDATE (the step only if it is later than the last one
accepted, the recovery code only if unused), so two requests with one code cannot both
get in, on PostgreSQL as on SQLite.

Wrong codes in a row are counted on the user (every one audited): after
:data:`NOTICE_AFTER` the user is e-mailed (someone has their password), after
:data:`BACKOFF_AFTER` each further attempt waits (30 seconds, doubling, up to an hour),
and at :data:`LOCK_AT` (NIST SP 800-63B's cap) the second step is locked until the
operator resets it (``assessor users reset-two-factor``).  A right code sets the count
back to 0.

A lost authenticator: a recovery code, with the password, turns two-factor sign-in off
(then it can be set up on a new phone) or makes new recovery codes.  The operator can
turn it off for someone who lost both.  API tokens are not second factors.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import math
import secrets
import time
from datetime import datetime, timedelta

import pyotp
import segno
from sqlalchemy import delete, or_, select, update

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import RecoveryCode, User, Workspace, utcnow
from assessor.operations import account_notices, accounts, audit, sessions
from assessor.operations.errors import InvalidInput
from assessor.operations.passwords import matches

ISSUER = "Governance gap"
RECOVERY_CODES = 10
#: Steps of 30 seconds accepted either side of now (a phone's clock a little off).
WINDOW = 1
_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no l, o, 0, 1: read back without doubt
#: Wrong codes in a row after which the user is e-mailed: someone has their password.
NOTICE_AFTER = 5
#: Wrong codes in a row after which each further attempt waits.
BACKOFF_AFTER = 10
#: The wait after :data:`BACKOFF_AFTER` wrong codes; it doubles with each further one.
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
#: Wrong codes in a row at which the second step is locked (NIST SP 800-63B: at most 100).
LOCK_AT = 100
WRONG_CODE = (
    "That code is not right: type the 6 digits your authenticator shows now, "
    "or one of your recovery codes."
)


class CodeRefused(InvalidInput):
    """A second-step code not accepted (``field`` is ``code``): a wrong one (422), one not
    checked because of the wrong ones before it (429: wait), or a locked second step (423)."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message, field="code")
        self.status = status


def enabled(user: User) -> bool:
    return user.totp_enabled_at is not None


def _check_password(user: User, password: str) -> None:
    """:raise InvalidInput: (``field="password"``) it is not the user's password."""
    if not matches(user.password_hash, password):
        raise InvalidInput("This is not your current password.", field="password")


def start_enrolment(user: User, password: str) -> str:
    """A new secret for the user's authenticator (not in use until confirmed).

    :raise InvalidInput: the address is not confirmed yet, the password is wrong
        (``field`` is ``password``), or two-factor sign-in is already on.
    """
    _require_verified(user)
    _check_password(user, password)
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


def _use_totp(user: User, code: str) -> bool:
    """Whether ``code`` is the authenticator's for a step near now later than the last one
    accepted; that step is then kept, by a conditional UPDATE (of two requests with one
    code, one gets it), and the count of wrong codes set back to 0 (the caller commits)."""
    code = _normalise(code)
    secret = user.totp_secret
    if not secret or len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(secret)
    now = int(time.time()) // totp.interval
    for step in range(now - WINDOW, now + WINDOW + 1):
        if hmac.compare_digest(totp.at(step * totp.interval), code):
            taken = db.session.execute(
                update(User)
                .where(
                    User.id == user.id,
                    or_(User.totp_last_step.is_(None), User.totp_last_step < step),
                )
                .values(totp_last_step=step, two_factor_failures=0, two_factor_wait_until=None)
                .returning(User.id)
                .execution_options(synchronize_session=False)
            ).scalar()
            return taken is not None
    return False


def _use_recovery_code(user: User, code: str) -> bool:
    """Whether ``code`` is one of the user's unused recovery codes; it is then used up, by
    a conditional UPDATE (of two requests with one code, one gets it), and the count of
    wrong codes set back to 0 (the caller commits)."""
    now = utcnow()
    used = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .returning(RecoveryCode.id)
        .execution_options(synchronize_session=False)
    ).scalar()
    if used is None:
        return False
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(two_factor_failures=0, two_factor_wait_until=None)
        .execution_options(synchronize_session=False)
    )
    audit.for_user("recovery-code-used", user)
    return True


def _wait_after(failures: int) -> timedelta | None:
    """How long the next attempt waits after ``failures`` wrong codes in a row."""
    if failures < BACKOFF_AFTER:
        return None
    doublings = min(failures - BACKOFF_AFTER, 20)
    return min(FIRST_WAIT * (1 << doublings), LONGEST_WAIT)


def _in_words(delta: timedelta) -> str:
    seconds = max(1, math.ceil(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def _refuse_paused(user: User, now: datetime) -> None:
    """:raise CodeRefused: the second step is locked, or the wait after wrong codes has not
    passed (nothing is checked, nothing counted)."""
    if user.two_factor_failures >= LOCK_AT:
        raise CodeRefused(
            f"Two-factor sign-in is locked on this account after {LOCK_AT} wrong codes in a "
            "row. Ask the administrator of this service to reset it; they will check that "
            "it is you.",
            status=423,
        )
    if user.two_factor_wait_until is not None and user.two_factor_wait_until > now:
        raise CodeRefused(
            "Too many wrong codes in a row: wait "
            f"{_in_words(user.two_factor_wait_until - now)}, then type the code your "
            "authenticator shows then.",
            status=429,
        )


def _use_code(user: User, code: str, *, during: str) -> None:
    """Use a second-step code (a current authenticator code, else an unused recovery code)
    in the current write transaction, which the caller commits.  The attempt is counted
    first, by an UPDATE of the user's row (PostgreSQL: which also makes the user's
    attempts take turns); a right code sets the count back to 0.

    :raise CodeRefused: locked, waiting, or a wrong code (then the count, the wait and the
        audit entry are committed, and the user told by e-mail at :data:`NOTICE_AFTER` and
        at :data:`LOCK_AT`).
    """
    now = utcnow()
    counted = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            User.totp_enabled_at.is_not(None),
            User.two_factor_failures < LOCK_AT,
            or_(User.two_factor_wait_until.is_(None), User.two_factor_wait_until <= now),
        )
        .values(two_factor_failures=User.two_factor_failures + 1)
        .returning(User.two_factor_failures)
        .execution_options(synchronize_session=False)
    ).scalar()
    if counted is None:
        db.session.rollback()
        db.session.refresh(user)
        _refuse_paused(user, now)
        raise CodeRefused(WRONG_CODE)  # two-factor sign-in is off
    db.session.expire(user)
    if _use_totp(user, code) or _use_recovery_code(user, code):
        db.session.expire(user)
        return
    failures = int(counted)
    wait = _wait_after(failures)
    if wait is not None:
        db.session.execute(
            update(User)
            .where(User.id == user.id)
            .values(two_factor_wait_until=now + wait)
            .execution_options(synchronize_session=False)
        )
    db.session.expire(user)
    audit.for_user("two-factor-failed", user, failures=failures, during=during)
    db.session.commit()
    context = {"failures": failures, "backoff": BACKOFF_AFTER, "lock": LOCK_AT}
    if failures == NOTICE_AFTER:
        account_notices.tell(user, "two-factor-failures", **context)
    elif failures == LOCK_AT:
        account_notices.tell(user, "two-factor-locked", **context)
    if failures >= LOCK_AT:
        _refuse_paused(user, now)
    if wait is not None:
        raise CodeRefused(
            f"That code is not right either ({failures} wrong codes in a row): wait "
            f"{_in_words(wait)} before the next try."
        )
    raise CodeRefused(WRONG_CODE)


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Turn two-factor sign-in on with a code from the new authenticator; returns the
    recovery codes (shown once).  Every session of the user ends (one opened with a
    stolen password among them; the caller starts a new one for this browser), and the
    user is told by e-mail.

    :raise InvalidInput: the code is wrong (``field`` is ``code``), or no enrolment began.
    """
    _require_verified(user, field="code")
    begin_write()  # SQLite: take the write lock before reading what is changed
    if enabled(user) or not user.totp_secret:
        db.session.rollback()
        raise InvalidInput("Start again: open the two-factor page.", field="code")
    if not _use_totp(user, code):
        db.session.rollback()
        raise InvalidInput(
            "That code is not the one your authenticator shows now; try the next one.",
            field="code",
        )
    user.totp_enabled_at = utcnow()
    codes = _new_recovery_codes(user)
    audit.for_user("two-factor-enabled", user)
    db.session.commit()
    sessions.revoke_all(user, reason="signed-out-by-two-factor-on")
    account_notices.tell(user, "two-factor-on")
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


def verify(user: User, code: str) -> None:
    """The second step of a sign-in: a current authenticator code, or an unused recovery
    code (which is then used up).  Commits what it used.

    :raise CodeRefused: see :func:`_use_code`.
    """
    begin_write()  # SQLite: take the write lock before reading what is changed
    _use_code(user, code, during="sign-in")
    db.session.commit()


def recovery_codes_left(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def paused(user: User) -> bool:
    """Whether the second step is locked, or waiting after wrong codes."""
    return user.two_factor_failures >= LOCK_AT or (
        user.two_factor_wait_until is not None and user.two_factor_wait_until > utcnow()
    )


def replace_recovery_codes(user: User, password: str, code: str) -> list[str]:
    """Ten new recovery codes (the old ones stop working), with the password and a current
    authenticator code or a recovery code; returns them (shown once).

    :raise InvalidInput: the password is wrong (``field`` is ``password``), or two-factor
        sign-in is off; :class:`CodeRefused` (see :func:`_use_code`).
    """
    _check_password(user, password)
    begin_write()  # SQLite: take the write lock before reading what is changed
    if not enabled(user):
        db.session.rollback()
        raise InvalidInput("Two-factor sign-in is off: there are no recovery codes to replace.")
    _use_code(user, code, during="new-recovery-codes")
    codes = _new_recovery_codes(user)
    audit.for_user("recovery-codes-replaced", user)
    db.session.commit()
    return codes


def disable(user: User, password: str, code: str) -> None:
    """Turn two-factor sign-in off, with the password and a current authenticator code or
    a recovery code (the phone may be lost: then it can be set up on a new one); the user
    is told by e-mail.

    :raise InvalidInput: the password is wrong (``field`` is ``password``), or two-factor
        sign-in is off; :class:`CodeRefused` (see :func:`_use_code`).
    """
    _check_password(user, password)
    begin_write()  # SQLite: take the write lock before reading what is changed
    if not enabled(user):
        db.session.rollback()
        raise InvalidInput("Two-factor sign-in is already off.", field="code")
    _use_code(user, code, during="turn-off")
    _turn_off(user)
    audit.for_user("two-factor-disabled", user)
    db.session.commit()
    account_notices.tell(user, "two-factor-off", by_operator=False)


def _turn_off(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.two_factor_failures = 0
    user.two_factor_wait_until = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def reset_by_operator(email: str) -> User:
    """The operator turns two-factor sign-in off for someone who lost both their
    authenticator and their recovery codes (or whose second step is locked): the secret,
    the codes and the count of wrong codes go, every session of theirs ends, it is
    audited in each of their workspaces, and they are told by e-mail.  The operator
    checks who is asking before running it.

    :raise InvalidInput: no account has this address.
    """
    address = accounts.normalise_email(email)
    begin_write()  # SQLite: take the write lock before reading what is changed
    user = db.session.scalar(select(User).where(User.email == address))
    if user is None:
        db.session.rollback()
        raise InvalidInput(f"No account has the address {address}.")
    _turn_off(user)
    audit.for_user("two-factor-reset", user, actor="operator")
    db.session.commit()
    sessions.revoke_all(user, reason="signed-out-by-two-factor-reset")
    account_notices.tell(user, "two-factor-off", by_operator=True)
    return user


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
