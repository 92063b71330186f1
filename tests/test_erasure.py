"""Deleting an assessment, erasing one respondent (the data subject) and erasing a whole
client organisation (GDPR Art. 17).

The proof walks every table of ``db.metadata`` (so a table added later is covered): no
column of any row holds an erased person's name (any they were known by), e-mail address
or words, read as people read them (the text of a stored PDF, JSON with its characters
unescaped), and no row points at an erased row; nor does any file the service stores.
Before the erasure, every table must be shown to hold the person (the fixture fills each
one) or be on :data:`NOT_PERSONAL`, a commented list of tables that cannot: a table added
later fails the proof until someone classifies it.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import (
    Assessment,
    AuditEvent,
    BenchmarkShown,
    Invitation,
    MailLog,
    Organization,
    RemediationAction,
    Respondent,
    StoredResult,
    User,
)
from assessor.operations import assessments as assessment_ops
from assessor.operations.catalog import catalog
from assessor.operations.erasure_preview import named
from assessor.operations.idempotency import fingerprint
from assessor.operations.redaction import MARKER
from tests.api_support import bearer, make_token
from tests.mail_support import (
    _RUNNING,
    REFUSED_DOMAIN,
    SmtpServer,
    _free_port,
    _Handler,
    last_to,
    settle,
)
from tests.voice_support import BOTH, CISO_DATA
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
EVERYWHERE = {**CONFIRMED, "scope": "organization"}
#: The name the erased person was added under (renamed since).
OLD_NAME = "Zelda Q9x-Before"
#: The erased person: name (not ASCII: JSON escapes it), address, the words of their
#: comment, and the name they had first.
ERASED = ("Zoë Ångström-q9x", "zoe.q9x@client.example", "secret remark q9x", OLD_NAME)
#: Someone of the same assessment who stays.
KEPT = ("Kurt Keeper-w4v", "kurt.w4v@client.example")
#: The client's person who owns a remediation action, and its evidence note.
ACTION_OWNER = ("Otto Actionowner-p2k", "otto.p2k@client.example", "evidence note p2k")
#: A finding the test answers raise (the middle maturity of the security programme).
PRACTICE = "SEC-1:practice"
#: The critical regulatory finding the disputed fact raises (tests/voice_support.py).
CRITICAL = "DAT-7:practice"

#: Tables that cannot hold an erased person's data, and why.  Every other table must be
#: shown to hold the person in the fixture (:func:`test_every_table_holds_the_person_or_cannot`).
NOT_PERSONAL = {
    # The firm or the organisation of the workspace itself: its name, branding and kind.
    "workspace": "the workspace",
    # Members: their accounts, memberships, sessions, links, recovery codes and API
    # tokens.  A member is removed, not erased; a respondent who is also a member (a
    # self-assessment) keeps their account.
    "user_account": "members",
    "membership": "members",
    "user_session": "members",
    "account_link": "members",
    "recovery_code": "members",
    "api_token": "members",
    # The questionnaires' YAML files as shipped.
    "stored_questionnaire": "questionnaires",
    # The client (its name, sector and size) and its rounds (titles, status, settings):
    # erasing the client deletes them, which the client's proof checks by its name.
    "organization": "the client",
    "assessment": "the client's rounds",
    # Ids, content hashes, states and timings of renders; what a render makes is in
    # stored_report.  Erasing deletes an assessment's jobs (tests/test_erasure_queue.py).
    "render_job": "renders",
    # One row: when a check for due reminders last ran (tests/test_respondent_links.py).
    "reminder_check": "the reminder checks",
}


def pdf_text(data: bytes) -> str:
    """The text a PDF shows (its streams are compressed: the bytes hide it)."""
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def _text(value: Any) -> str:
    """A column's value as people read it."""
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, bytes):
        return pdf_text(value) if value.startswith(b"%PDF") else value.decode("latin-1")
    if isinstance(value, str):
        if value[:1] in "[{":  # JSON kept as text (a kept result escapes every non-ASCII)
            try:
                return value + json.dumps(json.loads(value), ensure_ascii=False)
            except ValueError:
                pass
        return value
    return json.dumps(value, default=str, ensure_ascii=False)


