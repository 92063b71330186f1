"""Renders handed to a queue: reports rendered ahead of time, and RQ as a second backend.

A job handed off is a ``render_job`` row like any other (:mod:`render_jobs`), marked in
``worker`` as waiting in a queue until someone starts it:

* with ``ASSESSOR_QUEUE_URL=redis://…`` the row's id goes to an RQ queue (one per lane,
  downloads first) and an ``assessor worker`` renders it: the job runs in RQ's work horse,
  a process forked per job, which drops the database pool it inherited, limits itself
  (``RLIMIT_AS``, and RQ's job timeout is the render time limit) and calls the renderer
  directly.  A render past a limit, or a work horse killed, ends as ``limit hit`` and is
  not retried (no RQ ``Retry``; the same content is refused from then on).
* without it (the embedded default) one background thread per web process takes the
  rows in turn and renders each in a child process (:mod:`assessor.reports.sandbox`),
  claimed under the same caps as a download.

Pre-rendering (:func:`prerender`): after a submission or a change to a submitted report,
the variant users download by default (A4, with the appendix) is handed off, debounced
through the table: one queued row per assessment and paper, whose content a newer change
replaces.  Whoever hands a job off has just scored the assessment (for the content's
hash), so the job carries that content with it (:class:`Content`: the HTML made from it);
the job renders it as long as its row still wants that content and the assessment has not
changed since it was scored, and scores the assessment again, rendering whatever it holds
when the job starts, otherwise.  Bytes are always stored under the hash of the content
they were made from.  A download (:func:`download`) then serves the stored bytes, or,
while its render is pending, says so.

Erasing (:mod:`assessor.operations.erasure`) deletes the assessment's job rows in its own
transaction and then :func:`forget` removes their RQ jobs (whose arguments carry the
report's HTML) from Redis; a job whose row is gone does nothing, one that was rendering
stores nothing (:func:`render_jobs.run`).  A failed RQ job is kept :data:`FAILURE_TTL`
seconds, without the HTML.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import queue
import signal
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import Assessment, RenderJob, User, utcnow
from assessor.operations import render_jobs, reporting
from assessor.operations.render_jobs import RenderRefused, RenderRequest
from assessor.operations.scoring import ScoredAssessment
from assessor.reports.context import ReportInputs, build_context
from assessor.reports.render import Assets, render_html, render_pdf
from assessor.reports.sandbox import (
    Limits,
    Rendered,
    RenderFailed,
    RenderLimitHit,
    apply_limits,
    peak_mb,
    render_bounded,
)

#: The variant rendered ahead of time (the appendix is always in the PDF).
DEFAULT_PAPER = "a4"
IN_RQ = render_jobs.HANDED_PREFIX + "rq"
IN_THREAD = render_jobs.HANDED_PREFIX + "thread"
#: One RQ queue per lane; a worker takes downloads first.
RQ_QUEUES = {"interactive": "assessor-renders-interactive", "bulk": "assessor-renders-bulk"}
#: Redis channel on which an RQ job announces that it ended (its row's id): whoever waits
#: for stored reports (``assessor report-all``) looks at once instead of at its next poll.
ENDED_CHANNEL = "assessor-renders-ended"
#: A work horse past its time limit exits with this status.
TIME_LIMIT_EXIT = 75
#: Seconds RQ keeps a failed render job (without the report's HTML: :func:`horse_killed`);
#: the row keeps why it failed.  RQ's default is a year.
FAILURE_TTL = 86400
ERROR_MESSAGE = "This report could not be produced: the render failed."


#: A report scored where it is handed off: its result and inputs.
Scored = tuple[dict[str, Any], ReportInputs]


@dataclass(frozen=True)
class Content:
    """A report's content as scored where its render was handed off: the content's hash
    (``key``), the HTML made from it (compressed: it travels through Redis, ~15 KB instead
    of ~120 KB), its assets, and the assessment's version read before it was scored
    (:func:`render_jobs.version_of`).  The job renders it instead of scoring the assessment
    again while its row's ``content_hash`` is still ``key`` and the assessment still has
    that version."""

    key: str
    packed_html: bytes
    assets: dict[str, tuple[bytes, str]]
    version: str | None = None

    @classmethod
    def of(cls, key: str, scored: Scored, version: str | None) -> Content:
        result, inputs = scored
        html = render_html(build_context(result, inputs))
        return cls(key, zlib.compress(html.encode("utf-8"), 1), inputs.assets(), version)

    @property
    def html(self) -> str:
        return zlib.decompress(self.packed_html).decode("utf-8")


@dataclass(frozen=True)
class Pending:
    """A render of the report asked for is queued or running."""

    job_id: int
    state: str


def queue_url() -> str | None:
    """The RQ queue's Redis URL (``ASSESSOR_QUEUE_URL``), or None: the embedded default."""
    return current_app.config.get("QUEUE_URL") or None


