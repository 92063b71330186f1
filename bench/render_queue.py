"""Benchmark of the render queue: reports rendered ahead of time, and report-all on RQ.

Prints ``name: value`` lines and ``ratio ...: R ... target ...: met / NOT met`` lines:

* one render of the demo report (context, HTML and PDF in this process, warm; best of 3);
* with an idle queue, the time from a submission (the start of the last respondent's) until
  its PDF is stored (the database's timestamp), as a ratio to a warm in-process render made
  just before it (target 1.2 or less; median of ``--repeat``, with the spread, the best of
  each side, and when the job started and the submission returned): embedded (the web
  process's background thread and a child process) and with one ``assessor worker`` on RQ;
* the processor time of a render job's work in a work horse forked fresh from a process
  warmed up as ``assessor worker`` is, against a warm process (steady whatever the load);
* "Download" to bytes after that, through the app (a signed-in GET of ``report.pdf``),
  as a share of one render (target 0.05 or less);
* ``assessor report-all`` over N assessments (default 40) with one worker and with two,
  and the ratio of their throughputs (target 1.7 on two free cores).  The workers, Redis,
  the database and report-all's poller (it sleeps up to 0.5 s between looks, less when a
  worker announces that a job ended) share this machine with whatever else runs on it:
  the run first measures what two plain render processes get against one right now (2.0
  on two free cores), and prints the workers' ratio as a share of that too.

Uses its own Redis database (``--redis``, default 12: RQ has no key prefix; only that
database is flushed) and a temporary SQLite file unless ``--database-url`` is given (its
tables are dropped and made again).

    python bench/render_queue.py [--assessments 40] [--repeat 3] [--parts cpu,embedded,rq,report-all]
                                 [--redis redis://127.0.0.1:6379/12] [--database-url URL]
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def seed(app: Any, email: str) -> int:
    """bench/report.py's demo assessment, stored.  The app and the benches are imported in
    functions, not at the top: every render's child process (multiprocessing's forkserver)
    imports this main module again, as it would gunicorn's, and an app imported here cost
    each embedded render 0.4-0.5 s that a web process does not pay."""
    from report import seed as seed_demo

    return int(seed_demo(app, email))


ASSESSOR = str(Path(sys.executable).parent / "assessor")
SUBMISSION_TARGET = 1.2
DOWNLOAD_TARGET = 0.05
REPORT_ALL_TARGET = 1.7


def one_render(app: Any, assessment_id: int) -> float:
    from assessor.extensions import db
    from assessor.models import Assessment
    from assessor.operations import reporting
    from assessor.reports.context import build_context
    from assessor.reports.render import render_html, render_pdf

    times = []
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        for _ in range(3):
            start = time.perf_counter()
            result, inputs = reporting.scored_report(assessment, "a4")
            render_pdf(render_html(build_context(result, inputs)), inputs.assets())
            times.append(time.perf_counter() - start)
    return min(times)


def submit_all(app: Any, assessment_id: int, skip_last: bool = False) -> None:
    """Submit every respondent of the assessment (the last submission submits it)."""
    from assessor.extensions import db
    from assessor.models import Assessment
    from assessor.operations import submission
    from assessor.operations.catalog import questionnaire_for

    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        questionnaire = questionnaire_for(
            assessment.questionnaire_id,
            assessment.questionnaire_version,
            assessment.questionnaire_hash,
        )
        everyone = list(assessment.respondents)
        for respondent in everyone[:-1] if skip_last else everyone:
            submission.submit(questionnaire, respondent, "bench")


def stored_at(app: Any, assessment_id: int) -> tuple[float, float] | None:
    """When the assessment's PDF was stored and its job started (epoch seconds, the
    database's own timestamps: the poll's pace does not count), or None."""
    from sqlalchemy import select

    from assessor.extensions import db
    from assessor.models import RenderJob, StoredReport

    with app.app_context():
        found = db.session.scalar(
            select(StoredReport.created_at).where(StoredReport.assessment_id == assessment_id)
        )
        started = db.session.scalar(
            select(RenderJob.started_at)
            .where(RenderJob.assessment_id == assessment_id, RenderJob.state == "done")
            .order_by(RenderJob.id.desc())
            .limit(1)
        )
        db.session.remove()
    if found is None or started is None:
        return None
    return found.timestamp(), started.timestamp()


@dataclass(frozen=True)
class Submitted:
    """Seconds from the start of the submission (its last respondent's) to each step."""

    assessment_id: int
    handed_off: float  # the submission returned: committed, its render job handed off
    started: float  # a worker (or the background thread) started the job
    stored: float  # the PDF stored


def wait_until_idle(app: Any) -> None:
    """Until no e-mail waits to be sent and, with a queue, no job waits or runs: the other
    respondents' submission notices are e-mails that a worker takes before renders, and the
    figure is for an idle queue."""
    from sqlalchemy import func, select

    from assessor.extensions import db
    from assessor.models import MailLog

    deadline = time.monotonic() + 60
    while True:
        with app.app_context():
            queued = db.session.scalar(
                select(func.count(MailLog.id)).where(MailLog.status == "queued")
            )
            db.session.remove()
        if not queued and _queue_idle(app):
            return
        assert time.monotonic() < deadline, "the queue never became idle"
        time.sleep(0.05)


def _queue_idle(app: Any) -> bool:
    url = app.config.get("QUEUE_URL")
    if not url:
        return True
    from redis import Redis
    from rq import Queue, Worker

    from assessor.operations import mail_queue, render_queue

    connection = Redis.from_url(url)
    names = [mail_queue.RQ_QUEUE, *render_queue.RQ_QUEUES.values()]
    return all(Queue(n, connection=connection).count == 0 for n in names) and all(
        w.get_state() == "idle" for w in Worker.all(connection=connection)
    )


def submission_to_stored(app: Any, email: str) -> Submitted:
    """The submission (its last respondent's) to the stored PDF, with an idle queue."""
    app.config["PRERENDER"] = False
    with app.app_context():
        assessment_id = seed(app, email)
    submit_all(app, assessment_id, skip_last=True)
    wait_until_idle(app)
    app.config["PRERENDER"] = True
    start = time.time()
    submit_all(app, assessment_id)  # the last respondent: the assessment is submitted
    returned = time.time() - start
    deadline = time.monotonic() + 300
    while (found := stored_at(app, assessment_id)) is None:
        assert time.monotonic() < deadline, "the PDF was never stored"
        time.sleep(0.05)
    stored, started = found
    return Submitted(assessment_id, returned, started - start, stored - start)


def download_seconds(app: Any, email: str, assessment_id: int) -> float:
    client = app.test_client()
    from report import PASSWORD

    client.post("/signin", data={"email": email, "password": PASSWORD})
    times = []
    for _ in range(5):
        start = time.perf_counter()
        response = client.get(f"/assessments/{assessment_id}/report.pdf")
        times.append(time.perf_counter() - start)
        assert response.status_code == 200 and response.data.startswith(b"%PDF"), response.status
    return statistics.median(times)


def start_workers(env: dict[str, str], count: int, redis_url: str) -> list[subprocess.Popen[Any]]:
    from redis import Redis
    from rq import Worker

    workers = [
        subprocess.Popen([ASSESSOR, "worker"], env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
        for _ in range(count)
    ]
    connection = Redis.from_url(redis_url)
    deadline = time.monotonic() + 60
    while Worker.count(connection=connection) < count:
        assert time.monotonic() < deadline, "the workers did not start"
        time.sleep(0.1)
    return workers


def stop_workers(workers: list[subprocess.Popen[Any]]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        worker.wait(30)


def forget_renders(app: Any) -> None:
    from sqlalchemy import delete

    from assessor.database import begin_write
    from assessor.extensions import db
    from assessor.models import RenderJob, StoredReport

    with app.app_context():
        begin_write()
        db.session.execute(delete(StoredReport))
        db.session.execute(delete(RenderJob))
        db.session.commit()


def report_all_seconds(env: dict[str, str], folder: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [ASSESSOR, "report-all", "-o", str(folder)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    return seconds


def render_in_process(app: Any, assessment_id: int) -> float:
    """One more warm render in this process: the baseline of the submission beside it."""
    from assessor.extensions import db
    from assessor.models import Assessment
    from assessor.operations import reporting
    from assessor.reports.context import build_context
    from assessor.reports.render import render_html, render_pdf

    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        start = time.perf_counter()
        result, inputs = reporting.scored_report(assessment, "a4")
        render_pdf(render_html(build_context(result, inputs)), inputs.assets())
        seconds = time.perf_counter() - start
        db.session.remove()
    return seconds


def submissions(app: Any, label: str, baseline_id: int, repeat: int) -> int:
    """``repeat`` submissions, each beside a warm in-process render just before it (the
    load on a shared machine drifts: each ratio is against its own baseline)."""
    ratios, rows, renders = [], [], []
    for n in range(repeat):
        render = render_in_process(app, baseline_id)
        timed = submission_to_stored(app, f"{label.replace(' ', '')}{n}@example.com")
        ratios.append(timed.stored / render)
        rows.append(timed)
        renders.append(render)
        print(
            f"{label} #{n + 1}: render {render:.2f} s; submission returned "
            f"{timed.handed_off:.2f} s, job started {timed.started:.2f} s, "
            f"PDF stored {timed.stored:.2f} s: ratio {timed.stored / render:.2f}"
        )
    met = statistics.median(ratios) <= SUBMISSION_TARGET
    print(
        f"ratio submission to stored / one render, {label}: {statistics.median(ratios):.2f} "
        f"(median of {repeat}; {min(ratios):.2f}-{max(ratios):.2f}) "
        f"target <= {SUBMISSION_TARGET}: {'met' if met else 'NOT met'}"
    )
    best = min(r.stored for r in rows) / min(renders)
    print(
        f"  best of {repeat} / best of {repeat} renders, {label} (the least disturbed by other "
        f"jobs): {best:.2f}; the submission itself returned after "
        f"{statistics.median(r.handed_off / b for r, b in zip(rows, renders, strict=True)):.2f}"
        " of a render (median)"
    )
    return rows[0].assessment_id


def _cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def job_cpu(app: Any, assessment_id: int, repeat: int) -> None:
    """Processor time (not wall time: steady under other jobs' load) of a render job's work
    (score, context, HTML, PDF) in a process forked fresh from one warmed up as ``assessor
    worker`` is, against the same work in a warm process: what a fresh process per job costs."""
    from assessor.extensions import db
    from assessor.models import Assessment
    from assessor.operations import reporting, worker_warmup
    from assessor.reports.context import build_context
    from assessor.reports.render import render_html, render_pdf

    def work() -> None:
        result, inputs = reporting.scored_report(db.session.get(Assessment, assessment_id), "a4")
        render_pdf(render_html(build_context(result, inputs)), inputs.assets())
        db.session.rollback()

    fresh, warm = [], []
    with app.app_context():
        import assessor.reports.warm  # noqa: F401  (as assessor worker does)

        worker_warmup.warm_up()
        db.session.remove()
        db.engine.dispose()
        for _ in range(repeat):
            before = _children_cpu()
            pid = os.fork()
            if pid == 0:
                db.engine.dispose(close=False)
                work()
                os._exit(0)
            os.waitpid(pid, 0)
            fresh.append(_children_cpu() - before)
            before = _cpu()
            work()
            warm.append(_cpu() - before)
        db.session.remove()
    ratios = [f / w for f, w in zip(fresh, warm, strict=True)]
    print(
        f"render job's processor time, fresh work horse / warm process: "
        f"{statistics.median(ratios):.2f} (median of {repeat}; {min(ratios):.2f}-"
        f"{max(ratios):.2f}; {statistics.median(fresh):.2f} s / {statistics.median(warm):.2f} s)"
    )


def _render_times(html: str, count: int, out: Any) -> None:
    from assessor.reports.render import render_pdf

    for _ in range(count):
        render_pdf(html, None)
    out.put(os.getpid())


def parallel_ceiling(app: Any, assessment_id: int, count: int) -> float:
    """What two CPU-bound render processes get on this machine now, against one: ``count``
    renders in one process, then in each of two at once (2.0 on two free cores)."""
    import multiprocessing

    from assessor.extensions import db
    from assessor.models import Assessment
    from assessor.operations import reporting
    from assessor.reports.context import build_context
    from assessor.reports.render import render_html

    with app.app_context():
        result, inputs = reporting.scored_report(db.session.get(Assessment, assessment_id), "a4")
        html = render_html(build_context(result, inputs))
        db.session.remove()
    context = multiprocessing.get_context("fork")
    seconds = {}
    for processes in (1, 2):
        out = context.Queue()
        children = [
            context.Process(target=_render_times, args=(html, count, out)) for _ in range(processes)
        ]
        start = time.perf_counter()
        for child in children:
            child.start()
        for _ in children:
            out.get(timeout=600)
        seconds[processes] = time.perf_counter() - start
        for child in children:
            child.join()
    return 2 * seconds[1] / seconds[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assessments", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3, help="submissions timed (median)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument(
        "--parts",
        default="cpu,embedded,rq,report-all",
        help="which of cpu,embedded,rq,report-all",
    )
    args = parser.parse_args()
    parts = set(args.parts.split(","))

    from redis import Redis

    from assessor import create_app

    Redis.from_url(args.redis).flushdb()
    print(f"load average before: {os.getloadavg()[0]:.1f} (cores: {os.cpu_count()})")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
        config = {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
        app = create_app(config)
        logging.getLogger("assessor.requests").setLevel(logging.WARNING)
        from assessor.extensions import db

        with app.app_context():
            db.drop_all()
            db.create_all()
            first = seed(app, "render@example.com")
        render = one_render(app, first)
        print(f"one_render_s: {render:.3f} (best of 3, warm, in process)")

        if "cpu" in parts:
            job_cpu(app, first, args.repeat)

        if "embedded" in parts:
            done = submissions(app, "embedded", first, args.repeat)
            download = download_seconds(app, "embedded0@example.com", done)
            print(f"download_stored_s: {download:.4f}")
            print(
                f"ratio download to bytes / one render: {download / render:.3f} "
                f"target <= {DOWNLOAD_TARGET}: "
                f"{'met' if download / render <= DOWNLOAD_TARGET else 'NOT met'}"
            )

        env = {
            **os.environ,
            "ASSESSOR_SQLALCHEMY_DATABASE_URI": url,
            "ASSESSOR_SECRET_KEY": "bench",
            "ASSESSOR_QUEUE_URL": args.redis,
        }
        app.config["QUEUE_URL"] = args.redis
        if "rq" in parts:
            workers = start_workers(env, 1, args.redis)
            try:
                submissions(app, "one RQ worker", first, args.repeat)
            finally:
                stop_workers(workers)

        if "report-all" in parts:
            report_all(app, env, args, folder, first)
        print(f"load average after: {os.getloadavg()[0]:.1f} (cores: {os.cpu_count()})")
    Redis.from_url(args.redis).flushdb()


def report_all(app: Any, env: dict[str, str], args: Any, folder: Path, first: int) -> None:
    from redis import Redis
    from sqlalchemy import update

    from assessor.database import begin_write
    from assessor.extensions import db
    from assessor.models import Assessment

    app.config["PRERENDER"] = False
    with app.app_context():
        begin_write()  # only the bulk assessments below count in report-all
        db.session.execute(update(Assessment).values(status="in_progress"))
        db.session.commit()
        ids = [seed(app, f"bulk{n}@example.com") for n in range(args.assessments)]
    for assessment_id in ids:
        submit_all(app, assessment_id)
    ceiling = parallel_ceiling(app, first, 3)
    print(
        f"two render processes at once / one (this machine now; 2.0 on free cores): {ceiling:.2f}"
    )
    throughput = {}
    for count in (1, 2):
        forget_renders(app)
        Redis.from_url(args.redis).flushdb()
        workers = start_workers(env, count, args.redis)
        try:
            total = report_all_seconds(env, folder / f"out{count}")
        finally:
            stop_workers(workers)
        reports = len(list((folder / f"out{count}").iterdir()))
        throughput[count] = reports / total
        print(f"report_all_{count}_worker_s: {total:.1f} ({reports} reports)")
        print(f"report_all_{count}_worker_per_minute: {60 * throughput[count]:.1f}")
    ratio = throughput[2] / throughput[1]
    print(
        f"ratio report-all throughput, two workers / one: {ratio:.2f} "
        f"target >= {REPORT_ALL_TARGET}: {'met' if ratio >= REPORT_ALL_TARGET else 'NOT met'}; "
        f"as a share of what two plain render processes got here (ratio {ceiling:.2f}): "
        f"{ratio / ceiling:.2f}"
    )


if __name__ == "__main__":
    main()
