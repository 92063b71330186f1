"""E-mail about assessments, through a real SMTP server on localhost: a respondent's link
by e-mail and the answers it lets them give, reminders (on a click and on a schedule),
the note to the consultants when a respondent submits, and failed sends shown to them."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import AuditEvent, MailLog, Respondent, utcnow
from assessor.operations import assessments
from tests.mail_support import REFUSED_DOMAIN, SmtpServer, body, last_to, link, outbox, settle
from tests.mail_support import smtp_server as smtp_server  # noqa: F401  (fixture)
from tests.web_support import (
    PASSWORD,
    Page,
    Stage,
    complete_answers,
    in_app,
    invite,
    questionnaire,
    save_answers,
    stage,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_server: SmtpServer) -> dict[str, Any]:
    return {**app_config, **smtp_server.config()}


def _add(app: Flask, staged: Stage, name: str, email: str | None, role: str = "CISO") -> int:
    with in_app(app):
        assessment = db.session.get_one(assessments.Assessment, staged.assessment_id)
        user = db.session.get_one(assessments.User, staged.user_id)
        return assessments.add_respondent(assessment, user, name=name, role=role, email=email).id


def _email_link(client: FlaskClient, staged: Stage, respondent_id: int) -> Any:
    return client.post(f"{staged.detail}/respondents/{respondent_id}/email")


def _row(page: Page, name: str) -> str:
    return next(t for t in page.texts("table.people tbody tr") if name in t)


def test_emailed_invitation_link_lets_the_respondent_answer(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    staged = stage(app, client)
    rid = _add(app, staged, "Sam Ciso", "sam@client.example")

    assert _email_link(client, staged, rid).status_code == 302
    message = last_to(app, "sam@client.example")
    assert "Olive Owner asks you" in message["Subject"]
    assert message["From"] == "Assessor <assessor@example.com>"
    path = link(message, "/r/")
    assert path is not None

    respondent = app.test_client()
    assert respondent.get(path).status_code == 302
    saved = respondent.post(
        f"{path}/autosave", json={"question": "str_strategy_owner", "value": "CISO", "version": 0}
    )
    assert saved.status_code == 200
    with in_app(app):
        answers = db.session.get_one(Respondent, rid).answers
        assert [(a.question_id, a.value) for a in answers] == [("str_strategy_owner", "CISO")]
    row = _row(Page(client.get(staged.detail)), "Sam Ciso")
    assert "invitation e-mailed" in row


def test_a_refused_recipient_is_shown_beside_the_respondent(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    staged = stage(app, client)
    rid = _add(app, staged, "Bo Bounce", f"bo@{REFUSED_DOMAIN}")

    response = client.post(f"{staged.detail}/respondents/{rid}/email", follow_redirects=True)
    page = Page(response)
    # The request returns before the server answers; the page says so, and how it went.
    assert any("E-mailing bo@" in t for t in page.texts(".flash.success"))
    settle(app)
    row = _row(Page(client.get(staged.detail)), "Bo Bounce")
    assert "not sent" in row and "550 5.1.1 No such mailbox here" in row
    with in_app(app):
        log = db.session.scalars(select(MailLog).where(MailLog.respondent_id == rid)).one()
        assert (log.status, log.kind) == ("failed", "invitation")
        failed = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "mail-failed")
        ).one()
        assert "550" in failed.detail["error"]


def test_an_unreachable_mail_server_is_shown_too(app: Flask, client: FlaskClient) -> None:
    staged = stage(app, client)
    rid = _add(app, staged, "Sam Ciso", "sam@client.example")
    app.config["MAIL_PORT"] = 1  # nothing listens there
    _email_link(client, staged, rid)
    settle(app)
    row = _row(Page(client.get(staged.detail)), "Sam Ciso")
    assert "not sent" in row and "could not reach the mail server" in row


def test_a_respondent_without_an_address_gets_no_button_and_a_clear_refusal(
    app: Flask, client: FlaskClient
) -> None:
    staged = stage(app, client)
    page = Page(client.get(staged.detail))
    assert "Send link by e-mail" not in _row(page, "Carla CIO")
    refused = Page(
        _email_link(client, staged, staged.respondent_id).request and client.get(staged.detail)
    )
    assert any("has no e-mail address" in t for t in refused.texts(".flash.error"))


def test_reminder_on_click_goes_to_those_who_have_not_submitted(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    staged = stage(app, client)
    waiting = _add(app, staged, "Wes Waiting", "wes@client.example")
    done = _add(app, staged, "Dee Done", "dee@client.example", role="CEO")
    for rid in (waiting, done):
        _email_link(client, staged, rid)
    old = link(last_to(app, "wes@client.example"), "/r/")
    save_answers(app, done, complete_answers(questionnaire(app)))
    done_link = link(last_to(app, "dee@client.example"), "/r/")
    assert app.test_client().post(f"{done_link}/submit").status_code == 200
    settle(app)  # the note to the consultant about the submission
    sent_before = len(smtp_server.messages)

    assert client.post(f"{staged.detail}/reminders/send").status_code == 302
    settle(app)
    reminders = smtp_server.messages[sent_before:]
    assert [m["To"] for m in reminders] == ["wes@client.example"]
    # The reminder carries the link Wes already holds: it keeps working (the Decision:
    # links stay usable until they expire or are revoked).
    assert link(reminders[0], "/r/") == old
    assert app.test_client().get(old).status_code == 302


def test_the_consultants_hear_when_a_respondent_submits(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    staged = stage(app, client)
    rid = _add(app, staged, "Dee Done", "dee@client.example")
    _email_link(client, staged, rid)
    save_answers(app, rid, complete_answers(questionnaire(app)))
    path = link(last_to(app, "dee@client.example"), "/r/")
    assert app.test_client().post(f"{path}/submit").status_code == 200

    note = last_to(app, "olive@example.com")
    assert note["Subject"] == "Dee Done (CISO) submitted their answers for Contoso Health"
    assert "Still to answer: Carla CIO." in body(note)
    assert link(note, staged.detail) == staged.detail


def test_the_note_names_the_role_in_words(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    staged = stage(app, client)
    rid = _add(app, staged, "Dee Done", "dee@client.example", role="CIO_CISO")
    _email_link(client, staged, rid)
    save_answers(app, rid, complete_answers(questionnaire(app)))
    path = link(last_to(app, "dee@client.example"), "/r/")
    assert app.test_client().post(f"{path}/submit").status_code == 200

    note = last_to(app, "olive@example.com")
    assert note["Subject"] == "Dee Done (CIO and CISO) submitted their answers for Contoso Health"
    assert "Dee Done (CIO and CISO) submitted their answers" in body(note)


def test_nobody_is_told_of_their_own_submission(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    """The consultant who answers for a respondent and submits is not mailed about it; the
    workspace's other consultant is."""
    staged = stage(app, client)
    token = invite(app, "olive@example.com", "cole@example.com", "consultant")
    colleague = app.test_client()
    joined = colleague.post(
        f"/join/{token}", data={"name": "Cole Consultant", "password": PASSWORD}
    )
    assert joined.status_code == 302
    save_answers(app, staged.respondent_id, complete_answers(questionnaire(app)))

    assert client.post(f"{staged.answer_url()}/submit").status_code == 200
    with in_app(app):
        assert db.session.get_one(Respondent, staged.respondent_id).submitted_at is not None
    settle(app)
    assert [m["Subject"] for m in smtp_server.to("cole@example.com")] == [
        "Carla CIO (CIO) submitted their answers for Contoso Health"
    ]
    assert not [m for m in smtp_server.to("olive@example.com") if "submitted" in m["Subject"]]


