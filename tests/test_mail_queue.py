"""E-mail is sent after the request, never during it: a mail server that never answers does
not hold the click; a message whose sender died is sent again by ``assessor mail flush``
(and given up, visibly, after ``MAIL_ATTEMPTS``); with ``ASSESSOR_QUEUE_URL`` a real
``assessor worker`` on a real Redis sends it, sends what was left queued when it starts,
and checks for due reminders on RQ's scheduler."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import Assessment, MailLog, User, utcnow
from assessor.operations import (
    assessments,
    mail_queue,
    notices,
    reminder_checks,
    reminder_schedule,
)
from tests.mail_support import BlackHole, SmtpServer, link, settle
from tests.mail_support import black_hole as black_hole  # noqa: F401  (fixture)
from tests.mail_support import smtp_server as smtp_server  # noqa: F401  (fixture)
from tests.web_support import Page, Stage, in_app, stage

#: A Redis database of these tests' own (RQ has no key prefix; 12 and 13 are other
#: modules'); only it is flushed.
REDIS_URL = "redis://127.0.0.1:6379/10"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_server: SmtpServer) -> dict[str, Any]:
    return {**app_config, **smtp_server.config()}


def _add(app: Flask, staged: Stage, name: str, email: str) -> int:
    with in_app(app):
        assessment = db.session.get_one(Assessment, staged.assessment_id)
        user = db.session.get_one(User, staged.user_id)
        return assessments.add_respondent(assessment, user, name=name, role="CISO", email=email).id


def _mail(app: Flask, **where: Any) -> list[MailLog]:
    with in_app(app):
        rows = db.session.scalars(select(MailLog).filter_by(**where).order_by(MailLog.id)).all()
        db.session.expunge_all()
        return list(rows)


def _row(client: FlaskClient, staged: Stage, name: str) -> str:
    page = Page(client.get(staged.detail))
    return next(t for t in page.texts("table.people tbody tr") if name in t)


# --- the embedded default: a background sender -----------------------------------------------


def test_a_mail_server_that_never_answers_does_not_hold_the_request(
    app: Flask, client: FlaskClient, black_hole: BlackHole
) -> None:
    staged = stage(app, client)
    rid = _add(app, staged, "Sam Ciso", "sam@client.example")
    # Long enough that a send inside the request would still be waiting when it is checked.
    app.config.update(black_hole.config(), MAIL_TIMEOUT=120)

    response = client.post(f"{staged.detail}/respondents/{rid}/email")
    assert response.status_code == 302
    # The request has returned; its message's sender is connected, waiting for a greeting.
    assert black_hole.connected.wait(30)
    [queued] = _mail(app, respondent_id=rid)
    assert (queued.status, queued.attempts) == ("queued", 1)
    assert "being e-mailed" in _row(client, staged, "Sam Ciso")
    # Another click meanwhile is not held either: its message waits behind the first.
    again = app.test_client().post("/signup", data={"email": "new@example.com"})
    assert again.status_code in (200, 422)

    black_hole.release()  # the server hangs up
    settle(app)
    [failed] = _mail(app, respondent_id=rid)
    assert failed.status == "failed" and "could not reach the mail server" in (failed.error or "")
    assert failed.message is None  # the text, and its link, are not kept
    row = _row(client, staged, "Sam Ciso")
    assert "not sent" in row and "could not reach the mail server" in row


def test_a_message_whose_sender_died_is_sent_by_mail_flush(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer, redis_db: str
) -> None:
    staged = stage(app, client)
    rid = _add(app, staged, "Sam Ciso", "sam@client.example")
    with in_app(app):
        pending = _queue_without_sending(app, rid)
        assert mail_queue.claim(pending) is not None  # its sender took it, then died
    runner = app.test_cli_runner()
    early = runner.invoke(args=["mail", "flush"])  # its claim is recent: not touched
    assert early.exit_code == 0 and early.output.startswith("0 queued e-mail(s) sent; 0 failed.")
    assert smtp_server.to("sam@client.example") == []

    with time_machine.travel(utcnow() + timedelta(minutes=6)):  # past MAIL_RETRY_AFTER
        late = runner.invoke(args=["mail", "flush"])
    assert late.exit_code == 0, late.output
    assert late.output.startswith("1 queued e-mail(s) sent; 0 failed.")
    [message] = smtp_server.to("sam@client.example")
    assert link(message, "/r/") is not None
    [row] = _mail(app, id=pending)
    assert (row.status, row.attempts, row.message) == ("sent", 2, None)


def test_a_message_whose_sender_keeps_dying_is_marked_failed(
    app: Flask, client: FlaskClient, redis_db: str
) -> None:
    staged = stage(app, client)
    rid = _add(app, staged, "Sam Ciso", "sam@client.example")
    with in_app(app):
        pending = _queue_without_sending(app, rid)
    start = utcnow()
    for attempt in range(3):  # MAIL_ATTEMPTS: each sender dies after its claim
        with time_machine.travel(start + timedelta(minutes=10 * attempt)), in_app(app):
            assert mail_queue.claim(pending) is not None
    with time_machine.travel(start + timedelta(minutes=40)):
        result = app.test_cli_runner().invoke(args=["mail", "flush"])
    assert result.exit_code == 1
    assert "not sent: invitation to sam@client.example: not sent: the sending process" in (
        result.output
    )
    [row] = _mail(app, id=pending)
    assert row.status == "failed" and row.message is None
    assert "not sent" in _row(client, staged, "Sam Ciso")


def _queue_without_sending(app: Flask, respondent_id: int) -> int:
    """A message logged as queued whose sender never ran: the queue it was handed to is a
    Redis nobody reads (and the fallback, a Redis that is down, is not taken)."""
    from redis import Redis

    respondent = db.session.get_one(assessments.Respondent, respondent_id)
    user = db.session.get(User, respondent.assessment.organization.workspace.memberships[0].user_id)
    app.config["QUEUE_URL"] = REDIS_URL
    try:
        log = notices.email_invitation(respondent, user)
    finally:
        app.config["QUEUE_URL"] = None
        Redis.from_url(REDIS_URL).flushdb()  # the job is lost with its queue
    assert log.status == "queued"
    return log.id


# --- with ASSESSOR_QUEUE_URL: a real worker on a real Redis ------------------------------------


@pytest.fixture
def redis_db() -> Iterator[str]:
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.ConnectionError:
        pytest.fail("these tests need Redis on 127.0.0.1:6379")
    connection.flushdb()
    yield REDIS_URL
    connection.flushdb()


def _burst(app: Flask, **settings: str) -> str:
    """Run ``assessor worker --burst`` (with its scheduler) until the queues are empty."""
    env = {
        **os.environ,
        "ASSESSOR_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "ASSESSOR_SECRET_KEY": app.config["SECRET_KEY"],
        "ASSESSOR_QUEUE_URL": REDIS_URL,
        "ASSESSOR_MAIL_SERVER": app.config["MAIL_SERVER"],
        "ASSESSOR_MAIL_PORT": str(app.config["MAIL_PORT"]),
        "ASSESSOR_MAIL_TLS": "none",
        "ASSESSOR_MAIL_SENDER": app.config["MAIL_SENDER"],
        **{f"ASSESSOR_{key}": value for key, value in settings.items()},
    }
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "assessor"), "worker", "--burst"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = worker.communicate(timeout=300)
    assert worker.returncode == 0, err
    return err


def _mail_queue_length() -> int:
    from redis import Redis
    from rq import Queue

    return int(Queue(mail_queue.RQ_QUEUE, connection=Redis.from_url(REDIS_URL)).count)


class TestQueue:
    @pytest.fixture(autouse=True)
    def _redis(self, redis_db: str) -> None:
        """Every test here uses the Redis database of its own."""

    def test_a_worker_sends_what_a_request_queued(
        self, app: Flask, client: FlaskClient, smtp_server: SmtpServer
    ) -> None:
        staged = stage(app, client)
        rid = _add(app, staged, "Sam Ciso", "sam@client.example")
        app.config["QUEUE_URL"] = REDIS_URL

        assert client.post(f"{staged.detail}/respondents/{rid}/email").status_code == 302
        settle(app)  # nothing was handed to this process's sender: the queue has it
        [queued] = _mail(app, respondent_id=rid)
        assert (queued.status, queued.attempts) == ("queued", 0)
        assert smtp_server.to("sam@client.example") == []
        assert _mail_queue_length() == 1

        err = _burst(app)
        [sent] = _mail(app, respondent_id=rid)
        assert sent.status == "sent", err
        assert (sent.status, sent.attempts, sent.message) == ("sent", 1, None)
        [message] = smtp_server.to("sam@client.example")
        path = link(message, "/r/")
        assert path is not None and app.test_client().get(path).status_code == 302
        assert "e-mailed" in _row(client, staged, "Sam Ciso")

    def test_a_worker_sends_at_start_what_was_left_queued(
        self, app: Flask, client: FlaskClient, smtp_server: SmtpServer
    ) -> None:
        staged = stage(app, client)
        rid = _add(app, staged, "Sam Ciso", "sam@client.example")
        with in_app(app):
            pending = _queue_without_sending(app, rid)
        assert _mail_queue_length() == 0

        _burst(app, MAIL_RETRY_AFTER="0")
        [row] = _mail(app, id=pending)
        assert (row.status, row.attempts) == ("sent", 1)
        assert len(smtp_server.to("sam@client.example")) == 1

    def test_the_worker_s_scheduler_sends_due_reminders_and_plans_the_next_check(
        self, app: Flask, client: FlaskClient, smtp_server: SmtpServer
    ) -> None:
        with time_machine.travel(utcnow() - timedelta(days=3)):
            staged = stage(app, client)
            rid = _add(app, staged, "Wes Waiting", "wes@client.example")
            assert client.post(f"{staged.detail}/respondents/{rid}/email").status_code == 302
            settle(app)
            assert client.post(f"{staged.detail}/reminders", data={"days": "2"}).status_code == 302
        app.config["QUEUE_URL"] = REDIS_URL
        with in_app(app):
            reminder_checks.schedule(at=utcnow())  # a check that is due now

        _burst(app)
        kinds = [m.kind for m in _mail(app, respondent_id=rid)]
        assert kinds == ["invitation", "reminder"]
        reminder = smtp_server.to("wes@client.example")[-1]
        assert reminder["Subject"].startswith("Reminder:")
        with in_app(app):
            assert db.session.get_one(Assessment, staged.assessment_id).reminded_at is not None
            # The check noted that it ran: the assessment page knows reminders are sent.
            assert reminder_schedule.last_check() is not None
            from redis import Redis
            from rq.registry import ScheduledJobRegistry

            queue = mail_queue._rq_queue(Redis.from_url(REDIS_URL))
            planned = ScheduledJobRegistry(queue=queue).get_job_ids()
            assert planned == [reminder_checks.schedule()]  # the next one, once
        # A second run (cron, or a check at the same time) reminds nobody again.
        with in_app(app):
            again = notices.send_due_reminders()
            assert (again.assessments, again.sent, again.queued) == (0, 0, 0)
