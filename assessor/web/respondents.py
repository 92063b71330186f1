"""A respondent's place in an assessment: renamed, counted before submitting, removed."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from assessor.operations import assessments as ops
from assessor.operations.errors import Locked
from assessor.web import access
from assessor.web.assessments import confirm_page
from assessor.web.forms import ActionForm, ConfirmForm, RenameForm

bp = Blueprint("respondents", __name__, url_prefix="/assessments")

_PREFIX = "/<id:assessment_id>/respondents/<id:respondent_id>"


def _back(assessment_id: int) -> ResponseReturnValue:
    return redirect(url_for("assessments.detail", assessment_id=assessment_id))


@bp.route(f"{_PREFIX}/rename", methods=["GET", "POST"])
@access.editor_required
def rename(assessment_id: int, respondent_id: int) -> ResponseReturnValue:
    assessment = access.assessment_or_404(assessment_id)
    respondent = access.respondent_or_404(assessment, respondent_id)
    form = RenameForm(data={"name": respondent.name} if request.method == "GET" else None)
    if form.validate_on_submit():
        before = respondent.name
        ops.rename_respondent(respondent, current_user._get_current_object(), form.name.data or "")
        flash(f"{before} is now called {respondent.name}.", "success")
        return _back(assessment.id)
    page = render_template(
        "assessments/rename.html", assessment=assessment, respondent=respondent, f=form
    )
    return page, 422 if form.is_submitted() else 200


@bp.route(f"{_PREFIX}/remove", methods=["GET", "POST"])
@access.editor_required
def remove(assessment_id: int, respondent_id: int) -> ResponseReturnValue:
    assessment = access.assessment_or_404(assessment_id)
    respondent = access.respondent_or_404(assessment, respondent_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            ops.remove_respondent(respondent, current_user._get_current_object())
        except Locked as exc:
            flash(exc.message, "error")
        else:
            flash(f"{respondent.name} was removed; their answers stay in the history.", "success")
        return _back(assessment.id)
    return confirm_page(
        assessment,
        form,
        heading=f"Remove {respondent.name}?",
        consequences=[
            "They disappear from the respondents, the results, the report and the exports.",
            "Their personal link stops working.",
            "Their answers are not deleted: they stay in the answer history.",
        ],
        confirm=f"Remove {respondent.name}; this cannot be undone.",
        button="Remove the respondent",
    )


@bp.post(f"{_PREFIX}/include")
@access.editor_required
def include(assessment_id: int, respondent_id: int) -> ResponseReturnValue:
    """Count a respondent still answering in the results (``counted=yes``), or stop (``no``)."""
    assessment = access.assessment_or_404(assessment_id)
    respondent = access.respondent_or_404(assessment, respondent_id)
    counted = request.form.get("counted")
    if not ActionForm().validate_on_submit() or counted not in ("yes", "no"):
        abort(400)
    try:
        ops.include_respondent(respondent, current_user._get_current_object(), counted == "yes")
    except Locked as exc:
        flash(exc.message, "error")
    else:
        flash(
            f"{respondent.name}'s answers so far count in the results, marked as in progress."
            if counted == "yes"
            else f"{respondent.name} counts in the results once they submit.",
            "success",
        )
    return _back(assessment.id)