def _squeezed(text: str) -> str:
    """Lower case without white space: a name a PDF wraps onto two lines is found too."""
    return re.sub(r"\s+", "", text.replace("\u00ad", "")).lower()


def _rows(app: Flask) -> Iterator[tuple[Any, dict[str, Any]]]:
    with in_app(app):
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)).mappings():
                yield table, dict(row)


def traces(app: Flask, needles: tuple[str, ...], gone: dict[str, set[int]]) -> list[str]:
    """Where, in any table of the metadata, a needle still shows or a row still refers to
    a row that should be gone (``gone``: table name -> ids)."""
    found = []
    squeezed = [_squeezed(n) for n in needles]
    for table, row in _rows(app):
        for column, value in row.items():
            text = _squeezed(_text(value))
            found += [f"{table.name}.{column}: {n!r}" for n in squeezed if n in text]
        if row.get("id") in gone.get(table.name, set()):
            found.append(f"{table.name} row {row['id']} is still there")
        for key in table.foreign_keys:
            target = key.column.table.name
            if row[key.parent.name] in gone.get(target, set()):
                found.append(f"{table.name}.{key.parent.name} -> {target} {row[key.parent.name]}")
    return found


def holding(app: Flask, needles: tuple[str, ...]) -> set[str]:
    """The tables that hold the person: a row shows a needle, or refers (by foreign key,
    through any number of rows) to a row that does."""
    squeezed = [_squeezed(n) for n in needles]
    rows = list(_rows(app))
    held: set[tuple[str, Any]] = set()
    for table, row in rows:
        if any(n in _squeezed(_text(v)) for v in row.values() for n in squeezed):
            held.add((table.name, row.get("id", id(row))))
    grew = True
    while grew:
        grew = False
        for table, row in rows:
            mine = (table.name, row.get("id", id(row)))
            if mine in held:
                continue
            for key in table.foreign_keys:
                if (key.column.table.name, row[key.parent.name]) in held:
                    held.add(mine)
                    grew = True
                    break
    return {name for name, _ in held}


def stored_files(app: Flask, needles: tuple[str, ...]) -> list[str]:
    """Files under the instance folder, the report folder and the mail outbox that hold a
    needle (an ``.eml`` encodes a non-ASCII name: the ASCII needles find its file)."""
    found = []
    folders = (app.instance_path, app.config.get("REPORT_CACHE_DIR"), app.config["MAIL_OUTBOX"])
    for folder in folders:
        if not folder or not Path(folder).exists():
            continue
        for path in Path(folder).rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                text = pdf_text(data) if data.startswith(b"%PDF") else data.decode("latin-1")
                found += [str(path) for n in needles if _squeezed(n) in _squeezed(text)]
    return found


def _events(app: Flask) -> list[AuditEvent]:
    with in_app(app):
        return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _reassess(app: Flask, assessment_id: int) -> tuple[int, list[int]]:
    """A new round of the assessment's organisation, with the same people."""
    with in_app(app):
        previous = db.session.get_one(Assessment, assessment_id)
        owner = db.session.get_one(User, user_id(app, "olive@example.com"))
        again = assessment_ops.reassess(previous, owner, catalog().get(QUESTIONNAIRE))
        return again.id, [r.id for r in again.all_respondents]


def _track(client: FlaskClient, setup: Stage, owner: tuple[str, str, str]) -> int:
    """The finding :data:`PRACTICE` as an action of the client, owned by ``owner``."""
    tracked = client.post(
        f"{setup.detail}/actions/track?finding={PRACTICE}",
        data={
            "owner_name": owner[0],
            "owner_email": owner[1],
            "status": "in_progress",
            "evidence": owner[2],
        },
    )
    assert tracked.status_code == 302
    with in_app(app_of(client)):
        return db.session.scalars(
            select(RemediationAction.id).where(RemediationAction.owner_email == owner[1])
        ).one()


