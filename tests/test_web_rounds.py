"""Comparing rounds of a client and tracking remediation (issue 17) through the pages:
the results page's chooser of any earlier round (not only one made by Re-assess), the
PDF's annex and the exports; actions beside findings, carried into the next round,
overdue and regressed, on the client's and the workspace's action pages."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import time_machine
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from assessor.engine.method import METHOD_VERSION
from assessor.extensions import db
from assessor.models import AuditEvent, Organization, RemediationAction, User, utcnow
from assessor.operations import accounts, assessments
from assessor.operations import actions as action_ops
from assessor.operations.catalog import catalog
from tests.mail_support import body, last_to, received
from tests.web_support import (
    QUESTIONNAIRE,
    Page,
    Stage,
    complete_answers,
    in_app,
    questionnaire,
    save_and_submit,
    sign_in,
    stage,
)

IMMATURE = {"sec_program_maturity": 1, "dat_strategy_maturity": 4}
# The programme matured and its HIPAA risk analysis is current (the merged SEC-1 practice
# finding carries that rule too), so SEC-1's practice finding closes; the data strategy
# fell back, so DAT-1's opens.
MATURED = {
    "sec_program_maturity": 4,
    "sec_hipaa_risk_analysis": "within_year",
    "dat_strategy_maturity": 0,
}
#: The finding IMMATURE raises and MATURED closes, by its stable key.
SEC_1 = "SEC-1:practice"


def _round(app: Flask, setup: Stage, title: str, overrides: dict[str, Any]) -> int:
    """Another assessment of the same client (started, not re-assessed), answered and
    submitted by one CIO."""
    with in_app(app):
        organization = db.session.get(Organization, setup.organization_id)
        owner = db.session.get(User, setup.user_id)
        assert organization is not None and owner is not None
        started = assessments.start_assessment(
            organization, owner, catalog().get(QUESTIONNAIRE), title=title
        )
        person = assessments.add_respondent(started, owner, name="Carla CIO", role="CIO")
        ids = started.id, person.id
    save_and_submit(app, ids[1], complete_answers(questionnaire(app), overrides))
    return ids[0]


def _three_rounds(app: Flask, client: FlaskClient) -> tuple[Stage, int, int, int]:
    setup = stage(app, client)
    save_and_submit(app, setup.respondent_id, complete_answers(questionnaire(app), IMMATURE))
    second = _round(app, setup, "Second round", IMMATURE)
    third = _round(app, setup, "Third round", MATURED)
    return setup, setup.assessment_id, second, third


def test_any_earlier_round_of_the_client_can_be_compared(app: Flask, client: FlaskClient) -> None:
    setup, first, second, third = _three_rounds(app, client)
    url = f"/assessments/{third}/results"

    page = Page(client.get(url))  # by default: the latest earlier round
    chosen = page.one("#since option[selected]")
    assert chosen.etree_element.get("value") == str(second)
    assert [o.etree_element.get("value") for o in page.all("#since option")] == [
        str(second),
        str(first),
    ]
    assert "Change since last" not in page.text
    scores = dict(
        zip(
            page.texts("#progress tbody th"),
            page.texts("#progress tbody td.score-change"),
            strict=True,
        )
    )
    assert scores["The security program"].startswith("+")
    assert (
        "security is not run as a managed program"
        in " ".join(page.texts("#progress-closed li")).lower()
    )
    assert page.texts("#progress-new li")  # the data strategy fell back
    assert f"method {METHOD_VERSION}" in page.texts("#progress-methods")[0]

    older = Page(client.get(f"{url}?since={first}"))
    assert older.one("#since option[selected]").etree_element.get("value") == str(first)
    assert older.texts("#progress-counts") == page.texts("#progress-counts")  # same answers

    for wrong in (third, 2**31 - 1):  # itself; no such round
        assert client.get(f"{url}?since={wrong}").status_code == 404
    assert client.get(f"{url}?since=later").status_code == 404
    # The first round has nothing earlier: no chooser.
    assert Page(client.get(f"/assessments/{first}/results")).all("#progress") == []

    # Another workspace's assessment is no earlier round of this client.
    other = app.test_client()
    stranger = stage(app, other, email="stranger@example.com", organization="Elsewhere")
    assert client.get(f"{url}?since={stranger.assessment_id}").status_code == 404
    assert other.get(url).status_code == 404


def test_the_report_and_the_exports_carry_the_progress(app: Flask, client: FlaskClient) -> None:
    setup, first, second, third = _three_rounds(app, client)
    html = client.get(f"/assessments/{third}/report").get_data(as_text=True)
    assert 'id="progress"' in html and "Progress since" in html
    assert html.index('id="roadmap"') < html.index('id="progress"') < html.index('id="appendix"')

    document = json.loads(client.get(f"/assessments/{third}/export.json").data)
    progress = document["progress"]
    assert progress["before"]["assessment_id"] == second
    assert progress["after"]["method_version"] == progress["before"]["method_version"]
    assert progress["after"]["method_version"] == METHOD_VERSION
    assert SEC_1 in {f["key"] for f in progress["findings"]["closed"]}

    text = client.get(f"/assessments/{third}/export.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[_row(rows, SEC_1)][:2] == ["closed", SEC_1]
    book = load_workbook(io.BytesIO(client.get(f"/assessments/{third}/export.xlsx").data))
    assert "Progress" in book.sheetnames
    # The first round has no earlier one: no progress anywhere.
    assert json.loads(client.get(f"/assessments/{first}/export.json").data)["progress"] is None


def _row(rows: list[list[str]], value: str) -> int:
    return next(i for i, row in enumerate(rows) if value in row)


def _track(client: FlaskClient, assessment_id: int, key: str, **fields: str) -> Any:
    data = {
        "owner_name": "Dana Fixer",
        "owner_email": "dana@contoso.example",
        "due_date": "",
        "status": "open",
        "evidence": "",
        **fields,
    }
    return client.post(f"/assessments/{assessment_id}/actions/track?finding={key}", data=data)


def test_an_action_is_overdue_then_done_then_regressed(app: Flask, client: FlaskClient) -> None:
    setup = stage(app, client)
    save_and_submit(app, setup.respondent_id, complete_answers(questionnaire(app), IMMATURE))
    results = f"{setup.detail}/results"
    key = SEC_1
    assert "Track as an action" in Page(client.get(results)).text

    refused = _track(client, setup.assessment_id, key, owner_email="not an address")
    assert refused.status_code == 422
    assert Page(refused).texts(".field.has-error .error")  # beside the field
    with in_app(app):
        assert db.session.scalars(select(RemediationAction)).all() == []

    yesterday = (utcnow().date() - timedelta(days=1)).isoformat()
    assert _track(client, setup.assessment_id, key, due_date=yesterday).status_code == 302
    assert _track(client, setup.assessment_id, "no-such-finding").status_code == 404
    page = Page(client.get(results))
    assert "Action: Open · Dana Fixer" in page.text and "overdue" in page.text
    workspace = Page(client.get("/actions"))
    assert "Dana Fixer" in " ".join(workspace.texts("section[aria-labelledby=overdue-h] td"))
    client_page = Page(client.get(f"/organizations/{setup.organization_id}/actions"))
    assert client_page.texts("tr.action.overdue")

    with in_app(app):
        action_id = db.session.scalars(select(RemediationAction.id)).one()
    done = client.post(
        f"/actions/{action_id}",
        data={
            "owner_name": "Dana Fixer",
            "owner_email": "dana@contoso.example",
            "due_date": yesterday,
            "status": "done",
            "evidence": "Board minute 2026-11",
        },
    )
    assert done.status_code == 302
    assert "Nothing overdue." in Page(client.get("/actions")).text

    # The next round still raises the finding: the action shows beside it, regressed.
    later = _round(app, setup, "A year later", IMMATURE)
    page = Page(client.get(f"/assessments/{later}/results"))
    assert "Action: Regressed · Dana Fixer" in page.text
    workspace = Page(client.get("/actions"))
    assert "Dana Fixer" in " ".join(workspace.texts("section[aria-labelledby=regressed-h] td"))

    document = json.loads(client.get(f"/assessments/{later}/export.json").data)
    assert [(a["finding_key"], a["status"]) for a in document["actions"]] == [(key, "regressed")]
    with in_app(app):
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("action-%")).order_by(AuditEvent.id)
        ).all()
        assert [e.action for e in events] == ["action-created", "action-updated"]
        assert events[1].detail["changed"] == ["status", "evidence"]
        assert "Dana" not in json.dumps([e.detail for e in events])


def test_action_text_in_the_spreadsheets_never_reads_as_a_formula(
    app: Flask, client: FlaskClient
) -> None:
    setup = stage(app, client)
    save_and_submit(app, setup.respondent_id, complete_answers(questionnaire(app), IMMATURE))
    hostile = '=HYPERLINK("http://example.com","x")'
    tracked = _track(client, setup.assessment_id, SEC_1, evidence=hostile)
    assert tracked.status_code == 302
    text = client.get(f"{setup.detail}/export.csv").data.decode("utf-8-sig")
    cells = {c for row in csv.reader(io.StringIO(text)) for c in row}
    assert "'" + hostile in cells and hostile not in cells
    book = load_workbook(io.BytesIO(client.get(f"{setup.detail}/export.xlsx").data))
    values = [c for row in book["Actions"].iter_rows() for c in row]
    assert any(c.value == hostile and c.data_type == "s" for c in values)


def test_a_viewer_reads_actions_but_cannot_change_them(app: Flask, client: FlaskClient) -> None:
    setup = stage(app, client)
    save_and_submit(app, setup.respondent_id, complete_answers(questionnaire(app), IMMATURE))
    assert _track(client, setup.assessment_id, SEC_1).status_code == 302
    with in_app(app):
        owner = db.session.get(User, setup.user_id)
        assert owner is not None
        issued = accounts.invite_member(
            owner.memberships[0].workspace, "vera@example.com", "viewer", owner
        )
        accounts.join_with_new_account(
            issued.invitation, "Vera Viewer", "a sturdy passphrase 42", issued.proof
        )
        action_id = db.session.scalars(select(RemediationAction.id)).one()
    viewer = app.test_client()
    sign_in(viewer, "vera@example.com")
    page = Page(viewer.get(f"{setup.detail}/results"))
    assert "Action: Open · Dana Fixer" in page.text and "Edit the action" not in page.text
    assert "Dana Fixer" in Page(viewer.get("/actions")).text
    assert viewer.get(f"/actions/{action_id}").status_code == 404
    assert _track(viewer, setup.assessment_id, SEC_1, status="done").status_code == 404
    with in_app(app):
        assert db.session.scalars(select(RemediationAction.status)).one() == "open"


def test_the_owner_of_an_action_is_reminded_by_a_click_and_while_overdue(
    app: Flask, client: FlaskClient, runner: Any
) -> None:
    """The owner (a person of the client, no account) gets an e-mail naming the finding,
    its due date and whom to reply to; the schedule reminds overdue owners once every
    ACTION_REMINDER_DAYS days, and never for a done action."""
    setup = stage(app, client)
    save_and_submit(app, setup.respondent_id, complete_answers(questionnaire(app), IMMATURE))
    yesterday = (utcnow().date() - timedelta(days=1)).isoformat()
    assert _track(client, setup.assessment_id, SEC_1, due_date=yesterday).status_code == 302
    with in_app(app):
        action_id = db.session.scalars(select(RemediationAction.id)).one()
        title = db.session.get_one(RemediationAction, action_id).title

    page = Page(client.get(f"/organizations/{setup.organization_id}/actions"))
    assert "none yet" in page.text
    assert client.post(f"/actions/{action_id}/remind").status_code == 302
    mail = last_to(app, "dana@contoso.example")
    assert mail["Subject"].startswith(f"Reminder: {title[:40]}")
    assert mail["Subject"].endswith("(overdue)")
    text = body(mail)
    assert title in " ".join(text.split()) and "Due: " + yesterday[:4] not in text
    assert "Hello Dana Fixer" in text and "reply to olive@example.com" in text
    assert "http" not in text  # the owner has no account: no link to follow
    assert "e-mailed" in Page(client.get(f"/organizations/{setup.organization_id}/actions")).text

    # The schedule: nothing more within the week after the click, then one reminder.
    quiet = runner.invoke(args=["reminders", "send"])
    assert "0 to owners of overdue actions" in quiet.output, quiet.output
    with time_machine.travel(utcnow() + timedelta(days=7, minutes=1)):
        due = runner.invoke(args=["reminders", "send"])
        assert "1 to owners of overdue actions" in due.output, due.output
        again = runner.invoke(args=["reminders", "send"])
        assert "0 to owners of overdue actions" in again.output
    assert len(received(app, "dana@contoso.example")) == 2
    assert last_to(app, "dana@contoso.example")["Subject"].startswith("Reminder: ")

    # Done: no button, and the click is refused with a message.
    done = _track(
        client, setup.assessment_id, SEC_1, due_date=yesterday, status="done", evidence="Fixed"
    )
    assert done.status_code == 302
    page = Page(client.get(f"/organizations/{setup.organization_id}/actions"))
    assert "Remind Dana Fixer" not in page.text
    refused = client.post(f"/actions/{action_id}/remind", follow_redirects=True)
    assert "nothing to remind its owner of" in Page(refused).text
    with time_machine.travel(utcnow() + timedelta(days=30)):
        later = runner.invoke(args=["reminders", "send"])
        assert "0 to owners of overdue actions" in later.output
    assert len(received(app, "dana@contoso.example")) == 2


def test_two_people_making_one_finding_an_action_at_once_make_one_action(
    app: Flask, client: FlaskClient, monkeypatch: Any
) -> None:
    """The second request read no action (the first had not committed), so its insert
    meets the first one's row: it updates that action instead of failing."""
    setup = stage(app, client)
    save_and_submit(app, setup.respondent_id, complete_answers(questionnaire(app), IMMATURE))
    assert _track(client, setup.assessment_id, SEC_1, owner_name="First Person").status_code == 302
    reads: list[int] = []
    real = action_ops.of_organization

    def track_reads_nothing(organization_id: int) -> Any:
        # Read 1: the page's (the form shows the action); read 2: the write's own, which
        # sees nothing as if the first request had not committed yet.
        reads.append(organization_id)
        return {} if len(reads) == 2 else real(organization_id)

    monkeypatch.setattr(action_ops, "of_organization", track_reads_nothing)
    second = _track(client, setup.assessment_id, SEC_1, owner_name="Second Person")
    assert second.status_code == 302
    with in_app(app):
        rows = db.session.scalars(select(RemediationAction)).all()
        assert [(r.finding_key, r.owner_name) for r in rows] == [(SEC_1, "Second Person")]
    assert len(reads) == 3  # the insert failed, and the retry read the first one's action
