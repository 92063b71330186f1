"""Deleting an assessment, erasing a respondent, erasing a client organisation: each after
a confirmation page that names what goes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import RadioField

from assessor.models import Respondent
from assessor.operations import erasure as ops
from assessor.operations import erasure_preview
from assessor.operations.erasure_preview import RoundPreview
from assessor.web import access
from assessor.web.assessments import confirm_page
from assessor.web.forms import ConfirmForm

bp = Blueprint("erasure", __name__)
MARKER = f"“{ops.MARKER}”"


class EraseRespondentForm(ConfirmForm):
    """Erase a respondent from their round only, or the person from every round of the
    organisation (offered where they appear elsewhere in it)."""

    scope = RadioField(
        "Erase them from",
        choices=[("round", "this round"), ("organization", "every round")],
        default="round",
    )


def _results_lines(preview: RoundPreview, whose: str) -> list[str]:
    """What erasing someone of a round, or deleting it, does to what it delivered."""
    lines = []
    if preview.kept_results:
        lines.append(
            f"{whose} {preview.kept_results} kept result(s) (every result it has delivered "
            "so far) are deleted: each prints the respondents' names and answers."
        )
    lines += [
        f"The sign-off of {s.reviewed_on:%d %B %Y} by {s.reviewer} is deleted, with the "
        "reviewed PDF it stored."
        for s in preview.sign_offs
    ]
    return lines


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
    preview = erasure_preview.for_assessment(assessment)
    return confirm_page(
        assessment,
        form,
        heading=f"Delete {name}?",
        consequences=[
            f"Its {people} respondent(s), their answers, comments and answer history are "
            "deleted, and so are the e-mails to them; personal links stop working.",
            *_results_lines(preview, "Its"),
            "Its results, stored reports, statuses, settled facts, edited summary and "
            "what-if scenarios are deleted.",
            "The audit log keeps that it was deleted, by whom and when; the respondents' "
            f"names read {MARKER} in its entries (in every entry, for those who are in no "
            "other assessment).",
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
    organization = assessment.organization.name
    form = EraseRespondentForm()
    if form.validate_on_submit():
        everywhere = form.scope.data == "organization"
        erased = ops.erase_respondent(respondent, _user(), everywhere=everywhere)
        if everywhere:
            flash(
                f"{name} is erased from every round of {organization} ({erased.respondents} "
                f"respondent(s), {erased.actions} action(s) without their owner now).",
                "success",
            )
        else:
            flash(f"{name} is erased: their answers and their name are gone.", "success")
        return redirect(url_for("assessments.detail", assessment_id=assessment_id))
    preview = erasure_preview.for_respondent(respondent)
    consequences = [
        f"{name}'s answers, comments and answer history are deleted, and so are their "
        "personal link and the e-mails to them.",
        *_results_lines(preview.round, "The assessment's"),
        "The assessment's stored reports are deleted; new ones leave them out.",
    ]
    if preview.round.closed:
        consequences.append(
            "The assessment is closed: its result is stored again from the people left, "
            f"scored by today's method (version {preview.round.method}); the scores it "
            "delivered can change."
        )
    if preview.elsewhere.here:
        texts = ", ".join(sorted(set(preview.elsewhere.here))).lower()
        consequences.append(
            f"Where this assessment's texts name them ({texts}), the name reads {MARKER}."
        )
    consequences += [
        f"Their names and e-mail address are replaced by {MARKER} in the audit log.",
        "Use this when the person asks for their data to be erased (GDPR Art. 17).",
    ]
    form.confirm.label.text = f"Erase {name}; this cannot be undone."
    form.scope.choices = [
        ("round", f"Only this round, {erasure_preview.named(assessment)}: the places listed stay"),
        (
            "organization",
            f"Every round of {organization}: each respondent listed, and the actions they "
            f"own name no owner ({MARKER}; the reminders sent to them are deleted); the "
            f"texts that name them read {MARKER}; invitations to their address are deleted",
        ),
    ]
    page = render_template(
        "erasure/respondent.html",
        assessment=assessment,
        form=form,
        heading=f"Erase {name}?",
        consequences=consequences,
        places=preview.places,
        organization=organization,
    )
    return page, 422 if form.is_submitted() else 200


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
    preview = erasure_preview.for_organization(organization)
    return confirm_page(
        None,
        form,
        heading=f"Delete {name} and erase its data?",
        consequences=[
            f"Its {preview.assessments} assessment(s) are deleted, with every respondent "
            f"({preview.respondents}), answer, comment, answer history, result, stored "
            "report and the e-mails to its respondents.",
            f"Its {preview.kept_results} kept result(s) and {preview.sign_offs} sign-off(s), "
            "with their reviewed PDFs, are deleted.",
            f"Its {preview.actions} remediation action(s) are deleted, with their owners' "
            f"names and e-mail addresses and the {preview.reminders} reminder e-mail(s) "
            "sent to them.",
            "Names and e-mail addresses of its people, and its own name, are replaced by "
            f"{MARKER} in the audit log; one entry without them records the erasure.",
        ],
        confirm=f"Delete {name} and erase its data; this cannot be undone.",
        button="Delete and erase",
        back=url_for("dashboard.organization", organization_id=organization.id),
        crumb=name,
    )