# --- handing jobs off ----------------------------------------------------------------------


def prerender(
    assessment_id: int,
    live: ScoredAssessment | None = None,
    *,
    carry: bool = True,
    version: str | None = None,
) -> None:
    """Render the default PDF of a submitted or closed assessment ahead of time (called
    after a commit that may change its report; nothing happens when it is stored).
    ``live``: the live scoring the committed change made of these answers (a submission's
    snapshot), so that they are not scored again (see :func:`kept_results.delivered`),
    with ``version``, the assessment's version in the transaction that scored it.
    ``carry``: the job carries the content scored here (:class:`Content`: its HTML is
    made here, 10-15 ms); without it the job scores the assessment itself."""
    if not current_app.config.get("PRERENDER", True):
        return
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None or assessment.status not in ("submitted", "closed"):
        return
    try:
        if live is None or version is None:
            live, version = None, render_jobs.version_of(assessment)  # read first
        scored = reporting.scored_report(assessment, DEFAULT_PAPER, live=live)
        key = reporting.content_hash(*scored)
        hand_off(assessment, key, DEFAULT_PAPER, scored=scored if carry else None, version=version)
    except RenderRefused:
        pass  # this content hit a limit before: a download says so
    except Exception:  # the change is committed; a download renders what was not
        db.session.rollback()
        current_app.logger.exception("pre-render of assessment %s failed", assessment_id)


def prerender_workspace(workspace_id: int) -> None:
    """:func:`prerender` every submitted or closed assessment of a workspace (branding);
    the jobs make their HTML themselves, not the request that changed the branding."""
    for assessment in reporting.submitted_assessments(workspace_id):
        prerender(assessment.id, carry=False)


def hand_off(
    assessment: Assessment,
    key: str,
    paper: str,
    lane: str = "bulk",
    actor: str = "system",
    user: User | None = None,
    scored: Scored | None = None,
    version: str | None = None,
) -> int | None:
    """The pending job that renders ``assessment``'s content ``key``: one already queued
    or running, else a new one handed to the queue (with the content, when ``scored``
    gives the result and inputs ``key`` was made from, and ``version`` the assessment's
    version read before they were scored).  None when it is stored already.

    :raise RenderRefused: the same content hit a limit before.
    """
    if reporting.has_stored(assessment.id, key):
        return None
    config = render_jobs.settings()
    request = RenderRequest(
        assessment.organization.workspace_id, assessment.id, key, paper, lane, actor, user
    )
    render_jobs.lock_jobs(config)
    render_jobs.refuse_if_hit_before(request, config)
    handed = IN_RQ if queue_url() else IN_THREAD
    mine = (RenderJob.assessment_id == assessment.id, RenderJob.paper == paper)
    pending = db.session.scalar(
        select(RenderJob).where(
            *mine, RenderJob.state.in_(("queued", "running")), RenderJob.content_hash == key
        )
    ) or db.session.scalar(
        select(RenderJob).where(*mine, RenderJob.state == "queued", RenderJob.worker == handed)
    )
    if pending is not None:
        pending.content_hash = key  # a newer change supersedes a queued one's content
        db.session.commit()
        return pending.id
    job = RenderJob(
        workspace_id=request.workspace_id,
        assessment_id=assessment.id,
        lane=lane,
        content_hash=key,
        paper=paper,
        worker=handed,
    )
    db.session.add(job)
    db.session.commit()
    content = Content.of(key, scored, version) if scored is not None else None
    if handed == IN_RQ:
        try:
            _rq_queue(lane).enqueue(
                run_queued,
                job.id,
                content,
                job_id=rq_job_id(job.id),
                job_timeout=max(1, round(config.limits.seconds)),
                retry=None,
                result_ttl=0,
                failure_ttl=FAILURE_TTL,
            )
        except Exception:
            # Nobody will take the row: end it, so that no download waits for it.
            render_jobs.finish(job.id, "failed", reason="abandoned", detail="no queue")
            raise
    else:
        _thread_runner().put(job.id, content)
    return job.id