def test_remind_now_says_why_nobody_is_reminded(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    staged = stage(app, client)  # Carla CIO: no address
    _add(app, staged, "Wes Waiting", "wes@client.example")  # no link sent yet

    def flashed() -> list[str]:
        response = client.post(f"{staged.detail}/reminders/send", follow_redirects=True)
        return Page(response).texts(".flash")

    assert flashed() == [
        "Nobody to remind: Wes Waiting has no link yet: send them one first; "
        "Carla CIO has no e-mail address."
    ]
    with in_app(app):
        for respondent in db.session.scalars(select(Respondent)):
            respondent.submitted_at = utcnow()
        db.session.commit()
    assert flashed() == ["Nobody to remind: everyone has submitted."]
    assert smtp_server.to("wes@client.example") == []


def test_scheduled_reminders_are_sent_by_the_cron_command(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    staged = stage(app, client)
    rid = _add(app, staged, "Wes Waiting", "wes@client.example")
    _email_link(client, staged, rid)
    bad = Page(client.post(f"{staged.detail}/reminders", data={"days": "0"}, follow_redirects=True))
    assert any("between 1 and 365" in t for t in bad.texts(".flash.error"))
    assert client.post(f"{staged.detail}/reminders", data={"days": "3"}).status_code == 302
    runner = app.test_cli_runner()

    first = runner.invoke(args=["reminders", "send"])
    assert first.exit_code == 0 and first.output.startswith("0 reminder(s) sent")
    with time_machine.travel(utcnow() + timedelta(days=3, minutes=1)):
        due = runner.invoke(args=["reminders", "send"])
        assert due.exit_code == 0, due.output
        assert due.output.startswith(
            "1 reminder(s) sent for 1 assessment(s), 0 to owners of overdue actions; 0 failed."
        )
        again = runner.invoke(args=["reminders", "send"])
        assert again.output.startswith("0 reminder(s) sent")
    reminder = last_to(app, "wes@client.example")
    assert reminder["Subject"].startswith("Reminder:")
    path = link(reminder, "/r/")
    assert path is not None and path.startswith("/r/")
    assert "http://127.0.0.1:5000/r/" in body(reminder)  # BASE_URL outside a request
    assert app.test_client().get(path).status_code == 302


def test_the_cron_command_fails_loudly_when_a_reminder_is_not_sent(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    staged = stage(app, client)
    rid = _add(app, staged, "Bo Bounce", f"bo@{REFUSED_DOMAIN}")
    _email_link(client, staged, rid)
    client.post(f"{staged.detail}/reminders", data={"days": "1"})
    with time_machine.travel(utcnow() + timedelta(days=2)):
        result = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 1
    assert f"bo@{REFUSED_DOMAIN}: refused by the mail server: 550" in result.output


def test_without_a_server_mail_goes_to_the_outbox(app: Flask, client: FlaskClient) -> None:
    app.config["MAIL_SERVER"] = None
    staged = stage(app, client)
    rid = _add(app, staged, "Sam Ciso", "sam@client.example")
    _email_link(client, staged, rid)
    (message,) = outbox(app, "sam@client.example")
    assert link(message, "/r/")
    assert Path(app.config["MAIL_OUTBOX"]).is_dir()
    where = app.test_cli_runner().invoke(args=["mail", "where"]).output
    assert str(app.config["MAIL_OUTBOX"]) in where and ".eml" in where
    assert f"Links in e-mails start with {app.config['BASE_URL']}" in where


def test_names_cannot_add_headers_to_an_email(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    """A line break in a name that goes into a subject is folded into the line."""
    staged = stage(app, client, organization="Contoso\r\nBcc: thief@evil.example")
    rid = _add(app, staged, "Sam Ciso", "sam@client.example")
    _email_link(client, staged, rid)
    settle(app)
    # Every message went to its one addressee: nobody else is in any envelope.
    recipients = {to for envelope in smtp_server.envelopes for to in envelope.rcpt_tos}
    assert recipients == {"olive@example.com", "sam@client.example"}
    message = last_to(app, "sam@client.example")
    assert message["Bcc"] is None
    assert message["Subject"].endswith("for Contoso Bcc: thief@evil[.]example")


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_says_where_email_goes() -> None:
    commands = subprocess.run(
        ["make", "-n", "-B", "run"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert ".venv/bin/assessor mail where" in commands
    assert commands.index(".venv/bin/assessor mail where") < len(commands) - 2
