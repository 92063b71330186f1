"""Render jobs: every PDF render goes through the ``render_job`` table, within limits.

A render is a row first (``queued``), in one of two lanes: ``interactive`` (a download)
or ``bulk`` (``assessor report-all``, ``assessor report``).  It starts (``running``) only
when it is claimed under the write lock, and it is claimed only while

* fewer than ``RENDER_WORKERS`` renders run in all (across every process sharing the
  database: web workers, the CLI);
* for a bulk job, fewer than ``RENDER_WORKERS - 1`` bulk jobs run (at least one slot is
  always left to downloads);
* jobs ahead of it in line (interactive first, then oldest first) do not take the room.

A workspace has at most ``RENDER_PER_WORKSPACE`` downloads in flight (queued or
running); one more is refused at once as busy, without holding a web worker while it
waits.  Each render has a wall-clock and a memory limit (:mod:`assessor.reports.sandbox`);
one that hits a limit fails as ``limit hit``, with an audit entry, and is not tried again:
a later download of the same content (same hash and paper) is refused at once with the
same message, until something in the report (its logo, say) changes.  Stale rows end
too: a queued job nobody polls any more is ``abandoned``; a running one past its limit
whose process went away counts as ``limit hit``.

The seam for other backends: :func:`enqueue` makes the row; whoever renders claims it
with :func:`claim`, renders through a :class:`RenderBackend` and records the outcome
with :func:`finish`.  Here the requesting process does all three (:func:`render`);
:mod:`assessor.operations.render_queue` hands rows to a background thread or to RQ
workers (``worker`` says where a queued row waits; such rows are not polled).
"""

from __future__ import annotations

import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import func, select, text

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import Assessment, RenderJob, User, utcnow
from assessor.operations import audit
from assessor.reports.render import Assets
from assessor.reports.sandbox import (
    Limits,
    Rendered,
    RenderFailed,
    RenderLimitHit,
    render_bounded,
)

#: Seconds between a waiting job's tries to claim a slot (each is a short write).
POLL_SECONDS = 0.2
#: A queued job whose waiter has not polled for this long is abandoned.
QUEUED_STALE_SECONDS = 30
#: A running job this long past its time limit has lost its process.
RUNNING_GRACE_SECONDS = 30
#: ``worker`` of a queued job handed to a queue (:mod:`assessor.operations.render_queue`):
#: nobody polls it, so it is abandoned only this long after it was made.
HANDED_PREFIX = "queue:"
HANDED_STALE_SECONDS = 900
#: PostgreSQL advisory lock key taken while enqueueing or claiming.
_JOBS_LOCK = 0x52454E44  # "REND"

LIMIT_MESSAGE = "This report could not be produced within the limits."
BUSY_WORKSPACE = (
    "Another report of this workspace is being produced right now. "
    "Try again when it is done (within a minute)."
)
BUSY_SERVICE = "The report service is busy. Try again in a minute."


class RenderRefused(Exception):
    """No PDF: ``reason`` is "limit hit" or "busy"; ``message`` and ``advice`` are for people."""

    def __init__(self, reason: str, message: str, advice: str = "", job_id: int | None = None):
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.advice = advice
        self.job_id = job_id


#: Stores a rendered PDF, in the write transaction that records its job done.
Keep = Callable[[bytes], None]


class RenderBackend(Protocol):
    """Renders one document within limits (a child process here; a queue worker later)."""

    def __call__(
        self, html: str, assets: Assets | None, limits: Limits, on_start: Callable[[int], None]
    ) -> Rendered: ...


@dataclass(frozen=True)
class RenderSettings:
    limits: Limits
    workers: int
    per_workspace: int

    @property
    def bulk_slots(self) -> int:
        return max(1, self.workers - 1)