def download(
    assessment: Assessment, paper: str, *, actor: str, user: User | None
) -> reporting.ReportFile | Pending:
    """The PDF to download: stored bytes, else its pending render; with a queue, a new job
    for it; embedded, without one pending, rendered now (as :func:`reporting.report_pdf`).

    :raise RenderRefused: the content hit a limit or failed before, or no slot came free.
    """
    version = render_jobs.version_of(assessment)  # read before what is scored
    scored = reporting.scored_report(assessment, paper)
    key = reporting.content_hash(*scored)
    if not reporting.has_stored(assessment.id, key):
        latest = latest_job(assessment.id, key, paper)
        if latest is not None and latest.state in ("queued", "running"):
            return Pending(latest.id, latest.state)
        if latest is not None and latest.reason == "error":
            raise RenderRefused("error", ERROR_MESSAGE, latest.detail or "", latest.id)
        if queue_url():
            job_id = hand_off(assessment, key, paper, "interactive", actor, user, scored, version)
            if job_id is not None:
                return Pending(job_id, "queued")
    return reporting.report_pdf(
        assessment, paper, actor=actor, user=user, scored=scored, version=version
    )


def latest_job(assessment_id: int, key: str, paper: str) -> RenderJob | None:
    """The last render job of this content (hash and paper), if any."""
    return db.session.scalar(
        select(RenderJob)
        .where(
            RenderJob.assessment_id == assessment_id,
            RenderJob.paper == paper,
            RenderJob.content_hash == key,
        )
        .order_by(RenderJob.id.desc())
        .limit(1)
    )


# --- running a handed-off job ----------------------------------------------------------------


def _prepared(
    job_id: int, content: Content | None = None
) -> tuple[RenderRequest, str, Assets | None] | None:
    """What a started job renders: the ``content`` it was handed with while its row still
    wants that content and the assessment has not changed since it was scored (an erasure
    changes it), else its assessment as it is now (the row takes that content's hash);
    None, the job finished, when that content is stored already."""
    job = db.session.get(RenderJob, job_id)
    assessment = db.session.get(Assessment, job.assessment_id) if job is not None else None
    if job is None or assessment is None:
        return None
    version = render_jobs.version_of(assessment)  # read before what is scored
    handed = getattr(content, "version", None)  # None: handed by an older release
    if content is not None and content.key == job.content_hash and handed == version:
        if reporting.has_stored(job.assessment_id, content.key):
            render_jobs.finish(job_id, "done")
            return None
        request = RenderRequest(
            job.workspace_id,
            job.assessment_id,
            content.key,
            job.paper,
            job.lane,
            "system",
            version=version,
        )
        return request, content.html, content.assets
    result, inputs = reporting.scored_report(assessment, job.paper)
    key = reporting.content_hash(result, inputs)
    if reporting.has_stored(assessment.id, key):
        render_jobs.finish(job_id, "done", content_hash=key)
        return None
    html = render_html(build_context(result, inputs))
    request = RenderRequest(
        job.workspace_id, assessment.id, key, job.paper, job.lane, "system", version=version
    )
    begin_write()
    job.content_hash = key
    db.session.commit()
    return request, html, inputs.assets()


def _render_and_store(
    job_id: int, backend: render_jobs.RenderBackend, content: Content | None = None
) -> None:
    prepared = _prepared(job_id, content)
    if prepared is None:
        return
    request, html, assets = prepared
    keep = functools.partial(reporting.add_pdf, request.assessment_id, request.content_hash)
    with contextlib.suppress(RenderRefused):  # recorded on the row (limit hit), audited
        render_jobs.run(job_id, request, html, assets, render_jobs.settings(), backend, keep)


