"""``assessor report-all`` on the render queue: every assessment handed to the bulk lane,
each PDF read back from the stored reports as a worker stores it."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, select

from assessor.extensions import db
from assessor.models import Assessment, RenderJob
from assessor.operations import render_queue, reporting
from assessor.operations.render_jobs import RenderRefused

#: Seconds between two looks at the stored reports while ``report-all`` waits.
GATHER_POLL_SECONDS = 0.5


def queued_pdfs(
    assessments: Sequence[Assessment], paper: str = render_queue.DEFAULT_PAPER
) -> Iterator[reporting.BulkOutcome]:
    """Each assessment's PDF through the queue's bulk lane, yielded as each is stored
    (read back from the stored reports), whichever worker rendered it."""
    waiting: dict[int, tuple[str, Any]] = {}
    for assessment in assessments:
        result, inputs = reporting.scored_report(assessment, paper)
        key = reporting.content_hash(result, inputs)
        try:
            render_queue.hand_off(assessment, key, paper)
        except RenderRefused as exc:
            yield reporting.BulkOutcome(assessment.id, None, exc)
            continue
        waiting[assessment.id] = (key, inputs)
    while waiting:
        for assessment_id, (key, inputs) in list(waiting.items()):
            outcome = _gathered(assessment_id, key, paper, inputs)
            if outcome is not None:
                del waiting[assessment_id]
                yield outcome
        db.session.rollback()  # end the read: the next look sees the workers' commits
        if waiting:
            time.sleep(GATHER_POLL_SECONDS)


def _gathered(
    assessment_id: int, key: str, paper: str, inputs: Any
) -> reporting.BulkOutcome | None:
    data = reporting.stored_pdf(assessment_id, key)
    if data is not None:
        return reporting.BulkOutcome(assessment_id, reporting.pdf_file(data, key, inputs))
    latest = render_queue.latest_job(assessment_id, key, paper)
    if latest is None or latest.state != "failed":
        return None
    refused = RenderRefused(latest.reason or "error", latest.detail or render_queue.ERROR_MESSAGE)
    return reporting.BulkOutcome(assessment_id, None, refused)


def activity(workspace_id: int | None = None) -> tuple[int, int]:
    """Renders running now and the processes running them (across every worker)."""
    query = select(func.count(RenderJob.id), func.count(func.distinct(RenderJob.worker))).where(
        RenderJob.state == "running"
    )
    if workspace_id is not None:
        query = query.where(RenderJob.workspace_id == workspace_id)
    running, workers = db.session.execute(query).one()
    return int(running), int(workers)
