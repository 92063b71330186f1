"""Who may see what: every lookup is scoped to the signed-in user's workspace (404 outside it)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import (
    abort,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import Assessment, Membership, Organization, Respondent, Workspace
from assessor.operations import accounts, members

F = TypeVar("F", bound=Callable[..., Any])

#: Roles that may change things; a viewer only reads.
EDITORS = ("owner", "consultant")


def membership() -> Membership:
    """The signed-in user's membership of the workspace they are working in."""
    if "membership" in g:
        return g.membership  # type: ignore[no-any-return]
    if not current_user.is_authenticated:
        abort(404)
    memberships = sorted(current_user.memberships, key=lambda m: m.id)
    if not memberships:
        abort(404)
    wanted = session.get("workspace_id")
    chosen = next((m for m in memberships if m.workspace_id == wanted), memberships[0])
    g.membership = chosen
    return chosen


def own() -> bool:
    """Whether the signed-in user works in an organisation's own workspace (an
    organisation assessing itself: "your organisation", no "consultant", no "client");
    False outside a request (e-mails are rendered outside requests too, and pass the
    workspace's kind themselves)."""
    return bool(
        has_request_context()
        and current_user.is_authenticated
        and current_user.memberships
        and membership().workspace.kind == "own"
    )


def wording() -> dict[str, Any]:
    """Template values that follow the workspace's kind: ``own`` (:func:`own`) and
    ``role_label`` (a member's role as the workspace's people read it)."""
    kind = "own" if own() else "firm"
    return {"own": kind == "own", "role_label": lambda role: members.role_label(role, kind)}


def workspace() -> Workspace:
    return membership().workspace


def can_edit() -> bool:
    return membership().role in EDITORS


def is_owner() -> bool:
    return membership().role == "owner"


def role_required(*roles: str, two_factor: bool = True) -> Callable[[F], F]:
    """Signed in, with one of these roles in the current workspace (404 otherwise); when
    the workspace requires two-factor sign-in, a member without it is sent to set it up
    (``two_factor`` False: not, for switching away from the workspace or leaving it,
    which read nothing of it)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.memberships:
                # Asked to join and waiting for the address to be confirmed; or in none.
                if current_user.email_verified_at is None:
                    return confirm_first()
                return redirect(url_for("settings.new_workspace"))
            found = membership()
            if found.role not in roles:
                abort(404)
            if current_user.email_verified_at is None and found.workspace.kind != "own":
                # Only someone assessing their own organisation works before confirming.
                return confirm_first()
            if (
                two_factor
                and found.workspace.require_two_factor
                and current_user.totp_enabled_at is None
            ):
                # The owner requires a second factor: enrol before using the workspace.
                flash(f"{found.workspace.name} requires two-factor sign-in.", "error")
                return redirect(url_for("two_factor.index"))
            return view(*args, **kwargs)

        return login_required(wrapped)  # type: ignore[return-value]

    return decorator


def confirm_first() -> ResponseReturnValue:
    """The page that stands for a workspace until the address is confirmed (403): the
    link, sent again on a click, and the workspaces the user asked to join."""
    user = current_user._get_current_object()
    page = render_template(
        "account/confirm_first.html",
        joining=[i.workspace for i in accounts.pending_joins(user)],
        hide_verify_notice=True,
    )
    return page, 403


def verified_required(view: F) -> F:
    """The signed-in user's e-mail address is confirmed: inviting (team members,
    respondents by link or e-mail), e-mail, the report (PDF and preview), exports and API
    tokens wait for it (403 with a page saying so, and a button that sends the link
    again)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user.is_authenticated and current_user.email_verified_at is None:
            return render_template("account/unverified.html"), 403
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


member_required = role_required("owner", "consultant", "viewer")
#: Only for switching to another workspace and leaving this one: open to a member of a
#: workspace that requires two-factor sign-in before they have set it up.
member_required_before_two_factor = role_required("owner", "consultant", "viewer", two_factor=False)
editor_required = role_required(*EDITORS)
owner_required = role_required("owner")


def organization_or_404(organization_id: int) -> Organization:
    found = db.session.scalar(
        select(Organization).where(
            Organization.id == organization_id,
            Organization.workspace_id == membership().workspace_id,
        )
    )
    if found is None:
        abort(404)
    return found


def assessment_or_404(assessment_id: int) -> Assessment:
    found = db.session.scalar(
        select(Assessment)
        .join(Organization)
        .where(
            Assessment.id == assessment_id,
            Organization.workspace_id == membership().workspace_id,
        )
    )
    if found is None:
        abort(404)
    return found


def respondent_or_404(assessment: Assessment, respondent_id: int) -> Respondent:
    found = next((r for r in assessment.respondents if r.id == respondent_id), None)
    if found is None:
        abort(404)
    return found
