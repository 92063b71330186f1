"""Questionnaire v2 on the web: new assessments get it while v1 assessments keep v1; the
exclusive option is refused beside the field and by the autosave; a dual-role respondent
reads how to answer; contradictions across pages are listed on the results page, never
refused; the start page's estimate is counted from the questions shown."""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import Assessment, Organization, Respondent
from assessor.operations import answers as answer_ops
from assessor.operations.catalog import catalog
from assessor.operations.welcome import start_estimate
from tests.web_support import (
    CONTEXT,
    Page,
    Stage,
    complete_answers,
    count_so_far,
    in_app,
    post_section,
    questionnaire,
    save_answers,
    sign_up,
    stored,
)

ROOT = Path(__file__).resolve().parent.parent
QID = "cio-ciso-governance"


def _new_assessment(app: Flask, client: FlaskClient) -> tuple[int, list[str]]:
    sign_up(client)
    client.post("/organizations/new", data={"name": "Contoso"})
    with in_app(app):
        org_id = db.session.scalars(select(Organization.id)).one()
    form = Page(client.get(f"/assessments/new/{org_id}"))
    return org_id, [o.etree_element.get("value") for o in form.all("#questionnaire option")]


def test_new_assessments_get_v2_and_a_v1_assessment_keeps_v1(
    app: Flask, client: FlaskClient
) -> None:
    org_id, offered = _new_assessment(app, client)
    assert offered == [f"{QID}@2", f"{QID}@1"]  # the newest first: the default
    for version in (2, 1):
        response = client.post(
            f"/assessments/new/{org_id}",
            data={"questionnaire": f"{QID}@{version}", "title": f"On v{version}"},
        )
        assert response.status_code == 302
    with in_app(app):
        pinned = {a.title: a.questionnaire_version for a in db.session.scalars(select(Assessment))}
    assert pinned == {"On v2": 2, "On v1": 1}
    with in_app(app):
        v1_id = db.session.scalars(select(Assessment.id).where(Assessment.title == "On v1")).one()
    client.post(f"/assessments/{v1_id}/respondents", data={"name": "Vic", "role": "CIO"})
    with in_app(app):
        v1 = db.session.get_one(Assessment, v1_id)
        rid = v1.respondents[0].id
        v1_questionnaire = catalog().get(QID, 1)
    url = f"/assessments/{v1_id}/respondents/{rid}/answer"
    security = Page(client.get(f"{url}/s/security"))
    owner = [i.etree_element.get("value") for i in security.all("input[name=sec_program_owner]")]
    assert owner == ["CIO", "CISO", "SHARED", "EXEC", "NONE"]  # v1's roles, not v2's
    assert not security.all("#q-sec_risk_owner")  # a v2 question
    # v1's answers save against v1 and score
    answers = complete_answers(v1_questionnaire)
    with in_app(app):
        respondent = db.session.get_one(Respondent, rid)
        changes = [answer_ops.Change(q, v, None, None) for q, v in answers.items()]
        answer_ops.save_answers(v1_questionnaire, respondent, changes, "test", skip_hidden=True)
    count_so_far(app, rid)
    results = Page(client.get(f"/assessments/{v1_id}/results"))
    assert results.response.status_code == 200
    assert "CIO and CISO governance assessment v1" in results.text