def app_of(client: FlaskClient) -> Flask:
    return client.application


@dataclass
class World:
    """The person to erase everywhere, and the places the fixture put them."""

    setup: Stage
    erased: list[int]  # their respondent rows: round 1, round 2
    kept: list[int]  # Kurt's: round 1, round 2
    second_round: int
    action: int
    #: The hash the API's idempotency key keeps of the request that added them.
    request_hash: str
    api: tuple[FlaskClient, str, bytes, dict[str, str]]

    @property
    def needles(self) -> tuple[str, ...]:
        return (*ERASED, self.request_hash)


def _everywhere(app: Flask, client: FlaskClient) -> World:
    """Someone in every table that can hold a person: added through the API (with an
    Idempotency-Key) under a first name, e-mailed their link, answering by link (with a
    comment) before a rename and submitting after it, disputing a fact another respondent
    answers otherwise; named by the consultant as who accepted a risk, in a settled fact's
    reason, the edited summary and a what-if's name; invited to the workspace; owning an
    action (reminded by e-mail); in the signed-off report (its PDF, stored), a result whose
    benchmark was shown, and a second round."""
    setup = stage(app, client, people=((KEPT[0], "CIO"),))
    kurt = setup.respondent_id
    token = make_token(app, setup.user_id, setup.workspace_id)
    path = f"/api/v1/assessments/{setup.assessment_id}/respondents"
    body = json.dumps({"name": OLD_NAME, "role": "CISO", "email": ERASED[1]}).encode()
    headers = {**bearer(token), "Idempotency-Key": "crm-person-1"}
    api = app.test_client()
    created = api.post(path, data=body, headers=headers, content_type="application/json")
    assert created.status_code == 201
    zoe = created.get_json()["id"]
    emailed = client.post(f"{setup.detail}/respondents/{zoe}/email")
    assert emailed.status_code == 302  # the outbox now holds an e-mail to them
    link_token = issue_link(app, zoe)
    link = app.test_client()
    change = {"question": "str_strategy_owner", "value": "CISO", "comment": ERASED[2]}
    assert link.post(f"/r/{link_token}/autosave", json={**change, "version": 0}).status_code == 200
    renamed = client.post(f"{setup.detail}/respondents/{zoe}/rename", data={"name": ERASED[0]})
    assert renamed.status_code == 302
    form = questionnaire(app)
    save_answers(app, zoe, complete_answers(form, {**BOTH, "regulated_data": CISO_DATA}))
    assert link.post(f"/r/{link_token}/submit").status_code == 200  # audited by their name
    save_and_submit(app, kurt, complete_answers(form, BOTH))
    voice = {
        f"{setup.detail}/finding-status?finding={CRITICAL}": {
            "status": "risk_accepted",
            "reason": "Insured until the 2027 programme.",
            "accepted_by": ERASED[0],
        },
        f"{setup.detail}/settle?fact=regulated_data": {
            "choice": "0",
            "reason": f"Confirmed by {ERASED[0]} on the phone.",
        },
        f"{setup.detail}/summary": {"text": f"{ERASED[0]} leads the security programme."},
    }
    for url, data in voice.items():
        assert client.post(url, data=data).status_code == 302, url
    invited = client.post("/workspace/invitations", data={"email": ERASED[1], "role": "viewer"})
    assert invited.status_code == 200  # the page with the link, which is e-mailed too
    sandbox = Page(client.get(f"{setup.detail}/what-if"))
    target = next(s.etree_element.get("name") for s in sandbox.all("select[name^=target_]"))
    kept = client.post(
        f"{setup.detail}/what-if/save", data={target: "4", "name": f"What {ERASED[0]} proposes"}
    )
    assert kept.status_code == 302
    action = _track(client, setup, (ERASED[0], ERASED[1], f"Agreed with {ERASED[0]}."))
    assert client.post(f"/actions/{action}/remind").status_code == 302  # an e-mail to them
    signed = client.post(
        f"{setup.detail}/review", data={"reviewer": "Olive Owner", "reviewed_on": "2026-12-06"}
    )
    assert signed.status_code == 302  # the signed-off report: its PDF, and stored
    with in_app(app):
        # The band a report showed (its group needs ten clients that agreed): frozen with
        # the kept result, which prints the person's answers.
        kept_id = db.session.scalars(
            select(StoredResult.id).order_by(StoredResult.number.desc())
        ).first()
        db.session.add(BenchmarkShown(stored_result_id=kept_id, shown={"overall": "upper"}))
        db.session.commit()
    second_round, people = _reassess(app, setup.assessment_id)
    with in_app(app):
        by_name = {db.session.get_one(Respondent, i).name: i for i in people}
    return World(
        setup,
        [zoe, by_name[ERASED[0]]],
        [kurt, by_name[KEPT[0]]],
        second_round,
        action,
        fingerprint("POST", path, body),
        (api, path, body, headers),
    )


