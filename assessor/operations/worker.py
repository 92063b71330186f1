"""``assessor worker``: an RQ worker on the queues at ``ASSESSOR_QUEUE_URL`` (e-mail first,
then downloads' renders, then renders ahead of time), with RQ's scheduler for the
reminder checks.  At start it sends again the e-mails a sender left queued, schedules
the next reminder check and loads what a render job uses (:mod:`worker_warmup`): each job
runs in a work horse forked fresh from it, which starts with all of that loaded."""

from __future__ import annotations

import gc
from typing import Any

from flask import current_app

from assessor.extensions import db
from assessor.operations import mail_queue, reminder_checks, render_queue, worker_warmup


def horse_killed(job: Any, pid: int, status: int, rusage: Any) -> None:
    """A work horse ended before its job: a render is recorded as a limit hit; an e-mail
    stays claimed, and is sent again once its claim is old (:func:`mail_queue.retry_stale`)."""
    if job.func_name == f"{render_queue.run_queued.__module__}.{render_queue.run_queued.__name__}":
        render_queue.horse_killed(job, pid, status, rusage)
    else:
        current_app.logger.warning("job %s (%s) ended with its process", job.id, job.func_name)


def work(burst: bool = False) -> None:
    """Run the worker until stopped (``burst``: until the queues are empty)."""
    from rq import Worker

    connection = render_queue._redis()
    mail = mail_queue._rq_queue(connection)
    queues = [mail] + [render_queue._rq_queue(lane, connection) for lane in ("interactive", "bulk")]
    mail_queue.retry_stale(send=False)  # onto the queue, for this worker and the others
    reminder_checks.schedule(connection=connection)
    import assessor.reports.warm  # noqa: F401  (WeasyPrint and its fonts, once for every horse)

    worker_warmup.warm_up()  # the report's templates, the engine, the jobs' statements
    db.session.remove()
    db.engine.dispose()  # no connection is inherited by the work horses
    # Everything loaded so far lives as long as the worker: the horses' collections skip
    # it (they would otherwise walk, and copy on write, the whole inherited heap).
    gc.freeze()

    worker = Worker(queues, connection=connection, work_horse_killed_handler=horse_killed)
    worker.work(burst=burst, logging_level="WARNING", with_scheduler=True)
