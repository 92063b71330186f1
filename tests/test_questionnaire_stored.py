"""Every assessment keeps the questionnaire it started with: its files are stored in the
database by content hash, so editing a file on disk changes only what new assessments get.

The app here reads a copy of ``questionnaires/`` in ``tmp_path``; a test edits that copy
and "restarts" (a new app on the same database and folder), as a deployment would.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from assessor import create_app
from assessor.extensions import db
from assessor.models import Assessment, Respondent, StoredQuestionnaire, User
from assessor.operations import assessments, submission
from assessor.operations.catalog import catalog, questionnaire_for
from assessor.questionnaire import load_files
from tests.web_support import (
    QUESTIONNAIRE,
    Page,
    complete_answers,
    count_so_far,
    in_app,
    issue_link,
    questionnaire,
    save_answers,
    sign_in,
    stage,
)

ROOT = Path(__file__).resolve().parent.parent
FOLDER = Path("cio-ciso-governance") / "v2"  # the published default new assessments get
HELP_OLD = "A round number is fine."
HELP_NEW = "A round number will do."
RULE_OLD = "The CISO reports to the CIO and has no independent route to the CEO or board"
RULE_NEW = "The CISO reports to the CIO, with no independent route to the CEO or board"


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    shutil.copytree(ROOT / "questionnaires", tmp_path / "questionnaires")
    return {**app_config, "QUESTIONNAIRE_DIRS": [str(tmp_path / "questionnaires")]}


def edit(app: Flask, relative: str, old: str, new: str) -> None:
    """Change one text in a file of the app's questionnaire folder."""
    path = Path(app.config["QUESTIONNAIRE_DIRS"][0]) / FOLDER / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@contextmanager
def restarted(app: Flask) -> Iterator[Flask]:
    """A new app on the same config, database and questionnaire folder."""
    again = create_app({**app.config})
    try:
        yield again
    finally:
        with again.app_context():
            db.engine.dispose()


def signed_in(app: Flask, email: str = "olive@example.com") -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def submit(client: FlaskClient, assessment_id: int, respondent_id: int) -> None:
    url = f"/assessments/{assessment_id}/respondents/{respondent_id}/answer/submit"
    assert client.post(url).status_code == 200