def run_queued(job_id: int, content: Content | None = None) -> None:
    """The RQ job, in a work horse forked from ``assessor worker`` (its app context too);
    ``content``: what the job was handed with (see :class:`Content`).  The row names the
    worker as it starts (its work horse is new each job).  A render that fails is
    recorded on the row and not raised: RQ would keep the failed job, with the report's
    HTML in its arguments, in its registry of failed jobs."""
    db.engine.dispose(close=False)  # the inherited pool's connections are the parent's
    render_jobs.lock_jobs(render_jobs.settings())
    job = db.session.get(RenderJob, job_id)
    if job is None or job.state != "queued":  # superseded, abandoned or done elsewhere
        db.session.rollback()
        return
    job.state, job.started_at, job.attempts = "running", utcnow(), job.attempts + 1
    job.worker = f"{socket.gethostname()}:{os.getppid()}"[:100]
    db.session.commit()
    try:
        _render_and_store(job_id, render_here, content)
    except Exception as exc:  # noqa: BLE001  (recorded on the row, which people read)
        current_app.logger.exception("render job %s failed", job_id)
        db.session.rollback()
        render_jobs.finish(job_id, "failed", reason="error", detail=f"{type(exc).__name__}")
    finally:
        announce_ended(job_id)


def announce_ended(job_id: int) -> None:
    """Tell whoever listens on :data:`ENDED_CHANNEL` that the job ended (stored or
    failed); a notice lost is only a later look (the listeners poll as well)."""
    try:
        _redis().publish(ENDED_CHANNEL, str(job_id))
    except Exception:  # noqa: BLE001  (a notice is a courtesy, never the job's failure)
        current_app.logger.warning("could not announce the end of render job %s", job_id)


def render_here(
    html: str, assets: Assets | None, limits: Limits, on_start: Callable[[int], None]
) -> Rendered:
    """The RQ backend: render in this process (the work horse), limited to ``limits``
    (``on_start`` is not called: :func:`run_queued` named the worker as it claimed the row).

    Past the time limit the work horse ends at once with :data:`TIME_LIMIT_EXIT` (an
    exception could be swallowed: WeasyPrint skips an image whose loading raises), and the
    worker records it (:func:`horse_killed`)."""
    start = time.monotonic()
    apply_limits(limits)
    previous = signal.signal(signal.SIGALRM, _out_of_time)
    signal.setitimer(signal.ITIMER_REAL, limits.seconds)
    try:
        data = render_pdf(html, assets, exiting=True)  # the work horse exits after the job
    except MemoryError:
        raise RenderLimitHit(
            "out of memory", limits, os.getpid(), time.monotonic() - start
        ) from None
    except Exception as exc:
        raise RenderFailed(f"{exc.__class__.__name__}: {exc}"[:500]) from exc
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return Rendered(data, os.getpid(), time.monotonic() - start, peak_mb())


def _out_of_time(signum: int, frame: Any) -> None:
    os._exit(TIME_LIMIT_EXIT)


def horse_killed(job: Any, pid: int, status: int, rusage: Any) -> None:
    """RQ's work horse ended before its job did (past the time limit, or killed by a
    limit or the kernel): the job failed as ``limit hit``, audited, never retried.  RQ
    then keeps the job among the failed ones (:data:`FAILURE_TTL`): without the content
    it was handed (the report's HTML), which is gone from its arguments first."""
    job_id = int(job.args[0])
    job.args = (job_id, None)
    row = db.session.get(RenderJob, job_id)
    if row is not None:
        request = RenderRequest(
            row.workspace_id, row.assessment_id, row.content_hash, row.paper, row.lane, "system"
        )
        render_jobs.finish(
            job_id, "failed", refused=request, reason="limit hit", detail=_ended(row, status)
        )
    db.session.remove()
    announce_ended(job_id)


def _ended(row: RenderJob, status: int) -> str:
    seconds = (utcnow() - row.started_at).total_seconds() if row.started_at else 0.0
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == TIME_LIMIT_EXIT:
        return f"time limit after {seconds:.1f} s"
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
        return f"time limit (processor time) after {seconds:.1f} s"
    return f"process died after {seconds:.1f} s (wait status {status})"


