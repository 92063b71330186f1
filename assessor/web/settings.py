"""Workspace settings: branding for reports, members and invitations, the audit log."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import Invitation
from assessor.operations import accounts, api_tokens, audit, mailing, notices
from assessor.reports.branding import BrandingError, validate_accent, validate_logo
from assessor.web import access, mail_limits
from assessor.web.forms import (
    ActionForm,
    ApiTokenForm,
    BrandingForm,
    InviteMemberForm,
    NewWorkspaceForm,
    RequireTwoFactorForm,
    SignOutEverywhereForm,
    WorkspaceKindForm,
)

bp = Blueprint("settings", __name__, url_prefix="/workspace")


@bp.get("")
@access.member_required
def index() -> ResponseReturnValue:
    workspace = access.workspace()
    return render_template(
        "settings/index.html",
        workspace=workspace,
        members=accounts.members(workspace.id),
        invitations=accounts.pending_invitations(workspace.id) if access.is_owner() else [],
        invitation_mail=mailing.team_invitations(workspace.id) if access.is_owner() else {},
        branding=BrandingForm(obj=workspace),
        invite=_invite_form(workspace),
        action=ActionForm(),
        is_owner=access.is_owner(),
        role=access.membership().role,
        **_owner_forms(workspace),
    )


def _invite_form(workspace: Any, **options: Any) -> InviteMemberForm:
    """The invitation form; an organisation assessing itself has editors, not consultants."""
    form = InviteMemberForm(**options)
    if workspace.kind == "own":
        form.role.choices = [
            ("consultant", "Editor (answers and runs assessments)"),
            ("viewer", "Viewer (reads)"),
        ]
    return form


def _owner_forms(workspace: Any) -> dict[str, Any]:
    """The forms of the workspace's kind and its two-factor requirement, as they stand,
    and the user's own "sign out everywhere"."""
    return {
        "kind_form": WorkspaceKindForm(formdata=None, kind=workspace.kind),
        "require_form": RequireTwoFactorForm(
            formdata=None, require_two_factor=workspace.require_two_factor
        ),
        "sign_out_form": SignOutEverywhereForm(formdata=None),
    }


@bp.post("/branding")
@access.owner_required
def branding() -> ResponseReturnValue:
    workspace = access.workspace()
    form = BrandingForm()
    if form.validate_on_submit():
        try:
            accent = None
            if form.accent_color.data:
                try:
                    accent = validate_accent(form.accent_color.data)
                except BrandingError as exc:
                    exc.field = "accent_color"
                    raise
            logo = None
            upload = form.logo.data
            if upload and getattr(upload, "filename", ""):
                logo = validate_logo(upload.read(), upload.filename)
        except BrandingError as exc:
            target = (
                form.accent_color if getattr(exc, "field", None) == "accent_color" else form.logo
            )
            target.errors = [*target.errors, str(exc)]
        else:
            accounts.update_branding(
                workspace,
                current_user._get_current_object(),
                firm_name=(form.firm_name.data or "").strip(),
                accent_color=accent,
                logo=logo,
                remove_logo=bool(form.remove_logo.data),
            )
            flash("Branding saved; new reports use it.", "success")
            return redirect(url_for("settings.index"))
    return render_template(
        "settings/index.html",
        workspace=workspace,
        members=accounts.members(workspace.id),
        invitations=accounts.pending_invitations(workspace.id),
        invitation_mail=mailing.team_invitations(workspace.id),
        branding=form,
        invite=_invite_form(workspace, formdata=None),
        action=ActionForm(),
        is_owner=True,
        role="owner",
        **_owner_forms(workspace),
    ), 422