def snapshot(client: FlaskClient, assessment_id: int) -> dict[str, Any]:
    """What an assessment shows: results, report, exports, the PDF's ETag."""
    base = f"/assessments/{assessment_id}"
    seen: dict[str, Any] = {}
    results = client.get(f"{base}/results")
    assert results.status_code == 200, results.status_code
    seen["results"] = Page(results).text
    for name in ("report", "export.json", "export.csv"):
        response = client.get(f"{base}/{name}")
        assert response.status_code == 200, (name, response.status_code)
        seen[name] = response.get_data()
    pdf = client.get(f"{base}/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    seen["pdf"] = pdf.headers["ETag"]
    return seen


def context_page(client: FlaskClient, url: str) -> str:
    response = client.get(f"{url}/s/context")
    assert response.status_code == 200, response.status_code
    return Page(response).text


def test_assessments_keep_their_questionnaire_when_its_file_changes(
    app: Flask, client: FlaskClient
) -> None:
    people = (("Carla CIO", "CIO"), ("Sam Secure", "CISO"))
    closed = stage(app, client, people=people)
    q = questionnaire(app)
    for rid in closed.respondent_ids:
        save_answers(app, rid, complete_answers(q))
        submit(client, closed.assessment_id, rid)
    with in_app(app):
        owner = db.session.get(User, closed.user_id)
        org = closed.organization_id
        assessment = assessments.start_assessment(
            db.session.get(Assessment, closed.assessment_id).organization,
            owner,
            catalog().get(QUESTIONNAIRE),
        )
        open_id = assessment.id
        open_rid = assessments.add_respondent(assessment, owner, name="Ola Open", role="CIO").id
    save_answers(app, open_rid, {"employees": 420, "has_cio": "yes"})
    token = issue_link(app, open_rid)
    link = f"/r/{token}"
    answer_url = f"/assessments/{open_id}/respondents/{open_rid}/answer"
    assert HELP_OLD in context_page(client, link)
    before = snapshot(client, closed.assessment_id)
    assert RULE_OLD in before["results"]
    assert (
        client.post(
            f"{closed.detail}/close", data={"confirm": "y"}, follow_redirects=True
        ).status_code
        == 200
    )
    before_closed = snapshot(client, closed.assessment_id)

    edit(app, "sections/00-context.yaml", HELP_OLD, HELP_NEW)
    edit(app, "rules.yaml", RULE_OLD, RULE_NEW)
    with restarted(app) as again:
        owner_client = signed_in(again)
        with in_app(again):
            assert catalog().get(QUESTIONNAIRE).hash != q.hash  # the disk has new content
        # the closed assessment: results, report, exports and PDF exactly as before
        assert snapshot(owner_client, closed.assessment_id) == before_closed
        assert owner_client.get(closed.detail).status_code == 200
        # the open one: its pages by link and by the consultant show the old text
        for url, reader in ((link, again.test_client()), (answer_url, owner_client)):
            text = context_page(reader, url)
            assert HELP_OLD in text and HELP_NEW not in text
        autosave = again.test_client().post(
            f"{link}/autosave", json={"question": "employees", "value": 500, "version": 1}
        )
        assert autosave.status_code == 200, autosave.get_json()
        assert owner_client.get(f"/assessments/{open_id}").status_code == 200

        # a new assessment gets the new content, stored under its own hash
        response = owner_client.post(
            f"/assessments/new/{org}",
            data={"title": "Review, new wording", "questionnaire": f"{QUESTIONNAIRE}@2"},
        )
        assert response.status_code == 302
        new_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
        with in_app(again):
            owner = db.session.get(User, closed.user_id)
            fresh = db.session.get(Assessment, new_id)
            new_q = catalog().get(QUESTIONNAIRE)
            assert fresh.questionnaire_hash == new_q.hash != q.hash
            new_rid = assessments.add_respondent(fresh, owner, name="Nia New", role="CIO").id
            stored = db.session.execute(
                select(StoredQuestionnaire.hash, StoredQuestionnaire.version).order_by(
                    StoredQuestionnaire.id
                )
            ).all()
            assert stored == [(q.hash, 2), (new_q.hash, 2)]
        new_url = f"/assessments/{new_id}/respondents/{new_rid}/answer"
        text = context_page(owner_client, new_url)
        assert HELP_NEW in text and HELP_OLD not in text
        save_answers(again, new_rid, complete_answers(new_q))
        count_so_far(again, new_rid)
        results = Page(owner_client.get(f"/assessments/{new_id}/results")).text
        assert RULE_NEW in results and RULE_OLD not in results


def test_a_stored_copy_loads_as_its_files_did_whatever_is_on_disk(app: Flask) -> None:
    with app.app_context():
        shipped = catalog().get(QUESTIONNAIRE)
        files = catalog().files(shipped)
        assert files is not None
        assert set(files) == {
            p.relative_to(ROOT / "questionnaires" / FOLDER).as_posix()
            for p in (ROOT / "questionnaires" / FOLDER).rglob("*.yaml")
        }
        assert load_files(files, "stored").model_dump() == shipped.model_dump()


def test_an_assessment_from_before_questionnaires_were_stored(
    app: Flask, client: FlaskClient
) -> None:
    """Started before the migration (no stored copy): it loads from disk while the file
    has its content; once the file changed, a page that says which questionnaire, never a
    500, on every page, download and save."""
    setup = stage(app, client)
    save_answers(app, setup.respondent_id, {"employees": 420})
    token = issue_link(app, setup.respondent_id)
    with in_app(app):
        db.session.execute(delete(StoredQuestionnaire))
        db.session.commit()
    assert client.get(f"{setup.detail}/results").status_code == 200  # the file still matches

    edit(app, "sections/00-context.yaml", HELP_OLD, HELP_NEW)
    with restarted(app) as again:
        owner = signed_in(again)
        base = setup.detail
        for url in (
            base,
            f"{base}/results",
            f"{base}/report",
            f"{base}/report.pdf",
            f"{base}/export.csv",
            f"{setup.answer_url()}/s/context",
            f"/r/{token}/s/context",
        ):
            response = owner.get(url)
            assert response.status_code == 410, (url, response.status_code)
            message = Page(response).text
            assert f"questionnaire {QUESTIONNAIRE} version 2" in message, url
            assert "file has changed" in message
        autosave = owner.post(
            f"/r/{token}/autosave", json={"question": "employees", "value": 1, "version": 1}
        )
        assert autosave.status_code == 410
        assert f"{QUESTIONNAIRE} version 2" in autosave.get_json()["error"]


def test_stored_versions_are_parsed_once_per_app(app: Flask, client: FlaskClient) -> None:
    setup = stage(app, client)
    with in_app(app):
        pinned = db.session.get(Assessment, setup.assessment_id)
        key = (pinned.questionnaire_id, pinned.questionnaire_version, pinned.questionnaire_hash)
    edit(app, "sections/00-context.yaml", HELP_OLD, HELP_NEW)
    with restarted(app) as again, again.app_context():
        first = questionnaire_for(*key)
        assert first is questionnaire_for(*key)
        assert first.hash == key[2] and first.questions["employees"].help.endswith(HELP_OLD)


def test_two_assessments_on_one_content_store_it_once(app: Flask, client: FlaskClient) -> None:
    setup = stage(app, client)
    with in_app(app):
        owner = db.session.get(User, setup.user_id)
        org = db.session.get(Assessment, setup.assessment_id).organization
        assessments.start_assessment(org, owner, catalog().get(QUESTIONNAIRE))
        assert db.session.scalars(select(StoredQuestionnaire.hash)).all() == [
            catalog().get(QUESTIONNAIRE).hash
        ]


def test_closed_assessment_submitted_by_verbs_keeps_its_report(app: Flask) -> None:
    """The submit verb and the report on a stored copy: no disk read once stored."""
    client = app.test_client()
    setup = stage(app, client)
    q = questionnaire(app)
    save_answers(app, setup.respondent_id, complete_answers(q))
    with in_app(app):
        respondent = db.session.get(Respondent, setup.respondent_id)
        submission.submit(q, respondent, "test")
    before = client.get(f"{setup.detail}/export.json").data
    shutil.rmtree(Path(app.config["QUESTIONNAIRE_DIRS"][0]) / FOLDER)
    with restarted(app) as again:
        with in_app(again):
            assert (QUESTIONNAIRE, 2) not in catalog()  # v2 no longer on disk at all
        assert signed_in(again).get(f"{setup.detail}/export.json").data == before
