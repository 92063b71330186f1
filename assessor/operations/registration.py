"""Proving who someone is by e-mail: sign-up with address verification, password reset,
and changing a password.

Sign-up answers the same, in the same time, whether or not the address has an account:
the password is checked and hashed either way, and either way one e-mail goes out (a
verification link, or "you already have an account").
"""

from __future__ import annotations

from sqlalchemy import select

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import User, utcnow
from assessor.operations import account_links, account_notices, accounts, audit, sessions
from assessor.operations.errors import InvalidInput
from assessor.operations.mailing import external_url, send
from assessor.operations.passwords import check_password, hashed, matches


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == accounts.normalise_email(email)))


def register(email: str, password: str, name: str, workspace_name: str, kind: str = "firm") -> None:
    """Sign up: a new address gets an account (unverified), its workspace of ``kind``
    (``firm`` or ``own``, see :func:`accounts.sign_up`) and a verification link; an
    address with an account gets "you already have an account".  Nothing tells them apart:
    either way the password is checked and hashed, one transaction commits (the new
    account; the attempt, in the existing account's audit log) and one e-mail is sent.

    :raise InvalidInput: the password is refused (for either, the same way).
    """
    existing = _user(email)
    if existing is not None:
        check_password(password, email=email, name=name)
        hashed(password)  # the time a new account's hash takes
        begin_write()
        audit.for_user("sign-up-attempted", existing, actor="anonymous")
        db.session.commit()
        send(
            "already-registered",
            existing.email,
            "already_registered",
            user_id=existing.id,
            sign_in=external_url("auth.sign_in"),
            reset=external_url("account.forgot"),
        )
        return
    try:
        user = accounts.sign_up(email, password, name, workspace_name, kind, commit=False)
    except InvalidInput as exc:
        if exc.field != "email":
            raise
        return  # the same address signed up a moment ago: its own request answers it
    _send_verification(user, account_links.issue(user, "verify"))


def send_verification(user: User) -> None:
    """E-mail ``user`` a new verification link (earlier ones stop working)."""
    _send_verification(user, account_links.issue(user, "verify"))


def _send_verification(user: User, token: str) -> None:
    """Commit the link (in the transaction that issued it), then e-mail it.  The message
    repeats nothing the person typed: until the link is used, whoever signed up may not
    own the address, and the name would be their text in someone else's mailbox."""
    audit.for_user("verification-sent", user)
    db.session.commit()
    send(
        "verify",
        user.email,
        "verify",
        user_id=user.id,
        link=external_url("account.verify", token=token),
        hours=int(account_links.lifetime("verify").total_seconds() // 3600),
    )


def confirm_email(token: str) -> User | None:
    """Use a verification link: its user, now verified; None for a used, expired or
    unknown link."""
    user = account_links.use(token, "verify")
    if user is None:
        db.session.rollback()
        return None
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    audit.for_user("email-verified", user)
    db.session.commit()
    return user


def request_reset(email: str) -> None:
    """E-mail a password-reset link to the account with this address; an address without
    one gets a message saying so.  Neither the page nor the work tells them apart: the
    same statements run either way (the link and the audit entry are written by
    statements that add no row for an unknown address) and commit once, with the
    e-mail's row.  Neither message repeats the account's name: an unverified account's
    was typed by whoever signed up."""
    address = accounts.normalise_email(email)
    user = _user(address)
    user_id = user.id if user is not None else None  # read before the write lock expires it
    token = account_links.issue_for_address(address, "reset")
    audit.for_address("password-reset-requested", address)
    known = user_id is not None
    send(
        "reset" if known else "no-account",
        address,
        "reset" if known else "no_account",
        user_id=user_id,
        link=external_url("account.reset", token=token),
        minutes=int(account_links.lifetime("reset").total_seconds() // 60),
        sign_up=external_url("auth.sign_up"),
    )


def reset_password(token: str, password: str) -> User | None:
    """Set a new password with a reset link (it proves the address, too) and end every
    session of the user; None for a used, expired or unknown link.

    :raise InvalidInput: the password is refused (the link stays usable).
    """
    user = account_links.holder(token, "reset")
    if user is None:
        return None
    check_password(password, email=user.email, name=user.name)
    new_hash = hashed(password)
    db.session.rollback()  # the slow hash came first; the writes follow under the lock
    user = account_links.use(token, "reset")
    if user is None:
        db.session.rollback()
        return None
    user.password_hash = new_hash
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    audit.for_user("password-reset", user)
    db.session.commit()
    sessions.revoke_all(user, reason="signed-out-by-password-reset")
    account_notices.tell(user, "password-changed")
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Change a signed-in user's password (the current one asked), end every session of
    theirs and any reset link sent before (whoever reads the mailbox must not set another
    password with it); the caller starts a new one for this browser.

    :raise InvalidInput: the current password is wrong (``field="current"``), or the new
        one is refused (``field="password"``).
    """
    if not matches(user.password_hash, current):
        raise InvalidInput("This is not your current password.", field="current")
    check_password(new, email=user.email, name=user.name)
    new_hash = hashed(new)
    begin_write()
    account_links.cancel(user, "reset")
    user.password_hash = new_hash
    audit.for_user("password-changed", user)
    db.session.commit()
    sessions.revoke_all(user, reason="signed-out-by-password-change")
    account_notices.tell(user, "password-changed")
