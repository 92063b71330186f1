"""Per-process figures for docs/scaling.md: what one web process and one render worker do.

One web process, one thread, requests sent back to back through the WSGI app (no HTTP
server, no network: the app's own cost, an upper bound for a gunicorn worker), on the
database given (default: a PostgreSQL database of its own on 127.0.0.1).  For each kind of
request: requests per second, and the share of its time spent in the database, timed in
this client with SQLAlchemy's cursor events (from sending a statement to having its
result; psycopg's round trips included):

* an autosave by personal link (one answer, the version read: what respondents send most);
* a questionnaire page by personal link (a section's page);
* the results page of a consultant (the engine scores the assessment on every view);
* the API's results (``GET /api/v1/assessments/{id}/results``, a token).

Then one render worker: renders per minute, from the best of ``--renders`` renders of the
demo report in this process (context, HTML, PDF), plus the measured cost of a fresh
process per job (a fork and exit, as RQ's work horse does; bench/render_queue.py measures
the whole job).

    .venv/bin/python bench/per_process.py [--database-url URL] [--requests 300]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from render_queue import PASSWORD, one_render  # noqa: E402
from report import seed  # noqa: E402

from assessor import create_app  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/assessor_bench_per_process"


class DatabaseClock:
    """Seconds spent in cursor executions (SQLAlchemy events), and how many."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.seconds = 0.0
        self.statements = 0
        self._started: list[float] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *args: Any) -> None:
        self._started.append(time.perf_counter())

    def _after(self, *args: Any) -> None:
        self.seconds += time.perf_counter() - self._started.pop()
        self.statements += 1


def measure(
    name: str, clock: DatabaseClock, count: int, send: Callable[[int], None]
) -> dict[str, float]:
    send(-1)  # warm: caches, prepared statements, imports
    clock.seconds, clock.statements = 0.0, 0
    start = time.perf_counter()
    for n in range(count):
        send(n)
    wall = time.perf_counter() - start
    figures = {
        "per_second": count / wall,
        "ms": 1000 * wall / count,
        "db_share": clock.seconds / wall,
        "statements": clock.statements / count,
    }
    print(
        f"{name}: {figures['per_second']:.0f}/s per process, {figures['ms']:.1f} ms each, "
        f"database {100 * figures['db_share']:.0f} % of it "
        f"({figures['statements']:.1f} statements a request)"
    )
    return figures


def fork_cost(repeat: int = 20) -> float:
    """Seconds to fork a process that exits at once and reap it (a work horse's overhead)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def prepare_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    import psycopg

    base, _, name = url.replace("+psycopg", "").rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--renders", type=int, default=3)
    args = parser.parse_args()

    prepare_database(args.database_url)
    config = {
        "SQLALCHEMY_DATABASE_URI": args.database_url,
        "SECRET_KEY": "bench",
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": False,
        "PRERENDER": False,
    }
    app = create_app(config)
    logging.getLogger("assessor.requests").setLevel(logging.WARNING)
    from sqlalchemy import select

    from assessor.extensions import db
    from assessor.models import Assessment, User
    from assessor.operations import api_tokens, assessments

    with app.app_context():
        db.drop_all()
        db.create_all()
        assessment_id = seed(app, "consultant@example.com")
        assessment = db.session.get_one(Assessment, assessment_id)
        user = db.session.scalar(select(User).where(User.email == "consultant@example.com"))
        assert user is not None
        respondent = assessments.add_respondent(assessment, user, name="Answering", role="CIO")
        link = assessments.issue_link(respondent, user)
        token, _ = api_tokens.create_token(
            user.memberships[0].workspace, user, name="bench", scope="read"
        )
        clock = DatabaseClock(db.engine)

    web = app.test_client()
    web.post("/signin", data={"email": "consultant@example.com", "password": PASSWORD})
    respondent_client = app.test_client()
    version = {"v": 0}
    values = ("CIO", "CISO")

    def autosave(n: int) -> None:
        response = respondent_client.post(
            f"/r/{link}/autosave",
            json={
                "question": "str_strategy_owner",
                "value": values[n % 2],
                "comment": None,
                "version": version["v"],
            },
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        version["v"] = response.get_json()["version"]

    def page(n: int) -> None:
        assert respondent_client.get(f"/r/{link}/s/strategy").status_code == 200

    def results(n: int) -> None:
        assert web.get(f"/assessments/{assessment_id}/results").status_code == 200

    api = {"Authorization": f"Bearer {token}"}

    def api_results(n: int) -> None:
        response = web.get(f"/api/v1/assessments/{assessment_id}/results", headers=api)
        assert response.status_code == 200

    def healthz(n: int) -> None:
        assert web.get("/healthz").status_code == 200

    print(f"database: {args.database_url.split('@')[-1]}; one process, one thread, in-process")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    count = args.requests
    # The baseline of the same run: the smallest request with a database round trip.
    base = measure("baseline /healthz (SELECT 1)", clock, count, healthz)
    for name, send, n in (
        ("autosave by link", autosave, count),
        ("questionnaire page by link", page, count),
        ("results page (consultant)", results, max(20, count // 6)),
        ("API results", api_results, max(20, count // 6)),
    ):
        figures = measure(name, clock, n, send)
        print(
            f"ratio {name} / baseline per second: {figures['per_second'] / base['per_second']:.3f}"
        )

    render = one_render(app, assessment_id)
    fork = fork_cost()
    per_minute = 60 / (render + fork)
    print(f"one render (best of 3, warm, in process): {render:.2f} s; fork+exit {fork:.4f} s")
    print(f"renders per minute per worker: {per_minute:.0f}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