def rq_job_id(row_id: int) -> str:
    """The RQ job id of a render job's row: whoever erases finds its job by it."""
    return f"assessor-render-{row_id}"


def forget(row_ids: Iterable[int]) -> None:
    """After an erasure's commit: the RQ jobs of these (deleted) rows leave Redis, waiting,
    started, scheduled, deferred or failed, with their arguments (the report's HTML).  Not
    reachable: logged; a job still waiting does nothing once taken (its row is gone) and a
    failed one expires after :data:`FAILURE_TTL`."""
    ids = [rq_job_id(row_id) for row_id in row_ids]
    if not ids or not queue_url():
        return
    from rq.exceptions import NoSuchJobError
    from rq.job import Job
    from rq.registry import (
        CanceledJobRegistry,
        DeferredJobRegistry,
        FailedJobRegistry,
        FinishedJobRegistry,
        ScheduledJobRegistry,
        StartedJobRegistry,
    )

    try:
        connection = _redis()
        for lane in RQ_QUEUES:
            rq_queue = _rq_queue(lane, connection)
            for job_id in ids:
                rq_queue.remove(job_id)
            for registry in (
                FailedJobRegistry,
                ScheduledJobRegistry,
                DeferredJobRegistry,
                FinishedJobRegistry,
                CanceledJobRegistry,
            ):
                for job_id in ids:
                    registry(queue=rq_queue).remove(job_id)
        for job_id in ids:
            try:
                job = Job.fetch(job_id, connection=connection)
            except NoSuchJobError:
                continue
            if job.origin:
                StartedJobRegistry(job.origin, connection=connection).remove_executions(job)
            job.delete()
    except Exception:  # noqa: BLE001  (the erasure is committed; the rows are gone)
        current_app.logger.exception("render jobs %s: not removed from the queue", ids)


def _redis() -> Any:
    from redis import Redis

    return Redis.from_url(queue_url() or "")


def _rq_queue(lane: str, connection: Any = None) -> Any:
    from rq import Queue

    return Queue(RQ_QUEUES[lane], connection=connection or _redis())


class _ThreadRunner:
    """The embedded default's background renderer: one thread per process and app."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.pid = os.getpid()
        self.jobs: queue.SimpleQueue[tuple[int, Content | None]] = queue.SimpleQueue()
        self.held: set[int] = set()  # handed here and not ended yet
        self.thread = threading.Thread(target=self._loop, name="prerender", daemon=True)
        self.thread.start()
        atexit.register(self._abandon)

    def put(self, job_id: int, content: Content | None = None) -> None:
        self.held.add(job_id)
        self.jobs.put((job_id, content))

    def _loop(self) -> None:
        while True:
            job_id, content = self.jobs.get()
            with self.app.app_context():
                try:
                    self._run(job_id, content)
                except Exception:
                    self.app.logger.exception("pre-render of job %s failed", job_id)
                finally:
                    self.held.discard(job_id)
                    db.session.remove()

    def _abandon(self) -> None:
        """The process ends (a CLI command, a web worker stopping): its jobs are abandoned,
        not left to count as a limit hit, so that a download renders them again."""
        if os.getpid() != self.pid or not self.held:
            return
        with self.app.app_context():
            for job_id in list(self.held):
                render_jobs.finish(
                    job_id, "failed", reason="abandoned", detail="its process ended first"
                )
            db.session.remove()

    @staticmethod
    def _run(job_id: int, content: Content | None) -> None:
        config = render_jobs.settings()
        try:
            while not render_jobs.claim(job_id, config):
                time.sleep(render_jobs.POLL_SECONDS)
        except RenderRefused:
            return  # superseded or abandoned meanwhile
        _render_and_store(job_id, render_bounded, content)


_runner_lock = threading.Lock()


def _thread_runner() -> _ThreadRunner:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with _runner_lock:
        runner = app.extensions.get("assessor_prerender")
        if runner is None or runner.pid != os.getpid() or not runner.thread.is_alive():
            runner = app.extensions["assessor_prerender"] = _ThreadRunner(app)
        return runner  # type: ignore[no-any-return]