def settings() -> RenderSettings:
    """The limits and caps from the app's config (``ASSESSOR_RENDER_*``)."""
    config = current_app.config
    return RenderSettings(
        limits=Limits(float(config["RENDER_TIMEOUT"]), int(config["RENDER_MEMORY_MB"])),
        workers=max(2, int(config["RENDER_WORKERS"])),
        per_workspace=max(1, int(config["RENDER_PER_WORKSPACE"])),
    )


@dataclass(frozen=True)
class RenderRequest:
    """What to render, for whom, and who asked (for the audit log)."""

    workspace_id: int
    assessment_id: int
    content_hash: str
    paper: str
    lane: str
    actor: str
    user: User | None = None
    #: The assessment's version (:func:`version_of`) as read before its content was
    #: scored: a PDF is stored only while the assessment still has it, see :func:`run`.
    version: str | None = None


def limit_advice(limits: Limits, what: str | None) -> str:
    stopped = f" This one was stopped: {what}." if what else ""
    return (
        f"Each report may take {limits.describe()}.{stopped} The usual cause is the "
        "workspace's logo: replace it with a PNG or a simpler SVG (Settings, Branding), or "
        "remove it, then download again. The same report is not tried again until "
        "something in it changes."
    )


def render(
    request: RenderRequest,
    html: str,
    assets: Assets | None,
    backend: RenderBackend | None = None,
    keep: Keep | None = None,
) -> bytes:
    """The PDF of ``html``, rendered through the job table within the limits (``keep``:
    as for :func:`run`).

    :raise RenderRefused: the limit was hit (now or for the same content before), or no
        render slot came free in time.
    """
    config = settings()
    job_id = enqueue(request, config)
    deadline = time.monotonic() + config.limits.seconds
    while not claim(job_id, config):
        if request.lane == "interactive" and time.monotonic() > deadline:
            finish(job_id, "failed", reason="busy", detail="no render slot came free in time")
            raise RenderRefused("busy", BUSY_SERVICE, job_id=job_id)
        time.sleep(POLL_SECONDS)
    return run(job_id, request, html, assets, config, backend or render_bounded, keep)


def enqueue(request: RenderRequest, config: RenderSettings) -> int:
    """A queued job for ``request``; refused when the same content hit a limit before, or
    when the workspace already has its cap of downloads in flight."""
    lock_jobs(config)
    refuse_if_hit_before(request, config)
    if request.lane == "interactive":
        in_flight = db.session.scalar(
            select(func.count(RenderJob.id)).where(
                RenderJob.workspace_id == request.workspace_id,
                RenderJob.lane == "interactive",
                RenderJob.state.in_(("queued", "running")),
            )
        )
        if (in_flight or 0) >= config.per_workspace:
            db.session.rollback()
            raise RenderRefused("busy", BUSY_WORKSPACE)
    job = RenderJob(
        workspace_id=request.workspace_id,
        assessment_id=request.assessment_id,
        lane=request.lane,
        content_hash=request.content_hash,
        paper=request.paper,
    )
    db.session.add(job)
    db.session.commit()
    return job.id


def refuse_if_hit_before(request: RenderRequest, config: RenderSettings) -> None:
    """Refuse (audited, committed) when the same content hit a limit before; in the
    caller's transaction (:func:`lock_jobs`) otherwise."""
    earlier = db.session.scalar(
        select(RenderJob)
        .where(
            RenderJob.assessment_id == request.assessment_id,
            RenderJob.content_hash == request.content_hash,
            RenderJob.paper == request.paper,
            RenderJob.reason == "limit hit",
        )
        .order_by(RenderJob.id.desc())
        .limit(1)
    )
    if earlier is not None:
        _audit_refused(request, earlier, again=True)
        db.session.commit()
        raise RenderRefused(
            "limit hit", LIMIT_MESSAGE, limit_advice(config.limits, earlier.detail), earlier.id
        )


