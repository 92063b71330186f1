"""Scheduled reminders on the job queue (``ASSESSOR_QUEUE_URL``), to respondents and to the
owners of overdue actions: a check for due reminders every ``REMINDERS_EVERY_MINUTES``, as
RQ jobs scheduled with ``enqueue_at`` and moved to the mail queue by the scheduler of an
``assessor worker``.  (Without a queue, cron runs
``assessor reminders send``: see the README.)

Each check is a job named for its time slot, so that any number of workers scheduling
"the next check" schedule one job; a check schedules the one after it, and every worker
does at start (a Redis emptied meanwhile loses nothing but a slot).  Two checks at once
(or a check and the cron command) remind each assessment once: see
:func:`notices.send_due_reminders`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app

from assessor.extensions import db
from assessor.models import utcnow
from assessor.operations import action_reminders, mail_queue, notices

JOB_PREFIX = "assessor-reminders-"


def _every() -> timedelta:
    return timedelta(minutes=max(1, int(current_app.config["REMINDERS_EVERY_MINUTES"])))


def next_slot(now: datetime) -> datetime:
    """The first check time after ``now``: the next multiple of the interval since 1970."""
    every = int(_every().total_seconds())
    seconds = int(now.timestamp()) // every * every + every
    return datetime.fromtimestamp(seconds, tz=now.tzinfo)


def schedule(at: datetime | None = None, connection: Any = None) -> str:
    """Schedule the check at ``at`` (default: the next slot) unless it is scheduled
    already; its job id."""
    from rq.registry import ScheduledJobRegistry

    when = at or next_slot(utcnow())
    job_id = f"{JOB_PREFIX}{when:%Y%m%dT%H%M%S}"
    queue = mail_queue._rq_queue(connection)
    if job_id not in ScheduledJobRegistry(queue=queue).get_job_ids():
        queue.enqueue_at(when, run_check, job_id=job_id, result_ttl=0, failure_ttl=86400)
    return job_id


def run_check() -> None:
    """The RQ job: send the reminders that are due (each on the mail queue), then schedule
    the next check."""
    db.engine.dispose(close=False)  # the inherited pool's connections are the parent's
    try:
        run = notices.send_due_reminders()
        owners = action_reminders.send_due()
        for what, count, done in (
            ("assessment(s)", run.assessments, run),
            ("overdue action(s)", owners.actions, owners),
        ):
            if count:
                current_app.logger.info(
                    "reminders: %s %s, %s message(s) queued, %s failed",
                    count,
                    what,
                    done.queued + done.sent,
                    len(done.failed),
                )
    finally:
        db.session.remove()
        schedule()