def test_every_table_holds_the_person_or_cannot(app: Flask, client: FlaskClient) -> None:
    world = _everywhere(app, client)
    tables = {t.name for t in db.metadata.sorted_tables}
    assert set(NOT_PERSONAL) <= tables, "NOT_PERSONAL names a table that is gone"
    unshown = tables - set(NOT_PERSONAL) - holding(app, world.needles)
    assert unshown == set(), (
        "tables the fixture does not show holding the person: fill them in _everywhere, or "
        "say in NOT_PERSONAL why they cannot hold personal data"
    )


def test_erasing_a_person_from_every_round_leaves_no_trace(app: Flask, client: FlaskClient) -> None:
    world = _everywhere(app, client)
    setup = world.setup
    url = f"{setup.detail}/respondents/{world.erased[0]}/erase"
    asked = Page(client.get(url))
    assert f"Erase {ERASED[0]}?" in asked.text
    with in_app(app):
        second = named(db.session.get_one(Assessment, world.second_round))
    # Where else the person shows in the client, and what goes with the round.
    assert asked.accessibility_problems() == []
    places = asked.texts("#elsewhere-h + p + ul li")
    assert f"A respondent of {second}" in places
    assert any(p.startswith("The owner of the action “") for p in places)
    assert f"An invitation to join the workspace, sent to {ERASED[1]}" in places
    consequences = asked.texts(".consequences li")
    assert (
        "The sign-off of 06 December 2026 by Olive Owner is deleted, with the reviewed PDF "
        "it stored." in consequences
    )
    assert any("kept result(s) (every result it has delivered so far)" in c for c in consequences)
    assert (
        "Where this assessment's texts name them (the name of a what-if scenario, the reason "
        "of a settled fact, the summary as edited, who accepted a risk), the name reads "
        "“[erased]”." in consequences
    )
    assert client.post(url, data={"scope": "organization"}).status_code == 422  # unticked
    assert holding(app, world.needles) != set()

    assert client.post(url, data=EVERYWHERE).status_code == 302
    assert traces(app, world.needles, {"respondent": set(world.erased)}) == []
    assert stored_files(app, ERASED) == []
    with in_app(app):
        for kept in world.kept:  # the other person stays in both rounds
            assert db.session.get_one(Respondent, kept).name == KEPT[0]
        action = db.session.get_one(RemediationAction, world.action)
        assert (action.owner_name, action.owner_email) == (MARKER, "")
        assert action.evidence == f"Agreed with {MARKER}."
        assert db.session.scalars(select(Invitation)).all() == []
        assert db.session.scalars(select(MailLog.kind)).all() == ["verify"]  # the owner's own
    events = _events(app)
    erasures = [e for e in events if e.action == "respondent-erased"]
    assert sorted(e.target for e in erasures) == sorted(f"respondent:{i}" for i in world.erased)
    renamed = next(e for e in events if e.action == "respondent-renamed")
    assert renamed.detail == {"before": MARKER, "after": MARKER}  # every name they had
    submitted = [e.actor for e in events if e.action == "answers-submitted"]
    assert sorted(submitted) == [f"{MARKER} (personal link)", "prepared by the test"]
    # The action's page offers no reminder to an owner who is erased.
    actions = Page(client.get(f"/organizations/{setup.organization_id}/actions"))
    assert MARKER in actions.text and "Remind " not in actions.text
    assert KEPT[0] in Page(client.get(setup.detail)).text
    assert client.get(f"{setup.detail}/report.pdf").status_code == 200
    # The CRM retrying the create that added them finds no one, and adds no one again.
    api, path, body, headers = world.api
    replay = api.post(path, data=body, headers=headers, content_type="application/json")
    assert replay.status_code == 404