@bp.get("/logo")
@access.member_required
def logo() -> ResponseReturnValue:
    workspace = access.workspace()
    if workspace.logo is None:
        abort(404)
    response = Response(workspace.logo, mimetype=workspace.logo_mimetype or "image/png")
    response.set_etag(hashlib.sha256(workspace.logo).hexdigest())
    response.make_conditional(request)  # 304 when the browser has it
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.post("/invitations")
@access.owner_required
@access.verified_required
def invite() -> ResponseReturnValue:
    """Invite a member: the link is e-mailed to them, and shown here (with how the e-mail
    went) for the owner to pass on another way."""
    form = InviteMemberForm()
    if not form.validate_on_submit():
        flash("; ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("settings.index")), 303
    address = accounts.normalise_email(form.email.data or "")
    try:
        allowed = mail_limits.check(
            current_user.id, [mail_limits.Recipient(f"address:{address}", address)]
        )
    except mail_limits.MailLimited as exc:
        return mail_limits.refused(exc, url_for("settings.index"), "Back to the workspace")
    issued, mail = notices.invite_member(
        access.workspace(),
        form.email.data or "",
        form.role.data or "",
        current_user._get_current_object(),
    )
    allowed.count()
    link = url_for("auth.join", token=issued.token, _external=True)
    return render_template(
        "settings/invitation.html", invitation=issued.invitation, link=link, mail=mail
    )


@bp.post("/invitations/<id:invitation_id>/revoke")
@access.owner_required
def revoke_invitation(invitation_id: int) -> ResponseReturnValue:
    invitation = db.session.scalar(
        select(Invitation).where(
            Invitation.id == invitation_id, Invitation.workspace_id == access.workspace().id
        )
    )
    if invitation is None or not ActionForm().validate_on_submit():
        abort(404)
    accounts.revoke_invitation(invitation, current_user._get_current_object())
    flash("Invitation revoked.", "success")
    return redirect(url_for("settings.index"))


@bp.get("/audit")
@access.owner_required
def audit_log() -> ResponseReturnValue:
    return render_template("settings/audit.html", events=audit.recent(access.workspace().id))


@bp.route("/new", methods=["GET", "POST"])
@login_required
@access.verified_required
def new_workspace() -> ResponseReturnValue:
    """Set up a workspace: for someone in none (an invitation that lapsed before they
    confirmed their address, or a workspace deleted when they took an account over),
    or another one of their own."""
    form = NewWorkspaceForm()
    if form.validate_on_submit():
        workspace = accounts.create_workspace(
            current_user._get_current_object(), form.name.data or "", form.kind.data or "firm"
        )
        session["workspace_id"] = workspace.id
        flash(f"{workspace.name} is set up: you are its owner.", "success")
        return redirect(url_for("dashboard.index"))
    page = render_template(
        "settings/new_workspace.html", f=form, in_none=not current_user.memberships
    )
    return page, 422 if form.errors else 200


@bp.post("/switch/<id:workspace_id>")
@access.member_required_before_two_factor
def switch(workspace_id: int) -> ResponseReturnValue:
    """Work in another workspace the user belongs to."""
    if not ActionForm().validate_on_submit():
        abort(400)
    if not any(m.workspace_id == workspace_id for m in current_user.memberships):
        abort(404)
    session["workspace_id"] = workspace_id
    return redirect(url_for("dashboard.index"))


# --- personal API tokens -----------------------------------------------------------------------


def _tokens_page(form: ApiTokenForm, status: int = 200) -> ResponseReturnValue:
    membership = access.membership()
    tokens = api_tokens.tokens_of(membership.workspace_id, membership.user_id)
    page = render_template(
        "settings/tokens.html",
        form=form,
        tokens=tokens,
        action=ActionForm(),
        workspace=membership.workspace,
        role=membership.role,
    )
    return page, status


@bp.get("/tokens")
@access.member_required
def tokens() -> ResponseReturnValue:
    """The user's API tokens in this workspace, and the form that creates one."""
    return _tokens_page(ApiTokenForm())


@bp.post("/tokens")
@access.member_required
@access.verified_required
def create_token() -> ResponseReturnValue:
    """Create a token and show it, once."""
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return _tokens_page(form, 422)
    token, row = api_tokens.create_token(
        access.workspace(),
        current_user._get_current_object(),
        name=form.name.data or "",
        scope=form.scope.data or "",
    )
    return render_template("settings/token_created.html", token=token, row=row)


@bp.post("/tokens/<id:token_id>/revoke")
@access.member_required
def revoke_token(token_id: int) -> ResponseReturnValue:
    membership = access.membership()
    found = api_tokens.token_of(membership.workspace_id, membership.user_id, token_id)
    if found is None or not ActionForm().validate_on_submit():
        abort(404)
    api_tokens.revoke_token(found, current_user._get_current_object())
    flash(f"Token \u201c{found.name}\u201d revoked: it no longer works.", "success")
    return redirect(url_for("settings.tokens"))
