"""``assessor report-all`` on the render queue: every assessment handed to the bulk lane,
each PDF read back from the stored reports as a worker stores it."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, select

from assessor.extensions import db
from assessor.models import Assessment, RenderJob, StoredReport
from assessor.operations import render_jobs, render_queue, reporting
from assessor.operations.render_jobs import RenderRefused

#: Seconds between two looks at the stored reports while ``report-all`` waits (it looks
#: sooner when a worker announces that a job ended, :data:`render_queue.ENDED_CHANNEL`).
GATHER_POLL_SECONDS = 0.5


def queued_pdfs(
    assessments: Sequence[Assessment], paper: str = render_queue.DEFAULT_PAPER
) -> Iterator[reporting.BulkOutcome]:
    """Each assessment's PDF through the queue's bulk lane, yielded as each is stored
    (read back from the stored reports), whichever worker rendered it."""
    ended = _listen()  # before the first hand-off: no job ends unheard
    try:
        yield from _handed_and_gathered(assessments, paper, ended)
    finally:
        if ended is not None:
            with contextlib.suppress(Exception):
                ended.close()


def _handed_and_gathered(
    assessments: Sequence[Assessment], paper: str, ended: Any
) -> Iterator[reporting.BulkOutcome]:
    waiting: dict[int, tuple[str, Any]] = {}
    for assessment in assessments:
        version = render_jobs.version_of(assessment)  # read before what is scored
        result, inputs = reporting.scored_report(assessment, paper)
        key = reporting.content_hash(result, inputs)
        try:
            render_queue.hand_off(assessment, key, paper, scored=(result, inputs), version=version)
        except RenderRefused as exc:
            yield reporting.BulkOutcome(assessment.id, None, exc)
            continue
        waiting[assessment.id] = (key, inputs)
    while waiting:
        for outcome in _gathered(waiting, paper):
            del waiting[outcome.assessment_id]
            yield outcome
        db.session.rollback()  # end the read: the next look sees the workers' commits
        if waiting:
            _until_a_job_ends(ended, GATHER_POLL_SECONDS)


def _listen() -> Any:
    """A subscription to the workers' notices that a job ended, or None (then: polls)."""
    try:
        subscription = render_queue._redis().pubsub(ignore_subscribe_messages=True)
        subscription.subscribe(render_queue.ENDED_CHANNEL)
        return subscription
    except Exception:  # noqa: BLE001  (polling alone is slower, not wrong)
        return None


def _until_a_job_ends(ended: Any, seconds: float) -> None:
    """Sleep ``seconds``, or less: until a worker announces that a job ended."""
    if ended is None:
        time.sleep(seconds)
        return
    try:
        if ended.get_message(timeout=seconds) is not None:
            while ended.get_message(timeout=0) is not None:  # those that ended together
                pass
    except Exception:  # noqa: BLE001  (Redis went away: poll from now on)
        time.sleep(seconds)


def _gathered(waiting: dict[int, tuple[str, Any]], paper: str) -> list[reporting.BulkOutcome]:
    """The waiting assessments whose PDF is stored or whose render failed, in two
    statements whatever their number (the bytes read only for those stored)."""
    ids = list(waiting)
    stored = {
        (assessment_id, key)
        for assessment_id, key in db.session.execute(
            select(StoredReport.assessment_id, StoredReport.content_hash).where(
                StoredReport.assessment_id.in_(ids), StoredReport.format == "pdf"
            )
        )
    }
    latest: dict[tuple[int, str], Any] = {}
    for job in db.session.execute(
        select(
            RenderJob.assessment_id,
            RenderJob.content_hash,
            RenderJob.state,
            RenderJob.reason,
            RenderJob.detail,
        )
        .where(RenderJob.assessment_id.in_(ids), RenderJob.paper == paper)
        .order_by(RenderJob.id)
    ):
        latest[(job.assessment_id, job.content_hash)] = job  # the last one of each content
    outcomes = []
    for assessment_id, (key, inputs) in waiting.items():
        if (assessment_id, key) in stored:
            data = reporting.stored_pdf(assessment_id, key)
            if data is not None:
                outcomes.append(
                    reporting.BulkOutcome(assessment_id, reporting.pdf_file(data, key, inputs))
                )
                continue
        last = latest.get((assessment_id, key))
        if last is not None and last.state == "failed":
            refused = RenderRefused(
                last.reason or "error", last.detail or render_queue.ERROR_MESSAGE
            )
            outcomes.append(reporting.BulkOutcome(assessment_id, None, refused))
    return outcomes


def activity(workspace_id: int | None = None) -> tuple[int, int]:
    """Renders running now and the processes running them (across every worker)."""
    query = select(func.count(RenderJob.id), func.count(func.distinct(RenderJob.worker))).where(
        RenderJob.state == "running"
    )
    if workspace_id is not None:
        query = query.where(RenderJob.workspace_id == workspace_id)
    running, workers = db.session.execute(query).one()
    return int(running), int(workers)