def test_erasing_from_one_round_names_the_other_places_and_leaves_them(
    app: Flask, client: FlaskClient
) -> None:
    setup = stage(app, client, people=((OLD_NAME, "CISO"), (KEPT[0], "CIO")))
    first, kurt = setup.respondent_ids
    with in_app(app):  # a new round copies the address too: it finds them after a rename
        db.session.get_one(Respondent, first).email = ERASED[1]
        db.session.commit()
    rename = f"{setup.detail}/respondents/{first}/rename"
    assert client.post(rename, data={"name": ERASED[0]}).status_code == 302
    values = complete_answers(questionnaire(app))
    save_and_submit(app, first, values)
    save_and_submit(app, kurt, values)
    action = _track(client, setup, (ERASED[0], ERASED[1], "In hand."))
    second_round, people = _reassess(app, setup.assessment_id)
    with in_app(app):
        again = next(i for i in people if db.session.get_one(Respondent, i).name == ERASED[0])
    # Renamed in the second round too: its audit entry names them.
    later = f"/assessments/{second_round}/respondents/{again}/rename"
    assert client.post(later, data={"name": f"{ERASED[0]} Jr"}).status_code == 302
    close = client.post(f"{setup.detail}/close", data=CONFIRMED)
    assert close.status_code == 302

    url = f"{setup.detail}/respondents/{first}/erase"
    asked = Page(client.get(url))
    with in_app(app):
        title = named(db.session.get_one(Assessment, second_round))
    places = asked.texts("#elsewhere-h + p + ul li")
    assert places[:1] == [f"A respondent of {title}"]
    assert any(p.startswith("The owner of the action “") for p in places)
    assert any(
        c.startswith("The assessment is closed: its result is stored again from the people left")
        for c in asked.texts(".consequences li")
    )
    assert client.post(url, data=CONFIRMED).status_code == 302  # this round only

    assert traces(app, ERASED, {"respondent": {first}}) != []  # the second round holds them
    with in_app(app):
        assert db.session.get_one(Respondent, again).name == f"{ERASED[0]} Jr"
        assert db.session.get_one(RemediationAction, action).owner_name == ERASED[0]
    renames = {e.target: e.detail for e in _events(app) if e.action == "respondent-renamed"}
    # Their first round's trail loses them; the round they are still in keeps its own.
    assert renames[f"respondent:{first}"] == {"before": MARKER, "after": MARKER}
    assert renames[f"respondent:{again}"] == {"before": ERASED[0], "after": f"{ERASED[0]} Jr"}
    erased = next(e for e in _events(app) if e.action == "respondent-erased")
    assert erased.detail["result_stored_again"] == 1  # the earlier ones went with them
    assert erased.detail["method"] >= 1


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


