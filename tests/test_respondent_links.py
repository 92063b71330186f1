"""A respondent's personal link stays usable until it expires or is revoked (the issue's
Decision), through a real SMTP server on localhost: reminders, clicked or scheduled,
carry the link the respondent holds and never end it (nor does a failed send); the
consultant copies the working link from the assessment page in one click; the schedule
counts from each respondent's last contact, and the page says when the next reminder is
due and when no check is sending them; an organisation's "Invite your CISO" e-mails the
invitation."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import Assessment, MailLog, Respondent, User, utcnow
from assessor.operations import assessments, reminder_claims, reminder_schedule
from tests.mail_support import SmtpServer, body, last_to, link, settle
from tests.mail_support import smtp_server as smtp_server  # noqa: F401  (fixture)
from tests.web_support import (
    PASSWORD,
    Page,
    Stage,
    in_app,
    invite,
    issue_link,
    sign_in,
    sign_up,
    stage,
)

AUTOSAVE = {"question": "str_strategy_owner", "value": "CISO", "version": 0}


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_server: SmtpServer) -> dict[str, Any]:
    return {**app_config, **smtp_server.config()}


def _add(app: Flask, staged: Stage, name: str, email: str | None, role: str = "CISO") -> int:
    with in_app(app):
        assessment = db.session.get_one(Assessment, staged.assessment_id)
        user = db.session.get_one(User, staged.user_id)
        return assessments.add_respondent(assessment, user, name=name, role=role, email=email).id


def _email(app: Flask, client: FlaskClient, staged: Stage, rid: int, to: str) -> str:
    """E-mail the respondent their link; the link's path as the e-mail gives it."""
    assert client.post(f"{staged.detail}/respondents/{rid}/email").status_code == 302
    path = link(last_to(app, to), "/r/")
    assert path is not None
    return path


def _row(page: Page, name: str) -> str:
    return next(t for t in page.texts("table.people tbody tr") if name in t)


def _respondent(app: Flask, rid: int) -> Respondent:
    with in_app(app):
        found = db.session.get_one(Respondent, rid)
        db.session.expunge(found)
        return found


def _contacted(app: Flask, rid: int) -> datetime:
    contacted = _respondent(app, rid).contacted_at
    assert contacted is not None
    return contacted


def _opens(app: Flask, path: str) -> bool:
    return app.test_client().get(path).status_code == 302


# --- reminders keep the link ------------------------------------------------------------


