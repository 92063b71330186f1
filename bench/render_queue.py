"""Benchmark of the render queue: reports rendered ahead of time, and report-all on RQ.

Prints ``name: value`` lines and ``ratio ...: R`` lines:

* one render of the demo report (context, HTML and PDF in this process, warm; best of 3);
* with an idle queue, the time from a submission (the last respondent's) until its PDF
  is stored, as a ratio to one render (target 1.2 or less): embedded (the web process's
  background thread and a child process) and with one ``assessor worker`` on RQ;
* "Download" to bytes after that, through the app (a signed-in GET of ``report.pdf``),
  as a share of one render (target 0.05 or less);
* ``assessor report-all`` over N assessments (default 40) with one worker and with two,
  and the ratio of their throughputs (target 1.7 on two free cores).  The workers, Redis,
  the database and report-all's poller (it sleeps between polls) share this machine.

Uses its own Redis database (``--redis``, default 12: RQ has no key prefix; only that
database is flushed) and a temporary SQLite file unless ``--database-url`` is given.

    python bench/render_queue.py [--assessments 40] [--redis redis://127.0.0.1:6379/12]
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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from report import seed  # noqa: E402  (bench/report.py: the demo assessment, stored)

from assessor import create_app  # noqa: E402

ASSESSOR = str(Path(sys.executable).parent / "assessor")
PASSWORD = "bench password 123"


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


def stored(app: Any, assessment_id: int) -> bool:
    from sqlalchemy import select

    from assessor.extensions import db
    from assessor.models import StoredReport

    with app.app_context():
        found = db.session.scalar(
            select(StoredReport.id).where(StoredReport.assessment_id == assessment_id)
        )
        db.session.remove()
        return found is not None


def submission_to_stored(app: Any, email: str) -> tuple[float, int]:
    """Seconds from the submission (its last respondent's) to the stored PDF, with an idle
    queue; and the assessment."""
    app.config["PRERENDER"] = False
    with app.app_context():
        assessment_id = seed(app, email)
    submit_all(app, assessment_id, skip_last=True)
    app.config["PRERENDER"] = True
    start = time.perf_counter()
    submit_all(app, assessment_id)  # the last respondent: the assessment is submitted
    while not stored(app, assessment_id):
        time.sleep(0.005)
    return time.perf_counter() - start, assessment_id


def download_seconds(app: Any, email: str, assessment_id: int) -> float:
    client = app.test_client()
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
    time.sleep(1)  # each warms WeasyPrint before it takes jobs
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assessments", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3, help="submissions timed (median)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    args = parser.parse_args()

    from redis import Redis

    Redis.from_url(args.redis).flushdb()
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
        print(f"one_render_s: {render:.3f}")

        embedded = [
            submission_to_stored(app, f"embedded{n}@example.com") for n in range(args.repeat)
        ]
        seconds = statistics.median(s for s, _ in embedded)
        print(f"embedded_submission_to_stored_s: {seconds:.3f}")
        print(f"ratio submission to stored / one render, embedded: {seconds / render:.2f}")
        download = download_seconds(app, "embedded0@example.com", embedded[0][1])
        print(f"download_stored_s: {download:.4f}")
        print(f"ratio download to bytes / one render: {download / render:.3f}")

        env = {
            **os.environ,
            "ASSESSOR_SQLALCHEMY_DATABASE_URI": url,
            "ASSESSOR_SECRET_KEY": "bench",
            "ASSESSOR_QUEUE_URL": args.redis,
        }
        app.config["QUEUE_URL"] = args.redis
        workers = start_workers(env, 1, args.redis)
        try:
            queued = [submission_to_stored(app, f"rq{n}@example.com") for n in range(args.repeat)]
        finally:
            stop_workers(workers)
        seconds = statistics.median(s for s, _ in queued)
        print(f"rq_submission_to_stored_s: {seconds:.3f}")
        print(f"ratio submission to stored / one render, one RQ worker: {seconds / render:.2f}")

        app.config["PRERENDER"] = False
        with app.app_context():
            from sqlalchemy import update

            from assessor.database import begin_write
            from assessor.models import Assessment

            begin_write()  # only the bulk assessments below count in report-all
            db.session.execute(update(Assessment).values(status="in_progress"))
            db.session.commit()
            ids = [seed(app, f"bulk{n}@example.com") for n in range(args.assessments)]
        for assessment_id in ids:
            submit_all(app, assessment_id)
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
        print(
            f"ratio report-all throughput, two workers / one: {throughput[2] / throughput[1]:.2f}"
        )
        print(f"load_average: {os.getloadavg()[0]:.1f} (cores: {os.cpu_count()})")
    Redis.from_url(args.redis).flushdb()


if __name__ == "__main__":
    main()
