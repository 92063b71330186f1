"""Deleting an assessment, erasing a respondent, erasing a client organisation: each after
a confirmation page that names what goes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from assessor.models import Respondent
from assessor.operations import erasure as ops
from assessor.web import access
from assessor.web.assessments import confirm_page
from assessor.web.forms import ConfirmForm

bp = Blueprint("erasure", __name__)


def _user() -> Any:
    return current_user._get_current_object()


@bp.route("/assessments/<id:assessment_id>/delete", methods=["GET", "POST"])
@access.editor_required
def delete_assessment(assessment_id: int) -> ResponseReturnValue:
    assessment = access.assessment_or_404(assessment_id)
    name = f"{assessment.title} of {assessment.organization.name}"
    organization_id = assessment.organization_id
    form = ConfirmForm()
    if form.validate_on_submit():
        ops.delete_assessment(assessment, _user())
        flash(f"{name} is deleted, with its answers and reports.", "success")
        return redirect(url_for("dashboard.organization", organization_id=organization_id))
    people = len(assessment.all_respondents)
    return confirm_page(
        assessment,
        form,
        heading=f"Delete {name}?",
        consequences=[
            f"Its {people} respondent(s), their answers, comments and answer history are deleted.",
            "Its results, stored reports and exports are gone; personal links stop working.",
            "The audit log keeps that it was deleted, by whom and when; the respondents' names "
            "leave it.",
        ],
        confirm=f"Delete {name}; this cannot be undone.",
        button="Delete the assessment",
    )


def _any_respondent_or_404(assessment_id: int, respondent_id: int) -> Respondent:
    """A respondent of the assessment, removed ones too (they can ask to be erased)."""
    assessment = access.assessment_or_404(assessment_id)
    found = next((r for r in assessment.all_respondents if r.id == respondent_id), None)
    if found is None:
        abort(404)
    return found


@bp.route(
    "/assessments/<id:assessment_id>/respondents/<id:respondent_id>/erase",
    methods=["GET", "POST"],
)
@access.editor_required
def erase_respondent(assessment_id: int, respondent_id: int) -> ResponseReturnValue:
    respondent = _any_respondent_or_404(assessment_id, respondent_id)
    assessment, name = respondent.assessment, respondent.name
    form = ConfirmForm()
    if form.validate_on_submit():
        ops.erase_respondent(respondent, _user())
        flash(f"{name} is erased: their answers and their name are gone.", "success")
        return redirect(url_for("assessments.detail", assessment_id=assessment_id))
    return confirm_page(
        assessment,
        form,
        heading=f"Erase {name}?",
        consequences=[
            f"{name}'s answers, comments and answer history are deleted, and so is their "
            "personal link.",
            "Their name and e-mail address are replaced by “[erased]” in the audit log.",
            "The assessment's stored reports are deleted; new ones leave them out.",
            "Use this when the person asks for their data to be erased (GDPR Art. 17).",
        ],
        confirm=f"Erase {name}; this cannot be undone.",
        button="Erase the respondent",
    )


@bp.route("/organizations/<id:organization_id>/delete", methods=["GET", "POST"])
@access.owner_required
def erase_organization(organization_id: int) -> ResponseReturnValue:
    organization = access.organization_or_404(organization_id)
    name = organization.name
    form = ConfirmForm()
    if form.validate_on_submit():
        people = ops.erase_organization(organization, _user())
        flash(f"{name} is deleted and its data erased ({people} respondent(s)).", "success")
        return redirect(url_for("dashboard.organizations"))
    return confirm_page(
        None,
        form,
        heading=f"Delete {name} and erase its data?",
        consequences=[
            f"Its {len(organization.assessments)} assessment(s) are deleted, with every "
            "respondent, answer, comment, answer history and stored report.",
            "Names and e-mail addresses of its people, and its own name, are replaced by "
            "“[erased]” in the audit log; one entry without them records the erasure.",
        ],
        confirm=f"Delete {name} and erase its data; this cannot be undone.",
        button="Delete and erase",
        back=url_for("dashboard.organization", organization_id=organization.id),
        crumb=name,
    )
