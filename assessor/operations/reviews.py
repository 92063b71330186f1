"""Review and sign-off: "reviewed by NAME on DATE" freezes the report.

A review stores the report as it was reviewed: the delivered result, the consultant's
edits (:mod:`assessor.operations.voice`) and the PDF, rendered with the review line
through the render jobs' limits.  Its fingerprint (the result and the edits) is compared
with today's on every page: a later change to the answers, a status, a settled fact or
the summary makes the review stale until someone reviews it again.  Rows are never
changed; the latest is the one shown.
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import Assessment, ReportReview, User
from assessor.operations import audit, kept_results, render_jobs, reporting, voice
from assessor.reports.context import build_context
from assessor.reports.render import render_html


def sign_off(
    assessment: Assessment, reviewer: str, reviewed_on: date, by: User, paper: str = "a4"
) -> ReportReview:
    """Review the report as it is now: render it with the review line, store the result,
    the edits and the PDF; audited.

    :raise render_jobs.RenderRefused: the render hit a limit, or is busy.
    """
    reviewer = " ".join(reviewer.split())
    version = render_jobs.version_of(assessment)  # read before what is scored
    result, inputs = reporting.scored_report(assessment, paper, signing=(reviewer, reviewed_on))
    shown = kept_results.delivered(assessment)
    edits = voice.voice_of(assessment, shown.result, shown.questionnaire).edits()
    key = reporting.content_hash(result, inputs)
    request = render_jobs.RenderRequest(
        workspace_id=assessment.organization.workspace_id,
        assessment_id=assessment.id,
        content_hash=key,
        paper=paper,
        lane="interactive",
        actor=by.email,
        user=by,
        version=version,
    )
    pdf = render_jobs.render(request, render_html(build_context(result, inputs)), inputs.assets())
    begin_write()  # SQLite: take the write lock before reading what is changed
    if render_jobs.current_version(assessment.id) != version:
        # Changed while it rendered (a respondent erased, say): what was reviewed is gone.
        db.session.rollback()
        raise render_jobs.RenderRefused(
            "changed",
            "The assessment changed while its report was being produced.",
            "Review it again as it is now.",
        )
    last = db.session.scalar(
        select(func.max(ReportReview.number)).where(ReportReview.assessment_id == assessment.id)
    )
    row = ReportReview(
        assessment_id=assessment.id,
        number=(last or 0) + 1,
        reviewer=reviewer,
        reviewed_on=reviewed_on,
        fingerprint=voice.fingerprint(result, edits),
        result_json=kept_results.canonical(result),
        edits_json=kept_results.canonical(edits),
        paper=paper,
        pdf=pdf,
        signed_by=by.email,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "report-reviewed",
        workspace_id=assessment.organization.workspace_id,
        actor=by.email,
        user=by,
        target=f"assessment:{assessment.id}",
        review=row.number,
        reviewer=reviewer,
        reviewed_on=reviewed_on.isoformat(),
    )
    db.session.commit()
    # The same content is the live report's while the review holds: serve it from now on.
    reporting.store_pdf(assessment.id, key, pdf)
    return row


def reviewed(assessment_id: int, number: int) -> ReportReview | None:
    """The assessment's review with this number."""
    return db.session.scalar(
        select(ReportReview).where(
            ReportReview.assessment_id == assessment_id, ReportReview.number == number
        )
    )


def frozen_edits(review: ReportReview) -> dict[str, object]:
    """The edits as the review stored them."""
    return dict(json.loads(review.edits_json))