class TestADraft:
    """A draft version of the questionnaire, on an app of its own folder (the ``app``
    fixture, so that PostgreSQL is emptied after it as after every test)."""

    @pytest.fixture
    def app_config(self, app_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
        shutil.copytree(ROOT / "questionnaires", tmp_path / "questionnaires")
        main = tmp_path / "questionnaires" / QID / "v2" / "questionnaire.yaml"
        main.write_text(main.read_text().replace("version: 2\n", "version: 2\nstatus: draft\n"))
        return {**app_config, "QUESTIONNAIRE_DIRS": [str(tmp_path / "questionnaires")]}

    def test_is_neither_offered_nor_accepted(self, app: Flask, client: FlaskClient) -> None:
        org_id, offered = _new_assessment(app, client)
        assert offered == [f"{QID}@1"]
        response = client.post(
            f"/assessments/new/{org_id}", data={"questionnaire": f"{QID}@2", "title": "Draft"}
        )
        assert Page(response).errors_beside("questionnaire") == ["Not a valid choice."]
        with in_app(app):
            assert db.session.scalars(select(Assessment)).all() == []


NONE_AND_HEALTH = ["none", "health"]
EXCLUSIVE = '"None of these" cannot be ticked together with another answer: untick it or the others'


def test_an_exclusive_option_with_another_is_refused_beside_the_field(
    app: Flask, setup: Stage, token: str
) -> None:
    respondent = app.test_client()
    q = questionnaire(app)
    context = {**CONTEXT, "regulated_data": NONE_AND_HEALTH}
    response = post_section(respondent, f"/r/{token}/s/context", q, "context", context)
    assert response.status_code == 422  # the page again, with the error
    page = Page(response)
    assert page.errors_beside("q-regulated_data") == [EXCLUSIVE]
    assert stored(app, setup.respondent_id) == {}  # nothing half-stored

    saved = respondent.post(
        f"/r/{token}/autosave",
        json={"question": "regulated_data", "value": NONE_AND_HEALTH, "version": 0},
    )
    assert saved.status_code == 422
    assert saved.get_json()["error"].endswith(EXCLUSIVE)
    assert saved.get_json()["field"] == "regulated_data"
    ok = respondent.post(
        f"/r/{token}/autosave", json={"question": "regulated_data", "value": ["none"], "version": 0}
    )
    assert ok.status_code == 200, ok.get_json()


def test_a_dual_role_respondent_reads_how_to_answer(app: Flask, setup: Stage, token: str) -> None:
    respondent = app.test_client()
    assert not Page(respondent.get(f"/r/{token}/s/strategy")).all("aside.guidance")
    save_answers(app, setup.respondent_id, {**CONTEXT, "dual_role": "yes"})
    strategy = Page(respondent.get(f"/r/{token}/s/strategy"))
    [note] = strategy.texts("aside.guidance")
    assert note.startswith("How to answer: One person is both CIO and CISO here.")
    assert '"The CIO"' in note and '"The CISO"' in note
    assert not strategy.all("#q-str_strategy_security_input:not([hidden])")
    governance = Page(respondent.get(f"/r/{token}/s/governance"))
    assert governance.all("#q-gov_joint_planning[hidden]")
    assert not governance.all("#q-gov_dual_role_review[hidden]")


def test_a_contradiction_across_pages_is_saved_and_listed_on_the_results_page(
    app: Flask, client: FlaskClient, setup: Stage, token: str
) -> None:
    q = questionnaire(app)
    answers = complete_answers(q, {"dat_breach_plan_exists": "yes", "dat_breach_plan_maturity": 4})
    save_answers(app, setup.respondent_id, answers)
    respondent = app.test_client()
    # "no plan" on the data page, with readiness at level 4 already stored: saved, not refused
    saved = respondent.post(
        f"/r/{token}/autosave",
        json={"question": "dat_breach_plan_exists", "value": "no", "version": 1},
    )
    assert saved.status_code == 200, saved.get_json()
    count_so_far(app, setup.respondent_id)
    page = Page(client.get(f"{setup.detail}/results"))
    assert page.texts("#inconsistencies-h") == ["Answers to settle (1)"]
    [item] = page.texts(".inconsistencies > ul > li")
    assert item.startswith("Carla CIO (CIO): No written breach plan, yet breach readiness")
    assert "Is there a written plan for responding to a data breach? No" in item
    assert "How ready are you to respond to a data breach? Optimised" in item


def test_the_start_page_states_an_estimate_counted_from_the_questions(
    app: Flask, client: FlaskClient
) -> None:
    sign_up(client, kind="own")
    page = Page(client.get("/welcome"))
    text = page.texts("#estimate")[0]
    assert "twenty minutes" not in page.text
    with in_app(app):
        about = start_estimate(catalog().get(QID))
    found = re.search(r"about (\d+) minutes for the (\d+) questions you see at first", text)
    assert found, text
    assert (int(found.group(1)), int(found.group(2))) == (
        about.first.minutes,
        about.first.questions,
    )
    assert f"up to {about.most.minutes} minutes" in text
    assert about.first.minutes == math.ceil(about.first.seconds / 60)
    assert about.first.questions < about.most.questions == len(catalog_questions(app))
    assert "40 s for a maturity question" in text


def catalog_questions(app: Flask) -> list[str]:
    with in_app(app):
        return list(catalog().get(QID).questions)
