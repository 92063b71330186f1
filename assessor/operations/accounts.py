"""Accounts and workspaces: sign-up, sign-in, team invitations."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import Invitation, Membership, User, Workspace, utcnow
from assessor.operations import audit, render_queue
from assessor.operations.errors import InvalidInput
from assessor.operations.passwords import check_password, hashed, matches
from assessor.operations.tokens import new_token, token_hash

#: Hash checked when the email is unknown, so sign-in takes as long either way.
DUMMY_HASH = hashed("not-a-real-password-0123456789")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def sign_up(
    email: str,
    password: str,
    name: str,
    workspace_name: str,
    kind: str = "firm",
    *,
    commit: bool = True,
) -> User:
    """Create a user (address not yet verified) and a workspace that the user owns: a
    firm's (``kind="firm"``) or the user's own organisation's (``"own"``); ``commit``
    False leaves the write transaction open for the caller to add to.

    :raise InvalidInput: the password is refused, or the address has an account.
    """
    check_password(password, email=email, name=name)
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        password_hash=hashed(password),
    )
    workspace = Workspace(
        name=workspace_name.strip() or f"{user.name}'s workspace",
        kind="own" if kind == "own" else "firm",
    )
    begin_write()  # after the slow hash: the write lock is held for the writes alone
    db.session.add_all([user, workspace])
    db.session.add(Membership(workspace=workspace, user=user, role="owner"))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise InvalidInput("An account with this email already exists.", field="email") from None
    audit.record("sign-up", workspace_id=workspace.id, actor=user.email, user=user)
    if commit:
        db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user with these credentials, or None (the same work either way)."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        matches(DUMMY_HASH, password)
        return None
    if not matches(user.password_hash, password):
        return None
    return user


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    #: The link's token: the owner sees the link with it (``/join/<token>``).
    token: str
    #: The secret only the e-mailed link adds (``?proof=``): it proves the address.
    proof: str


def invite_member(workspace: Workspace, email: str, role: str, by: User) -> IssuedInvitation:
    """Invite someone to the workspace as consultant (in an organisation's own workspace:
    editor) or viewer; returns the link's token and the proof the e-mailed link carries
    (never shown to the owner)."""
    if role not in ("consultant", "viewer"):
        raise InvalidInput(
            f"Invite {'an editor' if workspace.kind == 'own' else 'a consultant'} or a viewer.",
            field="role",
        )
    token, hashed = new_token()
    proof, proof_hashed = new_token()
    begin_write()  # SQLite: take the write lock before reading what is changed
    invitation = Invitation(
        workspace=workspace,
        email=normalise_email(email),
        role=role,
        token_hash=hashed,
        proof_hash=proof_hashed,
        expires_at=utcnow() + timedelta(days=int(current_app.config["INVITE_DAYS"])),
        invited_by_id=by.id,
    )
    db.session.add(invitation)
    audit.record(
        "member-invited",
        workspace_id=workspace.id,
        actor=by.email,
        user=by,
        target=f"invitation:{invitation.email}",
        role=role,
    )
    db.session.commit()
    return IssuedInvitation(invitation, token, proof)


def invitation_by_token(token: str) -> Invitation | None:
    """An open invitation for this token, or None if unknown, used, revoked or expired."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == token_hash(token))
    )
    if invitation is None or invitation.revoked or invitation.accepted_at is not None:
        return None
    if invitation.expires_at < utcnow():
        return None
    return invitation


def proves_address(invitation: Invitation, proof: str | None) -> bool:
    """Whether ``proof`` is the one only the e-mailed link carries: whoever opened that
    link reads the invitee's mailbox.  The owner's copy of the link has no proof."""
    if not proof or len(proof) > 100 or invitation.proof_hash is None:
        return False
    return hmac.compare_digest(token_hash(proof), invitation.proof_hash)


def invitation_is_for(invitation: Invitation, user: User) -> bool:
    """Whether ``user`` is the person the invitation was sent to (by email)."""
    return normalise_email(user.email) == normalise_email(invitation.email)


def accept_invitation(invitation: Invitation, user: User) -> Membership:
    """Join the invitation's workspace (or keep an existing membership).

    :raise InvalidInput: the invitation was sent to another email address; a forwarded
        or leaked link must not let whoever holds it into the workspace; or the account's
        address is not verified (someone may have signed up with the invitee's address).
    """
    if not invitation_is_for(invitation, user):
        raise InvalidInput(
            f"This invitation is for {invitation.email}; you are signed in as {user.email}."
        )
    if user.email_verified_at is None:
        raise InvalidInput(
            "Confirm your e-mail address first (the link we sent you), then open this "
            "invitation again."
        )
    begin_write()  # SQLite: take the write lock before reading what is changed
    membership = join(invitation, user)
    db.session.commit()
    return membership


