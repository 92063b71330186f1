"""The people of a workspace and its settings of who it is for: a member's role, removing
a member, leaving, the workspace's kind, and requiring two-factor sign-in."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from assessor.models import Membership
from assessor.operations import members as ops
from assessor.operations import two_factor
from assessor.operations.errors import InvalidInput
from assessor.web import access
from assessor.web.assessments import confirm_page
from assessor.web.forms import ConfirmForm, MemberRoleForm, RequireTwoFactorForm, WorkspaceKindForm

bp = Blueprint("members", __name__, url_prefix="/workspace")


def _user() -> Any:
    return current_user._get_current_object()


def _back() -> ResponseReturnValue:
    return redirect(url_for("settings.index"))


def _member_or_404(membership_id: int) -> Membership:
    found = ops.member_or_none(access.workspace(), membership_id)
    if found is None:
        abort(404)
    return found


@bp.post("/members/<id:membership_id>/role")
@access.owner_required
def change_role(membership_id: int) -> ResponseReturnValue:
    membership = _member_or_404(membership_id)
    kind = access.workspace().kind
    form = MemberRoleForm()
    if not form.validate_on_submit():
        flash(f"Choose {ops.roles_text(kind)}.", "error")
        return _back()
    try:
        ops.change_role(membership, form.role.data or "", _user())
    except InvalidInput as exc:
        flash(exc.message, "error")
    else:
        flash(f"{membership.user.name} is now {ops.role_label(membership.role, kind)}.", "success")
    return _back()


@bp.route("/members/<id:membership_id>/remove", methods=["GET", "POST"])
@access.owner_required
def remove(membership_id: int) -> ResponseReturnValue:
    membership = _member_or_404(membership_id)
    name = membership.user.name
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            ops.remove(membership, _user())
        except InvalidInput as exc:
            flash(exc.message, "error")
        else:
            flash(f"{name} is no longer a member; their access ended at once.", "success")
        return _back()
    return confirm_page(
        None,
        form,
        heading=f"Remove {name} from {access.workspace().name}?",
        consequences=[
            "They lose access to this workspace at once, on every device.",
            "What they did stays: assessments, answers and the audit log keep their name.",
            "They can come back only by a new invitation.",
        ],
        confirm=f"Remove {name}.",
        button="Remove the member",
        back=url_for("settings.index"),
        crumb=access.workspace().name,
    )


@bp.route("/leave", methods=["GET", "POST"])
@access.member_required_before_two_factor
def leave() -> ResponseReturnValue:
    membership = access.membership()
    workspace_name = membership.workspace.name
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            ops.leave(membership)
        except InvalidInput as exc:
            flash(exc.message, "error")
            return _back()
        session.pop("workspace_id", None)
        flash(f"You left {workspace_name}.", "success")
        if _user().memberships:
            return redirect(url_for("dashboard.index"))
        return redirect(url_for("auth.sign_in"))
    return confirm_page(
        None,
        form,
        heading=f"Leave {workspace_name}?",
        consequences=[
            "You lose access to its organisations, assessments and reports at once.",
            "You can come back only by a new invitation from an owner.",
        ],
        confirm=f"Leave {workspace_name}.",
        button="Leave the workspace",
        back=url_for("settings.index"),
        crumb=workspace_name,
    )


@bp.post("/kind")
@access.owner_required
def kind() -> ResponseReturnValue:
    form = WorkspaceKindForm()
    if form.validate_on_submit():
        ops.set_kind(access.workspace(), form.kind.data or "", _user())
        flash(
            "Saved: the pages now speak of "
            + ("your organisation." if form.kind.data == "own" else "client organisations."),
            "success",
        )
    else:
        flash("Choose client organisations or your own organisation.", "error")
    return _back()


@bp.post("/two-factor")
@access.owner_required
def require_two_factor() -> ResponseReturnValue:
    form = RequireTwoFactorForm()
    if not form.validate_on_submit():
        abort(400)
    required = bool(form.require_two_factor.data)
    try:
        two_factor.set_required(access.workspace(), _user(), required)
    except InvalidInput as exc:
        flash(exc.message, "error")
    else:
        flash(
            "Every member now signs in with a second factor; members without one are asked "
            "to set it up before they go on."
            if required
            else "Two-factor sign-in is now each member's choice.",
            "success",
        )
    return _back()
