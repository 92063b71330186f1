"""The dashboard, the self-assessment offer, and client organisations."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from assessor.models import Organization
from assessor.operations import assessments as assessment_ops
from assessor.operations import mailing
from assessor.operations import organizations as org_ops
from assessor.operations import welcome as welcome_ops
from assessor.operations.catalog import catalog
from assessor.operations.errors import InvalidInput
from assessor.operations.progress import assessment_completion
from assessor.web import access
from assessor.web.forms import OrganizationForm, SelfAssessForm

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    if not current_user.is_authenticated:
        return render_template("landing.html")
    return _dashboard()


@access.member_required
def _dashboard() -> ResponseReturnValue:
    workspace = access.workspace()
    rows = [
        (a, assessment_completion(a)) for a in assessment_ops.workspace_assessments(workspace.id)
    ]
    can_edit = access.can_edit()
    return render_template(
        "dashboard/index.html",
        workspace=workspace,
        organizations=org_ops.organizations(workspace.id),
        rows=rows,
        can_edit=can_edit,
        mail_failures=mailing.recent_failures(workspace.id) if can_edit else [],
        failures_days=mailing.FAILURES_SHOWN_DAYS,
    )


@bp.route("/welcome", methods=["GET", "POST"])
@access.editor_required
def welcome() -> ResponseReturnValue:
    """Right after sign-up: offer to assess one's own organisation."""
    form = SelfAssessForm()
    if not form.is_submitted():
        form.organization.data = access.workspace().name
    if form.validate_on_submit():
        respondent = assessment_ops.start_self_assessment(
            current_user._get_current_object(),
            access.workspace(),
            catalog().get(current_app.config["DEFAULT_QUESTIONNAIRE"]),
            organization_name=form.organization.data or "",
            role=form.role.data or "OTHER",
        )
        return redirect(
            url_for(
                "answering.consultant_start",
                assessment_id=respondent.assessment_id,
                respondent_id=respondent.id,
            )
        )
    return render_template(
        "dashboard/welcome.html",
        f=form,
        about=welcome_ops.start_estimate(
            catalog().get(current_app.config["DEFAULT_QUESTIONNAIRE"])
        ),
    )


@bp.get("/organizations")
@access.member_required
def organizations() -> ResponseReturnValue:
    return render_template(
        "dashboard/organizations.html",
        organizations=org_ops.organizations(access.workspace().id),
        can_edit=access.can_edit(),
    )


@bp.route("/organizations/new", methods=["GET", "POST"])
@access.editor_required
def new_organization() -> ResponseReturnValue:
    return _organization_form(None)


@bp.get("/organizations/<id:organization_id>")
@access.member_required
def organization(organization_id: int) -> ResponseReturnValue:
    found = access.organization_or_404(organization_id)
    rows = [(a, assessment_completion(a)) for a in reversed(found.assessments)]
    return render_template(
        "dashboard/organization.html",
        organization=found,
        rows=rows,
        can_edit=access.can_edit(),
        is_owner=access.is_owner(),
    )


@bp.route("/organizations/<id:organization_id>/edit", methods=["GET", "POST"])
@access.editor_required
def edit_organization(organization_id: int) -> ResponseReturnValue:
    return _organization_form(access.organization_or_404(organization_id))


def _organization_form(found: Organization | None) -> ResponseReturnValue:
    """Create an organisation (``found`` is None) or edit one; the name must be unique."""
    form = OrganizationForm(obj=found)
    firm = access.workspace().kind == "firm"
    if not firm:  # an organisation assessing itself has no clients to be compared with
        del form.benchmark
    elif not form.is_submitted() and found is not None:
        form.benchmark.data = found.benchmark_consent_at is not None
    if form.validate_on_submit():
        fields = {
            "name": form.name.data or "",
            "sector": form.sector.data,
            "size": form.size.data,
            "benchmark": bool(form.benchmark.data) if firm else None,
        }
        user = current_user._get_current_object()
        try:
            if found is None:
                found = org_ops.create_organization(access.workspace(), user, **fields)
            else:
                org_ops.update_organization(found, user, **fields)
        except InvalidInput as exc:
            form.name.errors.append(exc.message)
        else:
            return redirect(url_for("dashboard.organization", organization_id=found.id))
    return render_template("dashboard/organization_form.html", f=form, organization=found), (
        422 if form.errors else 200
    )
