"""Constraints live in the database: duplicates, dangling references and bad enumerations
are refused by the database itself, and deletes cascade as designed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from assessor.extensions import db
from assessor.models import (
    Answer,
    AnswerHistory,
    Assessment,
    Membership,
    Organization,
    Respondent,
    User,
    Workspace,
)


def _raw_insert(model, **values):
    """Insert bypassing the ORM, so only the database can refuse it."""
    db.session.execute(insert(model).values(**values))
    db.session.flush()


@pytest.fixture
def world(app):
    with app.app_context():
        ws = Workspace(name="Firm")
        user = User(email="a@example.com", name="A", password_hash="x")
        db.session.add_all([ws, user])
        db.session.flush()
        db.session.add(Membership(workspace_id=ws.id, user_id=user.id, role="owner"))
        org = Organization(workspace_id=ws.id, name="Client")
        db.session.add(org)
        db.session.flush()
        assessment = Assessment(
            organization_id=org.id,
            title="2026",
            questionnaire_id="q",
            questionnaire_version=1,
            questionnaire_hash="h" * 64,
        )
        db.session.add(assessment)
        db.session.flush()
        respondent = Respondent(assessment_id=assessment.id, name="R", role="CIO")
        db.session.add(respondent)
        db.session.commit()
        yield {"ws": ws.id, "user": user.id, "org": org.id, "a": assessment.id, "r": respondent.id}
        db.session.rollback()


def _refused(statement) -> None:
    with pytest.raises(IntegrityError):
        statement()
    db.session.rollback()


def test_duplicate_email_refused(app, world) -> None:
    with app.app_context():
        _refused(
            lambda: _raw_insert(
                User,
                email="a@example.com",
                name="B",
                password_hash="y",
                created_at=datetime.now(UTC),
            )
        )


def test_duplicate_membership_refused(app, world) -> None:
    with app.app_context():
        _refused(
            lambda: _raw_insert(
                Membership,
                workspace_id=world["ws"],
                user_id=world["user"],
                role="viewer",
                created_at=datetime.now(UTC),
            )
        )


def test_unknown_member_role_refused(app, world) -> None:
    with app.app_context():
        other = User(email="b@example.com", name="B", password_hash="x")
        db.session.add(other)
        db.session.commit()
        _refused(
            lambda: _raw_insert(
                Membership,
                workspace_id=world["ws"],
                user_id=other.id,
                role="admin",
                created_at=datetime.now(UTC),
            )
        )


def test_dangling_reference_refused(app, world) -> None:
    with app.app_context():
        _refused(
            lambda: _raw_insert(
                Organization, workspace_id=9999, name="Ghost", created_at=datetime.now(UTC)
            )
        )


def test_duplicate_organization_name_in_workspace_refused(app, world) -> None:
    with app.app_context():
        _refused(
            lambda: _raw_insert(
                Organization, workspace_id=world["ws"], name="Client", created_at=datetime.now(UTC)
            )
        )


def test_bad_assessment_status_and_respondent_role_refused(app, world) -> None:
    with app.app_context():
        now = datetime.now(UTC)
        _refused(
            lambda: _raw_insert(
                Assessment,
                organization_id=world["org"],
                title="x",
                questionnaire_id="q",
                questionnaire_version=1,
                questionnaire_hash="h",
                status="archived",
                targets={},
                created_at=now,
                updated_at=now,
            )
        )
        _refused(
            lambda: _raw_insert(
                Respondent,
                assessment_id=world["a"],
                name="X",
                role="CFO",  # not a respondent role
                revoked=False,
                created_at=now,
            )
        )


def test_one_answer_per_question_and_positive_version(app, world) -> None:
    with app.app_context():
        now = datetime.now(UTC)
        row = dict(
            respondent_id=world["r"],
            question_id="q1",
            value=1,
            version=1,
            updated_at=now,
            updated_by="R",
        )
        _raw_insert(Answer, **row)
        db.session.commit()
        _refused(lambda: _raw_insert(Answer, **row))
        _refused(lambda: _raw_insert(Answer, **{**row, "question_id": "q2", "version": 0}))


def test_deleting_a_workspace_cascades_to_everything_in_it(app, world) -> None:
    with app.app_context():
        now = datetime.now(UTC)
        _raw_insert(
            Answer,
            respondent_id=world["r"],
            question_id="q1",
            value=1,
            version=1,
            updated_at=now,
            updated_by="R",
        )
        _raw_insert(
            AnswerHistory,
            respondent_id=world["r"],
            question_id="q1",
            value=1,
            version=1,
            changed_at=now,
            changed_by="R",
        )
        db.session.commit()
        db.session.execute(Workspace.__table__.delete().where(Workspace.id == world["ws"]))
        db.session.commit()
        for model in (Organization, Assessment, Respondent, Answer, AnswerHistory, Membership):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0
        assert db.session.get(User, world["user"]) is not None


def test_datetimes_come_back_timezone_aware(app, world) -> None:
    with app.app_context():
        respondent = db.session.get(Respondent, world["r"])
        db.session.expire_all()
        respondent = db.session.get(Respondent, world["r"])
        assert respondent.created_at.tzinfo is not None
