"""Results (the engine's ``Result``), the PDF report (or its pending render job) and the
exports."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import Response, send_file, url_for

from assessor.api import bp, scope
from assessor.api.auth import auth, caller, verified
from assessor.api.problems import problem
from assessor.api.schemas import RenderJob, ReportQuery, Result
from assessor.operations import audit, render_queue, reporting
from assessor.operations.render_jobs import RenderRefused
from assessor.operations.scoring import score_assessment

EXPORT_FORMATS = ("csv", "xlsx", "json")
PENDING_RETRY_SECONDS = 2
_PDF = {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}


@bp.get("/assessments/<id:assessment_id>/results")
@bp.auth_required(auth)
@scope.existing
@bp.output(Result)
@bp.doc(operation_id="get_results")
def get_results(assessment_id: int) -> Any:
    """The scored result: domains, the responsibility matrix, findings, perception gaps,
    roadmap (counting the respondents who submitted or were included)."""
    return score_assessment(scope.assessment(assessment_id)).result.to_dict()


@bp.get("/assessments/<id:assessment_id>/report")
@bp.auth_required(auth)
@scope.existing
@bp.input(ReportQuery, location="query", arg_name="query")
@bp.output(
    RenderJob,
    status_code=202,
    description="The render is pending: poll the job (Location), then ask again",
)
@bp.doc(
    operation_id="get_report",
    responses={
        200: {"description": "The PDF", **_PDF},
        403: "The token owner's e-mail address is not confirmed",
        422: "Render failed",
        503: "Busy",
    },
)
@verified
def get_report(assessment_id: int, query: ReportQuery) -> Any:
    """The PDF report: the stored bytes (200, with an ETag), or, while its render is queued
    or running, 202 with the render job (``Location``)."""
    assessment = scope.assessment(assessment_id)
    who = caller()
    try:
        report = render_queue.download(assessment, query.paper, actor=who.actor, user=who.user)
    except RenderRefused as exc:
        code = 503 if exc.reason == "busy" else 422
        headers = {"Retry-After": "60"} if code == 503 else {}
        return problem(code, exc.message, headers=headers, reason=exc.reason)
    if isinstance(report, render_queue.Pending):
        job = scope.render_job(report.job_id)
        location = url_for("api.get_render_job", job_id=job.id)
        return job, 202, {"Location": location, "Retry-After": str(PENDING_RETRY_SECONDS)}
    return _file(report, assessment.id, "pdf")


def _file(report: reporting.ReportFile, assessment_id: int, fmt: str) -> Response:
    """The file as an attachment with its ETag (304 when the client has it); audited."""
    who = caller()
    audit.downloaded(who.workspace_id, assessment_id, who.user, who.audit_actor, fmt)
    response = send_file(
        BytesIO(report.data),
        mimetype=report.mimetype,
        as_attachment=True,
        download_name=report.filename,
        etag=report.etag,
        conditional=True,
    )
    response.headers["Content-Disposition"] = report.content_disposition
    return response


@bp.get("/render-jobs/<id:job_id>")
@bp.auth_required(auth)
@scope.existing
@bp.output(RenderJob)
@bp.doc(operation_id="get_render_job")
def get_render_job(job_id: int) -> Any:
    """A render job: queued, running, done (ask for the report again) or failed (why)."""
    return scope.render_job(job_id)


@bp.get("/assessments/<id:assessment_id>/exports/<any(csv, xlsx, json):fmt>")
@bp.auth_required(auth)
@scope.existing
@bp.doc(
    operation_id="get_export",
    responses={
        200: {
            "description": "The export file",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                },
                "application/json": {"schema": {"type": "object"}},
            },
        },
        403: "The token owner's e-mail address is not confirmed",
    },
)
@verified
def get_export(assessment_id: int, fmt: str) -> Any:
    """The answers and results as CSV, XLSX or JSON (formula-safe cells)."""
    assessment = scope.assessment(assessment_id)
    return _file(reporting.export_assessment(assessment, fmt), assessment.id, fmt)