def claim(job_id: int, config: RenderSettings) -> bool:
    """Start the job if its turn has come (see the module's rules); else note that its
    waiter is still there.  Returns whether it now runs."""
    lock_jobs(config)
    now = utcnow()
    running = db.session.execute(
        select(RenderJob.workspace_id, RenderJob.lane).where(RenderJob.state == "running")
    ).all()
    total = len(running)
    bulk = sum(1 for _, lane in running if lane == "bulk")
    per_workspace = Counter(ws for ws, lane in running if lane == "interactive")
    waiting = db.session.execute(
        select(RenderJob.id, RenderJob.workspace_id, RenderJob.lane)
        .where(RenderJob.state == "queued", _not_handed_to(HANDED_PREFIX + "rq"))
        .order_by((RenderJob.lane == "bulk").asc(), RenderJob.id)
    ).all()
    for queued_id, workspace_id, lane in waiting:
        if total >= config.workers:
            break
        if lane == "bulk" and bulk >= config.bulk_slots:
            continue
        if lane == "interactive" and per_workspace[workspace_id] >= config.per_workspace:
            continue
        if queued_id == job_id:
            job = db.session.get(RenderJob, job_id)
            assert job is not None  # noqa: S101  (listed as queued under this lock)
            job.state, job.started_at, job.attempts = "running", now, job.attempts + 1
            db.session.commit()
            return True
        total += 1  # that job goes first
        bulk += lane == "bulk"
        per_workspace[workspace_id] += lane == "interactive"
    job = db.session.get(RenderJob, job_id)
    if job is None or job.state != "queued":
        db.session.rollback()
        raise RenderRefused("busy", BUSY_SERVICE, job_id=job_id)
    job.heartbeat_at = now
    db.session.commit()
    return False


def run(
    job_id: int,
    request: RenderRequest,
    html: str,
    assets: Assets | None,
    config: RenderSettings,
    backend: RenderBackend,
    keep: Keep | None = None,
) -> bytes:
    """Render a claimed job and record how it ended; a limit hit is audited, not retried.
    ``keep`` stores the bytes in the transaction that records the job done: one commit,
    and nobody sees the job done before its PDF is stored; only while the job is still
    wanted (:func:`_unwanted`): a PDF rendered across an erasure is never stored."""

    def started(pid: int) -> None:
        begin_write()
        job = db.session.get(RenderJob, job_id)
        if job is not None:
            job.worker = f"{socket.gethostname()}:{pid}"[:100]
        db.session.commit()

    try:
        rendered = backend(html, assets, config.limits, started)
    except RenderLimitHit as exc:
        what = f"{exc.what} after {exc.seconds:.1f} s"
        finish(job_id, "failed", refused=request, reason="limit hit", detail=what)
        raise RenderRefused(
            "limit hit", LIMIT_MESSAGE, limit_advice(config.limits, what), job_id
        ) from exc
    except RenderFailed as exc:
        finish(job_id, "failed", reason="error", detail=str(exc))
        raise
    except BaseException:
        finish(job_id, "failed", reason="abandoned", detail="the render was interrupted")
        raise
    try:
        unwanted = _unwanted(job_id, request)
        if unwanted is None:
            if keep is not None:
                keep(rendered.data)
            _record_end(job_id, "done", peak_mb=rendered.peak_mb)
        else:
            _record_end(job_id, "failed", reason="abandoned", detail=f"not stored: {unwanted}")
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        finish(job_id, "failed", reason="error", detail=f"storing the PDF: {exc!r}")
        raise
    return rendered.data


def _unwanted(job_id: int, request: RenderRequest) -> str | None:
    """Why the rendered bytes must not be stored, or None: begins the write transaction
    that stores them, holding the job's row (PostgreSQL: ``FOR UPDATE``; an erasure
    deletes the assessment's job rows first, so one of the two waits for the other) and
    then the assessment's (``FOR KEY SHARE``, as storing the PDF would).  Unwanted: the
    row is gone (its assessment deleted, or a person erased from it), no longer running,
    or wants another content; or the assessment changed since its content was scored
    (``request.version``: an erasure after the scoring, before the job was made)."""
    begin_write()
    job = db.session.scalar(select(RenderJob).where(RenderJob.id == job_id).with_for_update())
    if job is None:
        return "the job was deleted while it rendered"
    if job.state != "running" or job.content_hash != request.content_hash:
        return "the job was ended or given other content while it rendered"
    if request.version is not None and current_version(request.assessment_id) != request.version:
        return "the assessment changed while its report was rendered"
    return None


