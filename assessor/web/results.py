"""Results: scores, the responsibility matrix, findings, perception gaps, roadmap; downloads."""

from __future__ import annotations

from io import BytesIO

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from markupsafe import Markup

from assessor.models import Assessment, utcnow
from assessor.operations import (
    audit,
    benchmarks,
    kept_results,
    render_queue,
    reporting,
    rescoring,
    rounds,
    voice,
)
from assessor.operations.errors import Conflict
from assessor.operations.render_jobs import RenderRefused
from assessor.reports import scoring_text
from assessor.reports.charts import heatmap_svg, radar_svg
from assessor.reports.context import disagreeing
from assessor.web import access, finding_filters, plain_words, results_view
from assessor.web.forms import AppendixForm, RescoreForm

bp = Blueprint("results", __name__, url_prefix="/assessments")

PAPERS = ("a4", "letter")
EXPORTS = ("csv", "xlsx", "json")
#: A download whose render is pending looks again this often (a meta refresh, no script).
PENDING_REFRESH_SECONDS = 2


@bp.get("/<id:assessment_id>/results")
@access.member_required
def show(assessment_id: int) -> ResponseReturnValue:
    assessment = access.assessment_or_404(assessment_id)
    since = request.args.get("since", type=int)
    if "since" in request.args and since is None:
        abort(404)
    try:
        page = rounds.results_page(assessment, since, utcnow().date())
    except rounds.NotAnEarlierRound:
        abort(404)
    scored = page.shown
    result = scored.result
    findings = {f["id"]: f for f in result["findings"]}
    counted = [
        (r["name"], r["role"], in_progress)
        for r, in_progress in zip(result["respondents"], scored.in_progress, strict=True)
    ]
    statuses = {key: s.status for key, s in page.voice.statuses.items()} if page.voice else {}
    view = results_view.results_view(
        result,
        scored.questionnaire,
        assessment.organization.name,
        request.args,
        [finding_filters.by_status(statuses, page.finding_keys, voice.STATUS_LABELS)],
    )
    page_html = render_template(
        "results/show.html",
        assessment=assessment,
        result=result,
        view=view,
        words=plain_words.WORDS,
        chapters=results_view.CHAPTERS,
        method=scoring_text.method_context(result),
        findings=findings,
        rounds=page,
        counted=counted,
        waiting=scored.waiting,
        radar=Markup(radar_svg(result["domains"])),  # noqa: S704 - SVG built by our code, text escaped there
        heatmap=Markup(heatmap_svg(disagreeing(result)))  # noqa: S704
        if len(result["respondents"]) > 1
        else None,
        can_edit=access.can_edit(),
        headline=scoring_text.headline(result),
        cap=scoring_text.cap_text(result),
        kept=scored.kept,
        outdated=scored.outdated,
        method_version=kept_results.current_method(),
        benchmark=benchmarks.benchmark_for(assessment),
        appendix_form=AppendixForm(formdata=None, appendix=assessment.report_appendix),
    )
    return page_html, 200 if view.filtered.valid else 422


@bp.route("/<id:assessment_id>/rescore", methods=["GET", "POST"])
@access.editor_required
def rescore(assessment_id: int) -> ResponseReturnValue:
    """Re-score with the current method: the changes first, stored only once confirmed."""
    assessment = access.assessment_or_404(assessment_id)
    back = url_for("results.show", assessment_id=assessment.id)
    method = kept_results.current_method()
    if not kept_results.delivered(assessment).outdated:
        flash(f"These results already use the current method (version {method}).")
        return redirect(back)
    form = RescoreForm()
    form.confirm.label.text = "Store the new result as this assessment's result."
    if form.validate_on_submit():
        try:
            rescoring.rescore(assessment, current_user._get_current_object(), form.shown.data)
        except Conflict as exc:
            form.confirm.errors = [*form.confirm.errors, exc.message]
        else:
            flash(f"Re-scored with method {method}; the earlier result is kept.", "success")
            return redirect(back)
    changes = rescoring.preview(assessment)
    form.shown.data = changes.digest
    page = render_template(
        "results/rescore.html",
        assessment=assessment,
        form=form,
        changes=changes,
        method_version=method,
        back=back,
    )
    return page, 422 if form.is_submitted() else 200