def join(invitation: Invitation, user: User) -> Membership:
    """Add ``user`` (whose address is proved) to the invitation's workspace and mark the
    invitation used, in the current write transaction (the caller commits)."""
    membership = db.session.scalar(
        select(Membership).where(
            Membership.workspace_id == invitation.workspace_id, Membership.user_id == user.id
        )
    )
    if membership is None:
        membership = Membership(
            workspace_id=invitation.workspace_id, user=user, role=invitation.role
        )
        db.session.add(membership)
    invitation.accepted_at = utcnow()
    invitation.pending_user_id = None
    audit.record(
        "member-joined",
        workspace_id=invitation.workspace_id,
        actor=user.email,
        user=user,
        role=invitation.role,
    )
    return membership


def pending_joins(user: User) -> list[Invitation]:
    """The open invitations ``user`` asked to join through a link without the e-mailed
    proof: they join when they confirm their address."""
    found = db.session.scalars(
        select(Invitation)
        .where(
            Invitation.pending_user_id == user.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked.is_(False),
            Invitation.expires_at > utcnow(),
        )
        .order_by(Invitation.id)
    )
    return [i for i in found if invitation_is_for(i, user)]


def revoke_invitation(invitation: Invitation, by: User) -> None:
    begin_write()  # SQLite: take the write lock before reading what is changed
    invitation.revoked = True
    audit.record(
        "invitation-revoked",
        workspace_id=invitation.workspace_id,
        actor=by.email,
        user=by,
        target=f"invitation:{invitation.email}",
    )
    db.session.commit()


def pending_invitations(workspace_id: int) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.workspace_id == workspace_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked.is_(False),
            )
            .order_by(Invitation.created_at)
        )
    )


def members(workspace_id: int) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .where(Membership.workspace_id == workspace_id)
            .order_by(func.lower(Membership.role), Membership.id)
        )
    )


def update_branding(
    workspace: Workspace,
    by: User,
    *,
    firm_name: str | None,
    accent_color: str | None,
    logo: tuple[bytes, str] | None,
    remove_logo: bool = False,
) -> None:
    """Set the firm name, accent colour and logo printed on reports (values already validated)."""
    begin_write()  # SQLite: take the write lock before reading what is changed
    workspace.firm_name = firm_name or None
    workspace.accent_color = accent_color or None
    if remove_logo:
        workspace.logo, workspace.logo_mimetype = None, None
    elif logo is not None:
        workspace.logo, workspace.logo_mimetype = logo
    audit.record("branding-updated", workspace_id=workspace.id, actor=by.email, user=by)
    db.session.commit()
    render_queue.prerender_workspace(workspace.id)


def join_with_new_account(invitation: Invitation, name: str, password: str, proof: str) -> User:
    """Create an account for the invited email and join the workspace with it: the
    e-mailed link (its ``proof``) proves the address, so the account is verified.

    :raise InvalidInput: no proof (the owner's copy of the link: see
        ``registration.join_unproved``), the password is refused, or the address has an
        account (only the mailbox's reader, who holds the proof, learns that).
    """
    if not proves_address(invitation, proof):
        raise InvalidInput("Open the link from the invitation e-mail.", field="name")
    check_password(password, email=invitation.email, name=name)
    user = User(
        email=invitation.email,
        name=name.strip(),
        password_hash=hashed(password),
        email_verified_at=utcnow(),
    )
    begin_write()  # after the slow hash: the write lock is held for the writes alone
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise InvalidInput(
            "An account with this email exists: sign in first, then open the link again.",
            field="name",
        ) from None
    accept_invitation(invitation, user)
    return user


def create_workspace(user: User, name: str, kind: str) -> Workspace:
    """A new workspace that ``user`` (whose address is proved) owns: a firm's or the
    user's own organisation's, as at sign-up."""
    if user.email_verified_at is None:
        raise InvalidInput("Confirm your e-mail address first.", field="name")
    workspace = Workspace(
        name=name.strip() or f"{user.name}'s workspace", kind="own" if kind == "own" else "firm"
    )
    begin_write()  # SQLite: take the write lock before reading what is changed
    db.session.add(workspace)
    db.session.add(Membership(workspace=workspace, user=user, role="owner"))
    db.session.flush()
    audit.record("workspace-created", workspace_id=workspace.id, actor=user.email, user=user)
    db.session.commit()
    return workspace