def _people_with_history(app: Flask, client: FlaskClient) -> Stage:
    """One round whose two respondents answered (one by link, with a comment, renamed
    after), whose report was downloaded (stored) and whose client has an action."""
    setup = stage(app, client, people=((OLD_NAME, "CISO"), (KEPT[0], "CIO")))
    zoe, kurt = setup.respondent_ids
    with in_app(app):
        db.session.get_one(Respondent, zoe).email = ERASED[1]
        db.session.get_one(Respondent, kurt).email = KEPT[1]
        db.session.commit()
    assert client.post(f"{setup.detail}/respondents/{zoe}/email").status_code == 302
    token = issue_link(app, zoe)
    link = app.test_client()
    change = {"question": "str_strategy_owner", "value": "CISO", "comment": ERASED[2]}
    assert link.post(f"/r/{token}/autosave", json={**change, "version": 0}).status_code == 200
    renamed = client.post(f"{setup.detail}/respondents/{zoe}/rename", data={"name": ERASED[0]})
    assert renamed.status_code == 302
    values = complete_answers(questionnaire(app))
    save_answers(app, zoe, values)
    assert link.post(f"/r/{token}/submit").status_code == 200
    save_and_submit(app, kurt, values)
    assert client.get(f"{setup.detail}/report.pdf").status_code == 200
    assert holding(app, ERASED) >= {"respondent", "answer", "stored_report", "stored_result"}
    return setup


def test_deleting_an_assessment_names_it_and_takes_everything_of_it(
    app: Flask, client: FlaskClient
) -> None:
    setup = _people_with_history(app, client)
    url = f"{setup.detail}/delete"
    asked = Page(client.get(url))
    with in_app(app):
        title = db.session.get_one(Assessment, setup.assessment_id).title
    assert f"Delete {title} of Contoso Health?" in asked.text
    assert any("kept result(s)" in line for line in asked.texts(".consequences li"))
    assert client.post(url, data={}).status_code == 422
    deleted = client.post(url, data=CONFIRMED)
    assert deleted.status_code == 302
    assert deleted.headers["Location"] == f"/organizations/{setup.organization_id}"
    gone = {"assessment": {setup.assessment_id}, "respondent": set(setup.respondent_ids)}
    assert traces(app, ERASED + KEPT, gone) == []
    assert stored_files(app, ERASED + KEPT) == []
    assert client.get(setup.detail).status_code == 404
    with in_app(app):
        assert db.session.get(Organization, setup.organization_id) is not None
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert "assessment-deleted" in actions


def test_deleting_a_round_keeps_the_names_of_people_still_in_another(
    app: Flask, client: FlaskClient
) -> None:
    """A mistaken second round deleted: the first round's trail keeps who answered it; a
    person only in the deleted round leaves the log."""
    setup = stage(app, client, people=((KEPT[0], "CIO"),))
    token = issue_link(app, setup.respondent_id)
    save_answers(app, setup.respondent_id, complete_answers(questionnaire(app)))
    assert app.test_client().post(f"/r/{token}/submit").status_code == 200
    second_round, _ = _reassess(app, setup.assessment_id)
    added = client.post(
        f"/assessments/{second_round}/respondents",
        data={"name": OLD_NAME, "role": "CISO", "email": ""},
    )
    assert added.status_code == 302
    with in_app(app):
        newcomer = db.session.scalars(
            select(Respondent.id).where(Respondent.name == OLD_NAME)
        ).one()
    rename = f"/assessments/{second_round}/respondents/{newcomer}/rename"
    assert client.post(rename, data={"name": ERASED[0]}).status_code == 302

    assert client.post(f"/assessments/{second_round}/delete", data=CONFIRMED).status_code == 302
    submitted = [e.actor for e in _events(app) if e.action == "answers-submitted"]
    assert submitted == [f"{KEPT[0]} (personal link)"]
    assert traces(app, ERASED, {"respondent": {newcomer}}) == []