@bp.post("/<id:assessment_id>/report/appendix")
@access.editor_required
def appendix(assessment_id: int) -> ResponseReturnValue:
    """Keep or leave out the report's appendix of every answer and comment."""
    assessment = access.assessment_or_404(assessment_id)
    form = AppendixForm()
    if not form.validate_on_submit():
        abort(400)
    include = bool(form.appendix.data)
    reporting.set_appendix(assessment, include, current_user._get_current_object())
    flash(
        "The report ends with every answer and comment."
        if include
        else "The report leaves out the appendix of answers (the results page and the "
        "exports still hold every answer).",
        "success",
    )
    return redirect(url_for("results.show", assessment_id=assessment.id))


def _paper() -> str:
    paper = request.args.get("paper", "a4")
    if paper not in PAPERS:
        abort(400, "paper is a4 or letter")
    return paper


def _download(report: reporting.ReportFile, assessment: Assessment, what: str) -> Response:
    """Send a report as an attachment, with its ETag (304 when the browser has it)."""
    audit.downloaded(
        assessment.organization.workspace_id,
        assessment.id,
        current_user._get_current_object(),
        current_user.email,
        what,
    )
    response = send_file(
        BytesIO(report.data),
        mimetype=report.mimetype,
        as_attachment=True,
        download_name=report.filename,
        etag=report.etag,
        conditional=True,
    )
    response.headers["Content-Disposition"] = report.content_disposition
    return response  # private, no-cache: web/security.py


@bp.get("/<id:assessment_id>/report.pdf")
@access.member_required
@access.verified_required
def report_pdf(assessment_id: int) -> ResponseReturnValue:
    assessment = access.assessment_or_404(assessment_id)
    paper = _paper()
    try:
        report = render_queue.download(
            assessment, paper, actor=current_user.email, user=current_user._get_current_object()
        )
    except RenderRefused as exc:
        return _refused(exc, assessment)
    if isinstance(report, render_queue.Pending):
        page = render_template(
            "results/report_pending.html",
            assessment=assessment,
            paper=paper,
            state=report.state,
            refresh=PENDING_REFRESH_SECONDS,
        )
        return page, 202, {"Retry-After": str(PENDING_REFRESH_SECONDS)}
    return _download(report, assessment, "pdf")


def _refused(exc: RenderRefused, assessment: Assessment) -> ResponseReturnValue:
    """The page for a report that was not produced: 503 when busy, else 422 (past a limit,
    or the render failed: its reason)."""
    code = 503 if exc.reason == "busy" else 422
    page = render_template(
        "error.html",
        code=code,
        message=exc.message,
        detail=exc.advice,
        links=[
            ("Branding settings", url_for("settings.index")),
            ("Back to the assessment", url_for("assessments.detail", assessment_id=assessment.id)),
        ],
    )
    headers = {"Retry-After": "60"} if code == 503 else {}
    return page, code, headers


@bp.get("/<id:assessment_id>/report")
@access.member_required
@access.verified_required
def report_preview(assessment_id: int) -> ResponseReturnValue:
    assessment = access.assessment_or_404(assessment_id)
    return reporting.report_html(assessment, _paper())


@bp.get("/<id:assessment_id>/export.<fmt>")
@access.member_required
@access.verified_required
def export(assessment_id: int, fmt: str) -> ResponseReturnValue:
    if fmt not in EXPORTS:
        abort(404)
    assessment = access.assessment_or_404(assessment_id)
    return _download(reporting.export_assessment(assessment, fmt), assessment, fmt)