def version_of(assessment: Assessment) -> str:
    """What a render's content is scored under: when someone was last erased from the
    assessment ("" never).  Read before the content is scored, compared before its PDF
    is stored: content scored before an erasure is never stored after it."""
    return assessment.erased_at.isoformat() if assessment.erased_at else ""


def current_version(assessment_id: int) -> str | None:
    """The assessment's version now (None: it is gone), read under its row's key share
    lock (PostgreSQL), which waits for a change in flight (an erasure) to end."""
    found = db.session.execute(
        select(Assessment.erased_at)
        .where(Assessment.id == assessment_id)
        .with_for_update(read=True, key_share=True)
    ).first()
    if found is None:
        return None
    return found[0].isoformat() if found[0] else ""


def finish(job_id: int, state: str, *, refused: RenderRequest | None = None, **values: Any) -> None:
    """Record how a job ended (state, reason, detail, peak memory) and when; with
    ``refused``, the audit entry of a render refused past a limit, in the same commit."""
    begin_write()
    _record_end(job_id, state, refused=refused, **values)
    db.session.commit()


def _record_end(
    job_id: int, state: str, *, refused: RenderRequest | None = None, **values: Any
) -> None:
    """:func:`finish` in the caller's write transaction."""
    job = db.session.get(RenderJob, job_id)
    if job is not None and job.state in ("queued", "running"):
        job.state, job.finished_at = state, utcnow()
        for name, value in values.items():
            setattr(job, name, value[:500] if isinstance(value, str) else value)
        if refused is not None:
            _audit_refused(refused, job, again=False)


def _not_handed_to(worker: str) -> Any:
    return func.coalesce(RenderJob.worker, "") != worker


def lock_jobs(config: RenderSettings) -> None:
    """Begin a write transaction that no other enqueue or claim runs beside (SQLite: BEGIN
    IMMEDIATE; PostgreSQL, where writers do not exclude readers: an advisory lock), and
    end the stale jobs in it."""
    begin_write()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _JOBS_LOCK})
    _end_stale(config)


def _end_stale(config: RenderSettings) -> None:
    """Queued jobs nobody waits for are abandoned (those handed to a queue only long after
    they were made); running ones whose process went away (past their time limit and a
    grace) count as a limit hit.  In the caller's transaction."""
    now = utcnow()
    handed = func.coalesce(RenderJob.worker, "").startswith(HANDED_PREFIX)
    for job in db.session.scalars(
        select(RenderJob).where(
            RenderJob.state == "queued",
            (~handed & (RenderJob.heartbeat_at < now - timedelta(seconds=QUEUED_STALE_SECONDS)))
            | (handed & (RenderJob.created_at < now - timedelta(seconds=HANDED_STALE_SECONDS))),
        )
    ):
        job.state, job.reason, job.finished_at = "failed", "abandoned", now
        job.detail = "nobody waited for it any more"
    overdue = now - timedelta(seconds=config.limits.seconds + RUNNING_GRACE_SECONDS)
    for job in db.session.scalars(
        select(RenderJob).where(RenderJob.state == "running", RenderJob.started_at < overdue)
    ):
        job.state, job.reason, job.finished_at = "failed", "limit hit", now
        job.detail = "its process stopped before the render ended"


def _audit_refused(request: RenderRequest, job: RenderJob, *, again: bool) -> None:
    audit.record(
        "report-refused",
        workspace_id=request.workspace_id,
        actor=request.actor,
        user=request.user,
        target=f"assessment:{request.assessment_id}",
        reason="limit hit",
        job=job.id,
        detail=job.detail,
        earlier=again,
    )