def test_a_reminder_sends_the_link_the_respondent_holds_and_extends_it(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    staged = stage(app, client)
    rid = _add(app, staged, "Wes Waiting", "wes@client.example")
    invited = _email(app, client, staged, rid, "wes@client.example")
    answering = app.test_client()
    assert answering.post(f"{invited}/autosave", json=AUTOSAVE).status_code == 200
    before = _respondent(app, rid)

    with time_machine.travel(utcnow() + timedelta(days=20)):
        sign_in(client, "olive@example.com")  # the session of 20 days ago has ended
        reminded = client.post(f"{staged.detail}/reminders/send", follow_redirects=True)
        assert any("wes@client.example" in t for t in Page(reminded).texts(".flash.success"))
        reminder = last_to(app, "wes@client.example")
        assert reminder["Subject"].startswith("Reminder:")
        assert link(reminder, "/r/") == invited  # the same link, not a fresh one
        # The respondent carries on where they were: their next save is accepted.
        again = {**AUTOSAVE, "value": "CIO", "version": 1}
        assert answering.post(f"{invited}/autosave", json=again).status_code == 200
        after = _respondent(app, rid)
        assert after.token_hash == before.token_hash
        # ... and it now works for INVITE_DAYS from the reminder, as the e-mail says.
        assert after.token_expires_at is not None and before.token_expires_at is not None
        assert after.token_expires_at - before.token_expires_at >= timedelta(days=19)
        assert after.token_expires_at.strftime("%d %B %Y") in body(reminder)
    with time_machine.travel(utcnow() + timedelta(days=40)):
        assert _opens(app, invited)  # past the first expiry, within the extended one


def test_a_scheduled_reminder_mid_session_keeps_the_respondents_saves_working(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    staged = stage(app, client)
    rid = _add(app, staged, "Wes Waiting", "wes@client.example")
    invited = _email(app, client, staged, rid, "wes@client.example")
    answering = app.test_client()
    assert answering.post(f"{invited}/autosave", json=AUTOSAVE).status_code == 200
    assert client.post(f"{staged.detail}/reminders", data={"days": "1"}).status_code == 302

    with time_machine.travel(utcnow() + timedelta(days=1, minutes=5)):
        cron = app.test_cli_runner().invoke(args=["reminders", "send"])
        assert cron.output.startswith("1 reminder(s) sent"), cron.output
        assert link(last_to(app, "wes@client.example"), "/r/") == invited
        again = {**AUTOSAVE, "value": "CIO", "version": 1}
        assert answering.post(f"{invited}/autosave", json=again).status_code == 200


def test_a_reminder_that_fails_leaves_the_working_link_alone(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    staged = stage(app, client)
    rid = _add(app, staged, "Wes Waiting", "wes@client.example")
    invited = _email(app, client, staged, rid, "wes@client.example")
    app.config["MAIL_PORT"] = 1  # the mail server is down when the reminder goes

    assert client.post(f"{staged.detail}/reminders/send").status_code == 302
    settle(app)
    with in_app(app):
        kinds = db.session.execute(
            select(MailLog.kind, MailLog.status).where(MailLog.respondent_id == rid)
        ).all()
        assert [tuple(k) for k in kinds] == [("invitation", "sent"), ("reminder", "failed")]
    assert _opens(app, invited)  # the link Wes holds still opens
    row = _row(Page(client.get(staged.detail)), "Wes Waiting")
    assert "active until" in row and "not sent" in row


def test_new_link_and_revoke_end_a_link(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    staged = stage(app, client)
    rid = _add(app, staged, "Wes Waiting", "wes@client.example")
    invited = _email(app, client, staged, rid, "wes@client.example")

    page = Page(client.post(f"{staged.detail}/respondents/{rid}/link"))
    assert "You can copy it again from the assessment page" in page.text
    assert "shown only now" not in page.text
    fresh = "/r/" + (page.value("#link") or "").split("/r/")[1]
    assert not _opens(app, invited)  # "New link" ends the old one
    assert _opens(app, fresh)
    assert client.post(f"{staged.detail}/respondents/{rid}/revoke").status_code == 302
    assert not _opens(app, fresh)


def test_a_revoked_link_is_not_reminded_and_that_is_said(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    staged = stage(app, client)
    waiting = _add(app, staged, "Wes Waiting", "wes@client.example")
    revoked = _add(app, staged, "Rae Revoked", "rae@client.example", role="CEO")
    _email(app, client, staged, waiting, "wes@client.example")
    _email(app, client, staged, revoked, "rae@client.example")
    assert client.post(f"{staged.detail}/respondents/{revoked}/revoke").status_code == 302
    sent_before = len(smtp_server.messages)

    page = Page(client.post(f"{staged.detail}/reminders/send", follow_redirects=True))
    settle(app)
    assert [m["To"] for m in smtp_server.messages[sent_before:]] == ["wes@client.example"]
    assert any(
        "Rae Revoked was not reminded: their link is revoked" in t for t in page.texts(".flash")
    )

    assert client.post(f"{staged.detail}/reminders", data={"days": "2"}).status_code == 302
    with time_machine.travel(utcnow() + timedelta(days=2, minutes=1)):
        cron = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert cron.exit_code == 0, cron.output
    assert cron.output.startswith("1 reminder(s) sent")
    assert (
        f"not reminded: assessment {staged.assessment_id}, Rae Revoked: their link is revoked"
        in cron.output
    )
    assert [m["To"] for m in smtp_server.messages[sent_before:]] == ["wes@client.example"] * 2


def test_an_expired_link_is_replaced_by_the_reminder(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    staged = stage(app, client)
    rid = _add(app, staged, "Wes Waiting", "wes@client.example")
    invited = _email(app, client, staged, rid, "wes@client.example")
    with time_machine.travel(utcnow() + timedelta(days=31)):
        sign_in(client, "olive@example.com")
        assert "expired" in _row(Page(client.get(staged.detail)), "Wes Waiting")
        assert not _opens(app, invited)
        client.post(f"{staged.detail}/reminders/send")
        fresh = link(last_to(app, "wes@client.example"), "/r/")
        assert fresh is not None and fresh != invited
        assert _opens(app, fresh)  # a reminder must carry a working link


def test_a_link_that_cannot_be_derived_again_is_replaced_when_e_mailed(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    """A link made before links were derived (no salt): it works, the page says it can't
    be shown again and offers "New link"; a reminder sends a new one."""
    staged = stage(app, client)
    rid = _add(app, staged, "Wes Waiting", "wes@client.example")
    invited = _email(app, client, staged, rid, "wes@client.example")
    with in_app(app):
        db.session.get_one(Respondent, rid).link_salt = None
        db.session.commit()
    assert _opens(app, invited)
    page = Page(client.get(staged.detail))
    row = _row(page, "Wes Waiting")
    assert "can't be shown again" in row and "New link" in row
    assert not page.all(f"#link-{rid}")

    client.post(f"{staged.detail}/reminders/send")
    fresh = link(last_to(app, "wes@client.example"), "/r/")
    assert fresh is not None and fresh != invited and _opens(app, fresh)
    assert not _opens(app, invited)


def test_after_the_secret_key_changes_a_scheduled_reminder_sends_a_new_link(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    staged = stage(app, client)
    rid = _add(app, staged, "Wes Waiting", "wes@client.example")
    invited = _email(app, client, staged, rid, "wes@client.example")
    assert client.post(f"{staged.detail}/reminders", data={"days": "3"}).status_code == 302
    app.config["SECRET_KEY"] = "another-secret-key-not-for-production"
    assert _opens(app, invited)  # looked up by its hash: it still works

    with time_machine.travel(utcnow() + timedelta(days=3, minutes=1)):
        cron = app.test_cli_runner().invoke(args=["reminders", "send"])
        assert cron.exit_code == 0, cron.output
        fresh = link(last_to(app, "wes@client.example"), "/r/")
        assert fresh is not None and fresh != invited
        assert _opens(app, fresh)


def test_two_runs_at_once_remind_a_respondent_once(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    """Cron and the queue's check (or two of either) read the same due respondent: the
    run whose compare-and-set of ``contacted_at`` comes first takes the reminder."""
    staged = stage(app, client)
    rid = _add(app, staged, "Wes Waiting", "wes@client.example")
    _email(app, client, staged, rid, "wes@client.example")
    with app.app_context():
        first = db.session.get_one(Respondent, rid)
        read = first.contacted_at  # this run has read the respondent as due
        now = utcnow()
        with app.app_context():  # another run, its own session and connection
            second = db.session.get_one(Respondent, rid)
            assert reminder_claims.claim_contact(second, now)
            db.session.remove()
        assert first.contacted_at == read
        assert not reminder_claims.claim_contact(first, now)
        db.session.remove()


# --- copy a link in one click -----------------------------------------------------------


def test_each_row_offers_its_working_link_to_copy_without_making_a_new_one(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    staged = stage(app, client)
    rid = _add(app, staged, "Wes Waiting", "wes@client.example")
    invited = _email(app, client, staged, rid, "wes@client.example")
    before = _respondent(app, rid)

    page = Page(client.get(staged.detail))
    shown = page.value(f"#link-{rid}") or ""
    assert shown.endswith(invited)  # the very link that was e-mailed
    button = page.one(f'button[data-copy="link-{rid}"]').etree_element
    assert button.get("type") == "button" and "".join(button.itertext()) == "Copy link"
    assert [s.etree_element.get("src") for s in page.all("script")] == ["/static/copy.js"]
    assert "script-src 'self'" in (page.response.headers.get("Content-Security-Policy") or "")
    assert page.accessibility_problems() == []
    # Showing it changed nothing: the e-mailed link still opens, nothing new was issued.
    assert _respondent(app, rid).token_hash == before.token_hash
    assert _opens(app, invited)
    # A respondent without a link has nothing to copy.
    assert not page.all(f"#link-{staged.respondent_id}")


def test_a_viewer_sees_no_link(app: Flask, client: FlaskClient, smtp_server: SmtpServer) -> None:
    staged = stage(app, client)
    rid = _add(app, staged, "Wes Waiting", "wes@client.example")
    invited = _email(app, client, staged, rid, "wes@client.example")
    token = invite(app, "olive@example.com", "vic@example.com", "viewer")
    viewer = app.test_client()
    joined = viewer.post(f"/join/{token}", data={"name": "Vic Viewer", "password": PASSWORD})
    assert joined.status_code == 302

    page = Page(viewer.get(staged.detail))
    assert page.response.status_code == 200
    assert "active until" in _row(page, "Wes Waiting")
    assert invited.split("/r/")[1] not in page.html
    assert "/r/" not in page.html and not page.all("button[data-copy]")


def test_an_unverified_user_sees_no_link(app: Flask, client: FlaskClient) -> None:
    """Making and copying links waits for a confirmed address, as inviting does."""
    sign_up(
        client, "ivy@northwind.example", name="Ivy", workspace="Northwind", kind="own", verify=False
    )
    assert sign_in(client, "ivy@northwind.example").status_code == 302
    started = client.post("/welcome", data={"organization": "Northwind", "role": "CIO"})
    assert started.status_code == 302
    with in_app(app):
        assessment = db.session.scalars(select(Assessment)).one()
        user = db.session.scalars(select(User)).one()
        peer = assessments.add_respondent(
            assessment, user, name="Cass Ciso", role="CISO", email="cass@northwind.example"
        )
        token = assessments.issue_link(peer, user)
        detail = f"/assessments/{assessment.id}"
    page = Page(client.get(detail))
    assert token not in page.html and not page.all("button[data-copy]")


# --- the schedule's clock ---------------------------------------------------------------


def test_a_schedule_counts_from_each_respondents_last_contact(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    """An assessment started 10 days ago, its invitation e-mailed today, a schedule of
    every 7 days saved today: the next check reminds nobody; 7 days on, it does."""
    staged = stage(app, client)
    with in_app(app):
        assessment = db.session.get_one(Assessment, staged.assessment_id)
        assessment.created_at = utcnow() - timedelta(days=10)
        db.session.commit()
    rid = _add(app, staged, "Wes Waiting", "wes@client.example")
    invited = _email(app, client, staged, rid, "wes@client.example")
    assert client.post(f"{staged.detail}/reminders", data={"days": "7"}).status_code == 302
    due = _contacted(app, rid) + timedelta(days=7)
    page = Page(client.get(staged.detail))
    assert page.texts("#next-reminder") == [f"Next reminder: {due:%Y-%m-%d}."]

    runner = app.test_cli_runner()
    assert runner.invoke(args=["reminders", "send"]).output.startswith("0 reminder(s) sent")
    assert [m["Subject"].startswith("Reminder:") for m in smtp_server.to("wes@client.example")] == [
        False
    ]
    with time_machine.travel(utcnow() + timedelta(days=7, minutes=1)):
        sent = runner.invoke(args=["reminders", "send"])
        assert sent.output.startswith("1 reminder(s) sent for 1 assessment(s)"), sent.output
        assert link(last_to(app, "wes@client.example"), "/r/") == invited
        sign_in(client, "olive@example.com")
        following = _contacted(app, rid) + timedelta(days=7)
        assert following > due
        page = Page(client.get(staged.detail))
        assert page.texts("#next-reminder") == [f"Next reminder: {following:%Y-%m-%d}."]


def test_a_respondent_invited_later_is_reminded_on_their_own_clock(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    staged = stage(app, client)
    early = _add(app, staged, "Ed Early", "ed@client.example")
    late = _add(app, staged, "Lu Late", "lu@client.example", role="CEO")
    _email(app, client, staged, early, "ed@client.example")
    assert client.post(f"{staged.detail}/reminders", data={"days": "3"}).status_code == 302
    with time_machine.travel(utcnow() + timedelta(days=2)):
        sign_in(client, "olive@example.com")
        _email(app, client, staged, late, "lu@client.example")
    sent_before = len(smtp_server.messages)
    runner = app.test_cli_runner()
    with time_machine.travel(utcnow() + timedelta(days=3, minutes=1)):
        assert runner.invoke(args=["reminders", "send"]).output.startswith("1 reminder(s)")
    with time_machine.travel(utcnow() + timedelta(days=5, minutes=1)):
        assert runner.invoke(args=["reminders", "send"]).output.startswith("1 reminder(s)")
    assert [m["To"] for m in smtp_server.messages[sent_before:]] == [
        "ed@client.example",
        "lu@client.example",
    ]


# --- when nothing sends the scheduled reminders -----------------------------------------


def test_the_page_warns_when_no_check_sends_the_scheduled_reminders(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    staged = stage(app, client)
    rid = _add(app, staged, "Wes Waiting", "wes@client.example")
    _email(app, client, staged, rid, "wes@client.example")
    assert client.post(f"{staged.detail}/reminders", data={"days": "1"}).status_code == 302
    page = Page(client.get(staged.detail))
    assert "No check for due reminders has run on this server yet" in page.text
    assert not page.all("#reminders-stalled")

    with time_machine.travel(utcnow() + timedelta(days=2)):
        sign_in(client, "olive@example.com")
        (warning,) = Page(client.get(staged.detail)).texts("#reminders-stalled")
        assert warning.startswith("Scheduled reminders are not being sent:")
        assert "assessor reminders send (cron) or assessor worker is not running" in warning
        cron = app.test_cli_runner().invoke(args=["reminders", "send"])
        assert cron.output.startswith("1 reminder(s) sent")
        page = Page(client.get(staged.detail))
        assert not page.all("#reminders-stalled") and not page.all("#reminders-unchecked")
    with in_app(app):
        assert reminder_schedule.last_check() is not None
    # A check that ran once, then stopped: the next due reminder passes with no check.
    with time_machine.travel(utcnow() + timedelta(days=4)):
        sign_in(client, "olive@example.com")
        (warning,) = Page(client.get(staged.detail)).texts("#reminders-stalled")
        assert "no check for due reminders has run since" in warning


def test_without_a_schedule_nothing_is_said_of_checks(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    staged = stage(app, client)
    page = Page(client.get(staged.detail))
    assert not page.all("#next-reminder") and not page.all("#reminders-unchecked")


# --- "Invite your CISO" e-mails the invitation ------------------------------------------


def _own_assessment(app: Flask, client: FlaskClient, *, verify: bool) -> str:
    signed_up = sign_up(
        client,
        "ivy@northwind.example",
        name="Ivy Leader",
        workspace="Northwind Health",
        kind="own",
        verify=verify,
    )
    if not verify:
        assert signed_up.status_code == 200
        assert sign_in(client, "ivy@northwind.example").status_code == 302
    started = client.post("/welcome", data={"organization": "Northwind Health", "role": "CIO"})
    assert started.status_code == 302
    with in_app(app):
        return f"/assessments/{db.session.scalars(select(Assessment.id)).one()}"


def test_invite_your_ciso_e_mails_the_invitation(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    detail = _own_assessment(app, client, verify=True)
    invited = client.post(
        f"{detail}/respondents",
        data={"name": "Cass Ciso", "role": "CISO", "email": "cass@northwind.example"},
        follow_redirects=True,
    )
    flashes = Page(invited).texts(".flash.success")
    assert any(t.startswith("Invitation e-mailed to cass@northwind.example") for t in flashes)
    message = last_to(app, "cass@northwind.example")
    assert "Ivy Leader asks you" in message["Subject"]
    path = link(message, "/r/")
    assert path is not None and _opens(app, path)
    page = Page(client.get(detail))
    assert "invitation e-mailed" in _row(page, "Cass Ciso")
    assert "consultant" not in page.text.lower()


def test_invite_your_ciso_before_confirming_adds_them_and_says_to_confirm(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    detail = _own_assessment(app, client, verify=False)
    sent_before = len(smtp_server.messages)
    added = client.post(
        f"{detail}/respondents",
        data={"name": "Cass Ciso", "role": "CISO", "email": "cass@northwind.example"},
        follow_redirects=True,
    )
    settle(app)
    assert [m["To"] for m in smtp_server.messages[sent_before:]] == []
    (said,) = [t for t in Page(added).texts(".flash") if "Cass Ciso" in t]
    assert "Confirm your own e-mail address first" in said and "Send link by e-mail" in said
    with in_app(app):
        peer = db.session.scalars(select(Respondent).where(Respondent.name == "Cass Ciso")).one()
        assert peer.email == "cass@northwind.example" and peer.token_hash is None


def test_a_link_that_no_longer_works_says_what_to_do(app: Flask, client: FlaskClient) -> None:
    """A respondent whose link was replaced (or revoked, or expired) reads why a link ends
    and to ask for a new one, on the page and beside an autosave; the words are the same
    for a link that never existed, so they tell a guesser nothing."""
    staged = stage(app, client)
    old = issue_link(app, staged.respondent_id)
    issue_link(app, staged.respondent_id)  # "New link": the old one ends
    for path in (f"/r/{old}", f"/r/{old}/welcome", "/r/never-a-link"):
        response = app.test_client().get(path)
        assert response.status_code == 404
        assert "This link does not work" in Page(response).text
        assert "Ask whoever sent it to you for a new one" in Page(response).text
    saved = app.test_client().post(f"/r/{old}/autosave", json={"answers": {}})
    assert saved.status_code == 404
    assert saved.get_json()["error"].startswith("This link does not work")
