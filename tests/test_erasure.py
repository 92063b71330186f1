"""Deleting an assessment, erasing one respondent (the data subject) and erasing a whole
client organisation (GDPR Art. 17).

The proof walks every table of ``db.metadata`` (so a table added later is covered): no
column of any row holds an erased person's name, e-mail address or words, and no row
points at an erased row; nor does any file the service stores.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import (
    Assessment,
    AuditEvent,
    Organization,
    RemediationAction,
    Respondent,
    StoredReport,
    User,
)
from assessor.operations import assessments as assessment_ops
from assessor.operations.catalog import catalog
from assessor.operations.erasure import MARKER
from tests.mail_support import last_to
from tests.web_support import (
    QUESTIONNAIRE,
    Page,
    Stage,
    complete_answers,
    in_app,
    issue_link,
    questionnaire,
    save_and_submit,
    save_answers,
    stage,
    user_id,
)

CONFIRMED = {"confirm": "y"}
#: The erased person: name, address, and the words of their comment.
ERASED = ("Zelda Erasable-q9x", "zelda.q9x@client.example", "secret remark q9x")
#: Someone of the same assessment who stays.
KEPT = ("Kurt Keeper-w4v", "kurt.w4v@client.example")
#: The client's person who owns a remediation action, and its evidence note.
ACTION_OWNER = ("Otto Actionowner-p2k", "otto.p2k@client.example", "evidence note p2k")


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str)


def traces(app: Flask, needles: tuple[str, ...], gone: dict[str, set[int]]) -> list[str]:
    """Where, in any table of the metadata, a needle still shows or a row still refers to
    a row that should be gone (``gone``: table name -> ids)."""
    found = []
    lowered = [n.lower() for n in needles]
    with in_app(app):
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)).mappings():
                for column, value in row.items():
                    text = _text(value).lower()
                    found += [f"{table.name}.{column}: {n!r}" for n in lowered if n in text]
                if row.get("id") in gone.get(table.name, set()):
                    found.append(f"{table.name} row {row['id']} is still there")
                for key in table.foreign_keys:
                    target = key.column.table.name
                    if row[key.parent.name] in gone.get(target, set()):
                        found.append(
                            f"{table.name}.{key.parent.name} -> {target} {row[key.parent.name]}"
                        )
    return found


def stored_files(app: Flask, needles: tuple[str, ...]) -> list[str]:
    """Files under the instance folder, the report folder and the mail outbox that hold a
    needle."""
    found = []
    folders = (app.instance_path, app.config.get("REPORT_CACHE_DIR"), app.config["MAIL_OUTBOX"])
    for folder in folders:
        if not folder or not Path(folder).exists():
            continue
        for path in Path(folder).rglob("*"):
            if path.is_file():
                data = path.read_bytes().lower()
                found += [str(path) for n in needles if n.lower().encode() in data]
    return found


def _people_with_history(app: Flask, client: FlaskClient) -> Stage:
    """An assessment whose two respondents answered by link (with a comment), were renamed
    (the audit keeps before and after), and whose report was downloaded (stored)."""
    setup = stage(app, client, people=(("Zelda", "CISO"), (KEPT[0], "CIO")))
    with in_app(app):
        zelda = db.session.get(Respondent, setup.respondent_ids[0])
        assert zelda is not None
        zelda.email = ERASED[1]
        db.session.commit()
    emailed = client.post(f"{setup.detail}/respondents/{setup.respondent_ids[0]}/email")
    assert emailed.status_code == 302  # the outbox now holds an e-mail to them
    renamed = client.post(
        f"{setup.detail}/respondents/{setup.respondent_ids[0]}/rename", data={"name": ERASED[0]}
    )
    assert renamed.status_code == 302
    token = issue_link(app, setup.respondent_ids[0])
    link = app.test_client()
    saved = link.post(
        f"/r/{token}/autosave",
        json={
            "question": "str_strategy_owner",
            "value": "CISO",
            "comment": ERASED[2],
            "version": 0,
        },
    )
    assert saved.status_code == 200
    values = complete_answers(questionnaire(app))
    save_answers(app, setup.respondent_ids[0], values)
    assert link.post(f"/r/{token}/submit").status_code == 200  # audited by their name
    save_and_submit(app, setup.respondent_ids[1], values)
    assert client.get(f"{setup.detail}/report.pdf").status_code == 200
    with in_app(app):
        assert db.session.scalars(select(StoredReport)).all() != []
    assert traces(app, ERASED, {}) != []  # the walk finds them before
    return setup


def test_erasing_a_respondent_leaves_no_trace(app: Flask, client: FlaskClient) -> None:
    setup = _people_with_history(app, client)
    erased, kept = setup.respondent_ids
    url = f"{setup.detail}/respondents/{erased}/erase"
    asked = Page(client.get(url))
    assert f"Erase {ERASED[0]}?" in asked.text
    assert client.post(url, data={}).status_code == 422  # unticked: nothing happens
    assert traces(app, ERASED, {}) != []

    assert client.post(url, data=CONFIRMED).status_code == 302
    assert traces(app, ERASED, {"respondent": {erased}}) == []
    assert stored_files(app, ERASED) == []
    with in_app(app):
        assert db.session.get(Respondent, kept) is not None  # the other stays, answers too
        events = db.session.scalars(select(AuditEvent)).all()
        erasure = next(e for e in events if e.action == "respondent-erased")
        assert erasure.target == f"respondent:{erased}" and erasure.detail == {}
        renamed = next(e for e in events if e.action == "respondent-renamed")
        assert renamed.detail == {"before": "Zelda", "after": MARKER}
        submitted = [e.actor for e in events if e.action == "answers-submitted"]
        assert sorted(submitted) == [f"{MARKER} (personal link)", "prepared by the test"]
    assert KEPT[0] in Page(client.get(setup.detail)).text
    assert client.get(f"{setup.detail}/report.pdf").status_code == 200


def test_a_removed_respondent_can_be_erased_too(app: Flask, client: FlaskClient) -> None:
    setup = stage(app, client, people=((ERASED[0], "CISO"), (KEPT[0], "CIO")))
    erased = setup.respondent_ids[0]
    remove = f"{setup.detail}/respondents/{erased}/remove"
    assert client.post(remove, data=CONFIRMED).status_code == 302
    listed = Page(client.get(setup.detail)).one("#removed-h + p + ul a").etree_element
    assert listed.get("href") == f"{setup.detail}/respondents/{erased}/erase"
    assert (
        client.post(f"{setup.detail}/respondents/{erased}/erase", data=CONFIRMED).status_code == 302
    )
    assert traces(app, ERASED[:1], {"respondent": {erased}}) == []


def test_deleting_an_assessment_names_it_and_takes_everything_of_it(
    app: Flask, client: FlaskClient
) -> None:
    setup = _people_with_history(app, client)
    url = f"{setup.detail}/delete"
    asked = Page(client.get(url))
    with in_app(app):
        title = db.session.get(Assessment, setup.assessment_id).title  # type: ignore[union-attr]
    assert f"Delete {title} of Contoso Health?" in asked.text
    assert client.post(url, data={}).status_code == 422
    deleted = client.post(url, data=CONFIRMED)
    assert deleted.status_code == 302
    assert deleted.headers["Location"] == f"/organizations/{setup.organization_id}"
    gone = {"assessment": {setup.assessment_id}, "respondent": set(setup.respondent_ids)}
    assert traces(app, ERASED + KEPT[:1], gone) == []
    assert client.get(setup.detail).status_code == 404
    with in_app(app):
        assert db.session.get(Organization, setup.organization_id) is not None
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert "assessment-deleted" in actions


def test_erasing_a_client_organisation_keeps_only_an_audit_entry_without_personal_data(
    app: Flask, client: FlaskClient
) -> None:
    setup = _people_with_history(app, client)
    # The middle maturity of the security programme raises SEC-1's practice finding.
    tracked = client.post(
        f"{setup.detail}/actions/track?finding=SEC-1:practice",
        data={
            "owner_name": ACTION_OWNER[0],
            "owner_email": ACTION_OWNER[1],
            "status": "in_progress",
            "evidence": ACTION_OWNER[2],
        },
    )
    assert tracked.status_code == 302
    with in_app(app):
        action_id = db.session.scalars(select(RemediationAction.id)).one()
    # A reminder to the action's owner: an e-mail (logged, and in the outbox) to erase too.
    assert client.post(f"/actions/{action_id}/remind").status_code == 302
    assert last_to(app, ACTION_OWNER[1].lower())["Subject"].startswith("Reminder: ")
    assert stored_files(app, ACTION_OWNER) != []
    assert traces(app, ACTION_OWNER, {}) != []
    # A second round of the same client, and another client who stays.
    with in_app(app):
        previous = db.session.get(Assessment, setup.assessment_id)
        assert previous is not None
        owner = db.session.get(User, user_id(app, "olive@example.com"))
        assert owner is not None
        again = assessment_ops.reassess(previous, owner, catalog().get(QUESTIONNAIRE))
        second_round = {again.id}
        second_people = {r.id for r in again.all_respondents}
    other = client.post(
        "/organizations/new", data={"name": "Fabrikam Kept", "sector": "", "size": ""}
    )
    assert other.status_code == 302

    url = f"/organizations/{setup.organization_id}/delete"
    assert "Delete Contoso Health and erase its data?" in Page(client.get(url)).text
    assert client.post(url, data=CONFIRMED).status_code == 302
    gone = {
        "organization": {setup.organization_id},
        "assessment": {setup.assessment_id} | second_round,
        "respondent": set(setup.respondent_ids) | second_people,
    }
    assert traces(app, ERASED + KEPT + ACTION_OWNER + ("Contoso Health",), gone) == []
    assert stored_files(app, ERASED + KEPT + ACTION_OWNER) == []
    with in_app(app):
        entry = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "organization-erased")
        ).one()
        assert entry.detail == {"assessments": 2, "respondents": 4}
        assert db.session.scalars(select(Organization.name)).all() == ["Fabrikam Kept"]
    assert "Fabrikam Kept" in Page(client.get("/organizations")).text


def test_erasing_is_for_editors_and_owners_of_the_workspace(
    app: Flask, client: FlaskClient
) -> None:
    setup = stage(app, client)
    outsider = app.test_client()
    stage(app, outsider, email="bob@example.com", organization="Beta client")
    for url in (
        f"{setup.detail}/delete",
        f"{setup.detail}/respondents/{setup.respondent_id}/erase",
        f"/organizations/{setup.organization_id}/delete",
    ):
        assert outsider.get(url).status_code == 404
        assert outsider.post(url, data=CONFIRMED).status_code == 404
    with in_app(app):
        assert db.session.get(Respondent, setup.respondent_id) is not None


def test_a_respondent_added_and_answered_through_the_api_is_erased_too(
    app: Flask, client: FlaskClient
) -> None:
    """The API's tables (tokens, idempotency keys) keep nothing of the person: a create
    replayed after the erasure finds no one."""
    from tests.api_support import bearer, make_token

    setup = stage(app, client)
    token = make_token(app, setup.user_id, setup.workspace_id)
    api = app.test_client()
    headers = {**bearer(token), "Idempotency-Key": "crm-person-1"}
    url = f"/api/v1/assessments/{setup.assessment_id}/respondents"
    body = {"name": ERASED[0], "role": "CISO", "email": ERASED[1]}
    created = api.post(url, json=body, headers=headers)
    assert created.status_code == 201
    erased = created.get_json()["id"]
    change = {"question_id": "str_strategy_owner", "value": "CISO", "comment": ERASED[2]}
    saved = api.patch(
        f"{url}/{erased}/answers",
        json={"answers": [{**change, "version": 0}]},
        headers=bearer(token),
    )
    assert saved.status_code == 200
    assert traces(app, ERASED, {}) != []
    erase = f"{setup.detail}/respondents/{erased}/erase"
    assert client.post(erase, data=CONFIRMED).status_code == 302
    assert traces(app, ERASED, {"respondent": {erased}}) == []
    assert api.post(url, json=body, headers=headers).status_code == 404