def test_erasing_a_client_organisation_keeps_only_an_audit_entry_without_personal_data(
    app: Flask, client: FlaskClient
) -> None:
    setup = _people_with_history(app, client)
    action = _track(client, setup, ACTION_OWNER)
    # A reminder to the action's owner: an e-mail (logged, and in the outbox) to erase too.
    assert client.post(f"/actions/{action}/remind").status_code == 302
    assert last_to(app, ACTION_OWNER[1].lower())["Subject"].startswith("Reminder: ")
    assert stored_files(app, ACTION_OWNER) != []
    assert traces(app, ACTION_OWNER, {}) != []
    # A second round of the same client, and another client who stays.
    second_round, second_people = _reassess(app, setup.assessment_id)
    other = client.post(
        "/organizations/new", data={"name": "Fabrikam Kept", "sector": "", "size": ""}
    )
    assert other.status_code == 302

    url = f"/organizations/{setup.organization_id}/delete"
    asked = Page(client.get(url))
    assert "Delete Contoso Health and erase its data?" in asked.text
    consequences = asked.texts(".consequences li")
    assert (
        "Its 1 remediation action(s) are deleted, with their owners' names and e-mail "
        "addresses and the 1 reminder e-mail(s) sent to them." in consequences
    )
    assert client.post(url, data=CONFIRMED).status_code == 302
    gone = {
        "organization": {setup.organization_id},
        "assessment": {setup.assessment_id, second_round},
        "respondent": set(setup.respondent_ids) | set(second_people),
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
        assert outsider.post(url, data=EVERYWHERE).status_code == 404
    with in_app(app):
        assert db.session.get(Respondent, setup.respondent_id) is not None


def test_a_respondent_added_and_answered_through_the_api_is_erased_too(
    app: Flask, client: FlaskClient
) -> None:
    """The API's tables (tokens, idempotency keys) keep nothing of the person: a create
    replayed after the erasure finds no one."""
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


# --- a mail server's refusal, which quotes the address ---------------------------------------


class _Postfix(_Handler):
    """Refuses a recipient as Postfix does: with the address in its answer."""

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.lower().endswith("@" + REFUSED_DOMAIN):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"


class TestRefusedByTheMailServer:
    @pytest.fixture
    def postfix(self) -> Iterator[SmtpServer]:
        server = SmtpServer(_free_port())
        controller = Controller(_Postfix(server), hostname="127.0.0.1", port=server.port)
        controller.start()
        _RUNNING.append(server)
        try:
            yield server
        finally:
            _RUNNING.remove(server)
            controller.stop()

    @pytest.fixture
    def app_config(self, app_config: dict[str, Any], postfix: SmtpServer) -> dict[str, Any]:
        return {**app_config, **postfix.config()}

    def test_the_logs_keep_its_status_only_and_the_erasure_takes_the_rest(
        self, app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        address = f"zoe.q9x@{REFUSED_DOMAIN}"
        setup = stage(app, client, people=((ERASED[0], "CISO"), (KEPT[0], "CIO")))
        zoe = setup.respondent_id
        with in_app(app):
            db.session.get_one(Respondent, zoe).email = address
            db.session.commit()
        with caplog.at_level(logging.WARNING):
            assert client.post(f"{setup.detail}/respondents/{zoe}/email").status_code == 302
            settle(app)
        # The consultant reads the server's answer beside the respondent (the mail log) ...
        assert f"<{address}>: Recipient address rejected" in Page(client.get(setup.detail)).text
        # ... the audit log and the application log keep its status only.
        [failed] = [e for e in _events(app) if e.action == "mail-failed"]
        assert failed.detail["error"] == "refused by the mail server: 550 5.1.1"
        assert address not in caplog.text and "550 5.1.1" in caplog.text
        erase = f"{setup.detail}/respondents/{zoe}/erase"
        assert client.post(erase, data=CONFIRMED).status_code == 302
        assert traces(app, (address, ERASED[0]), {"respondent": {zoe}}) == []


def test_an_unknown_choice_of_where_to_erase_is_refused_beside_it(
    app: Flask, client: FlaskClient
) -> None:
    setup = stage(app, client, people=((ERASED[0], "CISO"),))
    url = f"{setup.detail}/respondents/{setup.respondent_id}/erase"
    refused = Page(client.post(url, data={**CONFIRMED, "scope": "workspace"}))
    assert refused.response.status_code == 422
    assert refused.texts("fieldset .error") == ["Not a valid choice."]
    with in_app(app):
        assert db.session.get(Respondent, setup.respondent_id) is not None
