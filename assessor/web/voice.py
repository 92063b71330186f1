"""The consultant's voice: edit the executive summary (or reset it), a finding's status and
management response, settle a disputed fact, and sign the report off.  Editors only: a
viewer reads them on the results page and never reaches these pages (404)."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from assessor.models import Assessment, utcnow
from assessor.operations import audit, kept_results, reporting, reviews, voice
from assessor.operations.render_jobs import RenderRefused
from assessor.web import access
from assessor.web.forms import Form
from assessor.web.voice_forms import FindingStatusForm, ReviewForm, SettleFactForm, SummaryForm

bp = Blueprint("voice", __name__, url_prefix="/assessments")


def _results(assessment: Assessment, anchor: str = "") -> str:
    return url_for("results.show", assessment_id=assessment.id) + (f"#{anchor}" if anchor else "")


def _page(template: str, form: Form, **values: object) -> ResponseReturnValue:
    return render_template(template, form=form, **values), 422 if form.is_submitted() else 200


@bp.route("/<id:assessment_id>/summary", methods=["GET", "POST"])
@access.editor_required
def summary(assessment_id: int) -> ResponseReturnValue:
    """Edit the executive summary's text (it starts from the generated one)."""
    assessment = access.assessment_or_404(assessment_id)
    shown = kept_results.delivered(assessment)
    edited = voice.voice_of(assessment, shown.result, shown.questionnaire).summary
    form = SummaryForm()
    if form.validate_on_submit():
        voice.edit_summary(assessment, form.text.data or "", current_user._get_current_object())
        flash("Summary saved.", "success")
        return redirect(_results(assessment, "voice-summary"))
    if not form.is_submitted():
        form.text.data = edited or voice.generated_summary(assessment, shown.result)
    return _page(
        "voice/summary.html",
        form,
        assessment=assessment,
        edited=edited is not None,
        reset=Form(),
        back=_results(assessment, "voice-summary"),
    )


@bp.post("/<id:assessment_id>/summary/reset")
@access.editor_required
def reset_summary(assessment_id: int) -> ResponseReturnValue:
    """Back to the generated summary."""
    assessment = access.assessment_or_404(assessment_id)
    if not Form().validate_on_submit():
        abort(400)
    voice.reset_summary(assessment, current_user._get_current_object())
    flash("The summary is the generated one again.", "success")
    return redirect(_results(assessment, "voice-summary"))


@bp.route("/<id:assessment_id>/finding-status", methods=["GET", "POST"])
@access.editor_required
def finding_status(assessment_id: int) -> ResponseReturnValue:
    """A finding's status (with its reason and who accepted it), response and note."""
    assessment = access.assessment_or_404(assessment_id)
    key = request.values.get("finding", "")
    try:
        finding = voice.finding_of(assessment, key)
    except voice.NoSuchFinding:
        abort(404)
    form = FindingStatusForm(obj=voice.status_row(assessment.id, key)).in_own_words(access.own())
    back = _results(assessment, f"f-{finding['number']}")
    if form.validate_on_submit():
        data = voice.Judgement(
            status=form.status.data,
            reason=form.reason.data or "",
            accepted_by=form.accepted_by.data or "",
            response=form.response.data or "",
            note=form.note.data or "",
        )
        voice.judge(assessment, key, data, current_user._get_current_object())
        flash("Status saved.", "success")
        return redirect(back)
    return _page(
        "voice/finding.html",
        form,
        assessment=assessment,
        finding=finding,
        action_url=url_for("voice.finding_status", assessment_id=assessment.id, finding=key),
        back=back,
    )


@bp.route("/<id:assessment_id>/settle", methods=["GET", "POST"])
@access.editor_required
def settle(assessment_id: int) -> ResponseReturnValue:
    """Settle a fact the respondents answer differently: choose the value, say why."""
    assessment = access.assessment_or_404(assessment_id)
    question = request.values.get("fact", "")
    try:
        fact = voice.unresolved_fact(assessment, question)
    except voice.NoSuchFact:
        abort(404)
    choices = voice.fact_choices(fact)
    form = SettleFactForm()
    form.choice.choices = [
        (n, f"{c.label} (answered by {', '.join(c.given_by)})") for n, c in enumerate(choices)
    ]
    if form.validate_on_submit():
        voice.settle(
            assessment,
            fact,
            form.choice.data,
            form.reason.data or "",
            current_user._get_current_object(),
        )
        flash("Fact settled; the result is scored with it.", "success")
        return redirect(_results(assessment, "voice-facts"))
    return _page(
        "voice/settle.html",
        form,
        assessment=assessment,
        fact=fact,
        action_url=url_for("voice.settle", assessment_id=assessment.id, fact=question),
        back=_results(assessment, "voice-facts"),
    )


@bp.post("/<id:assessment_id>/unsettle")
@access.editor_required
def unsettle(assessment_id: int) -> ResponseReturnValue:
    """Take a settlement back: the fact is disputed again."""
    assessment = access.assessment_or_404(assessment_id)
    if not Form().validate_on_submit():
        abort(400)
    if not voice.unsettle(
        assessment, request.values.get("fact", ""), current_user._get_current_object()
    ):
        abort(404)
    flash("The fact is disputed again.", "success")
    return redirect(_results(assessment, "voice-facts"))


@bp.route("/<id:assessment_id>/review", methods=["GET", "POST"])
@access.editor_required
@access.verified_required
def review(assessment_id: int) -> ResponseReturnValue:
    """Sign the report off: "reviewed by NAME on DATE"; the report is stored as it is."""
    assessment = access.assessment_or_404(assessment_id)
    form = ReviewForm()
    if not form.is_submitted():
        form.reviewer.data = current_user.name
        form.reviewed_on.data = utcnow().date()
    if form.validate_on_submit():
        try:
            reviews.sign_off(
                assessment,
                form.reviewer.data or "",
                form.reviewed_on.data,
                current_user._get_current_object(),
            )
        except RenderRefused as exc:
            form.reviewer.errors = [*form.reviewer.errors, f"{exc.message} {exc.advice}".strip()]
        else:
            flash("Report reviewed and stored as signed.", "success")
            return redirect(_results(assessment, "voice-review"))
    return _page(
        "voice/review.html", form, assessment=assessment, back=_results(assessment, "voice-review")
    )


@bp.get("/<id:assessment_id>/reviews/<id:number>.pdf")
@access.member_required
@access.verified_required
def reviewed_pdf(assessment_id: int, number: int) -> ResponseReturnValue:
    """The PDF as it was signed off."""
    assessment = access.assessment_or_404(assessment_id)
    found = reviews.reviewed(assessment.id, number)
    if found is None:
        abort(404)
    audit.downloaded(
        assessment.organization.workspace_id,
        assessment.id,
        current_user._get_current_object(),
        current_user.email,
        f"reviewed-pdf:{number}",
    )
    name = reporting.ascii_filename(assessment.organization.name, found.reviewed_on, "pdf")
    return send_file(
        BytesIO(found.pdf),
        mimetype=reporting.PDF_MIMETYPE,
        as_attachment=True,
        download_name=name.replace(".pdf", f"-reviewed-{number}.pdf"),
    )
