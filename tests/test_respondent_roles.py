"""Respondent roles of the model's edition 2 (issue 14, Decisions: "respondent roles grow
to the model's roles"): a CTO, a CRO, a DPO... answer as themselves, one person who is
both CIO and CISO answers as ``CIO_CISO`` and speaks for both roles, and the findings name
the CTO where the CTO answered for IT.  Existing rows keep working (migration 0015)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from assessor.engine import Respondent, score
from assessor.engine.conditions import compile_condition
from assessor.engine.perception import perception
from assessor.engine.questionnaire_index import index_for
from assessor.engine.scoring import combine
from assessor.engine.visibility import view_of
from assessor.extensions import db
from assessor.models import Respondent as StoredRespondent
from assessor.questionnaire.schema_base import RESPONDENT_ROLES, RoleIs
from tests.scenarios import load_scenarios, parse
from tests.test_migrations import FIRST_SCHEMA_ROWS, _reset
from tests.web_support import Page, in_app, stage


def _scenario(slug: str) -> tuple:
    [found] = [s for s in load_scenarios() if s.slug == slug]
    return parse(found)


def test_a_dual_role_respondent_speaks_as_the_cio_and_as_the_ciso() -> None:
    questionnaire, _, _ = _scenario("dual-role-cio-ciso")
    for wanted, holders in (
        ("CIO", {"CIO", "CIO_CISO"}),
        ("CISO", {"CISO", "CIO_CISO"}),
        ("CTO", {"CTO"}),
        ("CEO", {"CEO"}),
    ):
        condition = compile_condition(RoleIs(respondent_role=wanted), questionnaire.questions)
        assert {r for r in RESPONDENT_ROLES if condition.test({}, r)} == holders, wanted
        assert not condition.test({}, None)  # the combined answers are nobody's


def test_the_startups_cto_is_named_as_who_acts_not_the_cio() -> None:
    """The start-up has no CIO title: the co-founder CTO leads IT and does security."""
    questionnaire, respondents, organization = _scenario("startup-no-ciso")
    assert [r.role for r in respondents] == ["CTO", "CEO"]
    result = score(questionnaire, respondents, organization=organization.get("name"))
    acts = {f.act for f in result.findings}
    assert "CTO" in acts and "CIO" not in acts
    # The same answers given by someone answering as the CIO name the CIO: the role counts.
    as_cio = [
        Respondent(r.name, "CIO" if r.role == "CTO" else r.role, r.answers) for r in respondents
    ]
    acts = {f.act for f in score(questionnaire, as_cio, organization="x").findings}
    assert "CIO" in acts and "CTO" not in acts


def test_a_dual_role_respondent_is_named_as_both_roles_in_a_perception_gap() -> None:
    questionnaire, [person], _ = _scenario("dual-role-cio-ciso")
    ceo = Respondent("Dana Board", "CEO", {**person.answers, "sec_program_maturity": 0})
    index = index_for(questionnaire)
    views = [view_of(index, r, n) for n, r in enumerate([person, ceo])]
    gaps = perception(index, views, combine(index, views))
    [said] = [f.recommendation for f in gaps.findings]
    assert said.startswith("CIO and CISO (Ray Delgado) says "), said
    assert "; CEO (Dana Board) says " in said
    result = score(questionnaire, [person, ceo])
    assert [r.role for r in result.respondents] == ["CIO_CISO", "CEO"]


@pytest.mark.parametrize("role", ["CTO", "CRO", "DPO", "CIO_CISO"])
def test_the_consultant_adds_a_respondent_of_a_new_role(
    app: Flask, client: FlaskClient, role: str
) -> None:
    setup = stage(app, client, people=())
    response = client.post(f"{setup.detail}/respondents", data={"name": "New Person", "role": role})
    assert response.status_code == 302
    page = Page(client.get(setup.detail))
    with in_app(app):
        stored = db.session.scalars(select(StoredRespondent.role)).all()
    assert stored == [role]
    shown = page.texts('tbody td[data-label="Role"]')
    assert shown == [{"CIO_CISO": "CIO and CISO"}.get(role, role)]


def test_an_unknown_role_is_refused_beside_the_field(app: Flask, client: FlaskClient) -> None:
    setup = stage(app, client, people=())
    page = Page(client.post(f"{setup.detail}/respondents", data={"name": "Eve", "role": "CXO"}))
    assert page.response.status_code == 422
    assert page.errors_beside("role") == ["Not a valid choice."]


def test_the_database_refuses_a_role_outside_the_list(app: Flask) -> None:
    with in_app(app), pytest.raises(Exception, match="(?i)check|constraint"):
        db.session.execute(
            text(
                "INSERT INTO respondent (assessment_id, name, role, revoked, included, created_at)"
                " VALUES (1, 'R', 'CXO', false, false, CURRENT_TIMESTAMP)"
            )
        )
        db.session.flush()
    with in_app(app):
        db.session.rollback()


def test_migration_0015_keeps_rows_and_widens_the_roles(
    app: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    """A respondent stored before 0015 keeps its role; after it a CTO can be stored; the
    downgrade refuses while one is, and goes through once no new role is left."""
    _reset(app)
    with app.app_context():
        upgrade(revision="0001")
        values = {"now": datetime.now(UTC), "no": False, "data": b"%PDF"}
        with db.engine.begin() as conn:
            for name in ("workspace", "user_account", "organization", "assessment", "respondent"):
                conn.execute(text(FIRST_SCHEMA_ROWS[name]), values)
        upgrade(revision="0014")
        upgrade()
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT role FROM respondent")).scalars().all() == ["CIO"]
            conn.execute(text("UPDATE respondent SET role = 'CIO_CISO'"))
        with pytest.raises(SystemExit):  # flask-migrate logs the error and exits
            downgrade(revision="0014")
        assert (
            "1 respondent(s) hold a role that revision 0014 does not know"
            in capsys.readouterr().err
        )
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE respondent SET role = 'CIO'"))
        downgrade(revision="0014")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT role FROM respondent")).scalars().all() == ["CIO"]
        db.session.remove()
        upgrade()
