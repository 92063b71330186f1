"""Proving who someone is by e-mail: sign-up with address verification, joining through
a copy of an invitation link, password reset, and changing a password.

Sign-up (and joining through the owner's copy of an invitation link) answers the same,
in the same time, whether or not the address has an account: the password is checked
and hashed either way, and either way one e-mail goes out (a verification link, or
"you already have an account").
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import Invitation, User, Workspace, utcnow
from assessor.operations import (
    account_links,
    account_notices,
    accounts,
    api_tokens,
    audit,
    sessions,
    unproved,
)
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


def join_unproved(invitation: Invitation, name: str, password: str, token: str) -> None:
    """Join through a link without the e-mailed proof (the copy the owner saw): nothing
    here proves the address, and the answer is the same whether or not it has an account.

    A new address gets an account, not yet verified and in no workspace, and a link to
    confirm the address; confirming it (signed in) joins the workspace.  An address with
    an account gets "you already have an account: sign in, then open the invitation".
    Either way the password is checked and hashed, one transaction commits and one e-mail
    is sent; nothing is written where the inviting owner could read it.

    :raise InvalidInput: the password is refused (for either, the same way).
    """
    check_password(password, email=invitation.email, name=name)
    workspace = invitation.workspace.firm_name or invitation.workspace.name
    existing = _user(invitation.email)
    if existing is not None:
        hashed(password)  # the time a new account's hash takes
        begin_write()
        audit.for_user("join-attempted", existing, actor="anonymous")
        db.session.commit()
        send(
            "already-registered",
            existing.email,
            "already_registered_join",
            user_id=existing.id,
            workspace=workspace,
            sign_in=external_url("auth.sign_in", next=f"/join/{token}"),
            reset=external_url("account.forgot"),
        )
        return
    user = User(email=invitation.email, name=name.strip(), password_hash=hashed(password))
    begin_write()  # after the slow hash: the write lock is held for the writes alone
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return  # the same address a moment ago: its own request answers it
    invitation.pending_user_id = user.id
    audit.record("sign-up", workspace_id=None, actor=user.email, user=user, joining=True)
    db.session.flush()  # before issuing the link, whose begin_write expires what is loaded
    _send_verification(user, account_links.issue(user, "verify"), workspace=workspace)


def send_verification(user: User) -> None:
    """E-mail ``user`` a new verification link (earlier ones stop working)."""
    _send_verification(user, account_links.issue(user, "verify"))


def _send_verification(user: User, token: str, *, workspace: str | None = None) -> None:
    """Commit the link (in the transaction that issued it), then e-mail it.  The message
    repeats nothing the person typed: until the link is used, whoever signed up may not
    own the address, and the name would be their text in someone else's mailbox (the
    workspace, when they asked to join one, is the inviting owner's, as in the
    invitation)."""
    audit.for_user("verification-sent", user)
    db.session.commit()
    send(
        "verify",
        user.email,
        "verify",
        user_id=user.id,
        link=external_url("account.verify", token=token),
        hours=int(account_links.lifetime("verify").total_seconds() // 3600),
        workspace=workspace,
        reset=external_url("account.forgot"),
    )


@dataclass(frozen=True)
class Confirmed:
    """An address confirmed, and the workspaces its account joined with it."""

    user: User
    joined: list[Workspace]


def confirm_email(token: str, user: User) -> Confirmed | None:
    """Use a verification link signed in as its account (``user``): the account is
    verified, and joins the workspaces it asked to join through a link without the
    e-mailed proof.  None for a used, expired or unknown link, or another account's:
    clicking a link in one's mailbox must not confirm an account someone else set up
    with the address (they hold its password, not the mailbox)."""
    holder = account_links.holder(token, "verify")
    if holder is None or holder.id != user.id:
        db.session.rollback()
        return None
    confirmed = account_links.use(token, "verify")
    if confirmed is None:
        db.session.rollback()
        return None
    if confirmed.email_verified_at is None:
        confirmed.email_verified_at = utcnow()
    joins = accounts.pending_joins(confirmed)
    for invitation in joins:
        accounts.join(invitation, confirmed)
    db.session.flush()
    audit.for_user("email-verified", confirmed)
    db.session.commit()
    return Confirmed(confirmed, [invitation.workspace for invitation in joins])


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


def reset_password(
    token: str, password: str, *, name: str | None = None, keep_workspaces: bool = False
) -> User | None:
    """Set a new password with a reset link (it proves the address, too), revoke every
    API token of the user (a reset is how an account is recovered from whoever had the
    password) and end every session of theirs; None for a used, expired or unknown link.

    An account whose address was never proved may have been set up by someone else with
    it: its name becomes ``name`` and what it set up goes (see :mod:`unproved`), its
    workspaces unless ``keep_workspaces``.

    :raise InvalidInput: the password or name is refused (the link stays usable).
    """
    user = account_links.holder(token, "reset")
    if user is None:
        return None
    never_verified = user.email_verified_at is None
    new_name = (name or "").strip() if never_verified else user.name
    if never_verified and not new_name:
        raise InvalidInput("Type your name.", field="name")
    check_password(password, email=user.email, name=new_name)
    new_hash = hashed(password)
    db.session.rollback()  # the slow hash came first; the writes follow under the lock
    user = account_links.use(token, "reset")
    if user is None:
        db.session.rollback()
        return None
    user.password_hash = new_hash
    tokens = api_tokens.revoke_user_tokens(user)
    files: list[str] = []
    if user.email_verified_at is None:
        files = unproved.discard(user, keep_workspaces=keep_workspaces)
        user.name = new_name[:200]
        user.email_verified_at = utcnow()
    audit.for_user("password-reset", user, api_tokens_revoked=tokens)
    db.session.commit()
    unproved.delete_outbox_files(files)
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
