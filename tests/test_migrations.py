"""Migrations create the schema from nothing, and agree with the models."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import JSON, column, insert, inspect, select, table

from assessor.extensions import db
from assessor.models import StoredQuestionnaire
from assessor.operations.catalog import QuestionnaireUnavailable, catalog, questionnaire_for


def _reset(app) -> None:
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def test_upgrade_on_empty_database_matches_models(app) -> None:
    _reset(app)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "render_as_batch": True}
            )
            diff = compare_metadata(context, db.metadata)
        assert diff == []
        tables = set(inspect(db.engine).get_table_names())
        assert {t.name for t in db.metadata.sorted_tables} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()


def test_upgrade_stores_the_questionnaires_existing_assessments_use(app, capsys) -> None:
    """Assessments started before questionnaires were stored: the upgrade stores the files
    on disk that still have their content, and names the ones it can't."""
    _reset(app)
    with app.app_context():
        upgrade(revision="0001")
        # assessments from before questionnaires were stored were all on version 1
        shipped = catalog().get(app.config["DEFAULT_QUESTIONNAIRE"], 1)
        now = datetime.now(UTC)
        workspace = table("workspace", column("id"), column("name"), column("created_at"))
        organization = table(
            "organization",
            column("id"),
            column("workspace_id"),
            column("name"),
            column("created_at"),
        )
        assessment = table(
            "assessment",
            *(column(name) for name in ("organization_id", "title", "questionnaire_id")),
            *(column(name) for name in ("questionnaire_version", "questionnaire_hash")),
            *(column(name) for name in ("status", "updated_at", "created_at")),
            column("targets", JSON),
        )
        with db.engine.begin() as conn:
            conn.execute(insert(workspace).values(id=1, name="Old", created_at=now))
            conn.execute(
                insert(organization).values(id=1, workspace_id=1, name="Client", created_at=now)
            )
            for title, content in (("kept", shipped.hash), ("edited", "e" * 64)):
                conn.execute(
                    insert(assessment).values(
                        organization_id=1,
                        title=title,
                        questionnaire_id=shipped.id,
                        questionnaire_version=shipped.version,
                        questionnaire_hash=content,
                        status="submitted",
                        targets={},
                        updated_at=now,
                        created_at=now,
                    )
                )
        upgrade()
        assert (
            "questionnaire cio-ciso-governance version 1 (content eeeeeeeeeeee): no file on disk"
            in capsys.readouterr().err
        )
        rows = db.session.execute(
            select(StoredQuestionnaire.hash, StoredQuestionnaire.version, StoredQuestionnaire.files)
        ).all()
        assert rows == [(shipped.hash, 1, dict(catalog().files(shipped) or {}))]
        assert questionnaire_for(shipped.id, 1, shipped.hash).hash == shipped.hash
        with pytest.raises(QuestionnaireUnavailable, match="version 1 .content eeeeeeeeeeee."):
            questionnaire_for(shipped.id, 1, "e" * 64)


def test_upgrading_removes_a_stored_logo_that_todays_checks_refuse(app) -> None:
    """Migration 0005 checks stored logos again: one stored before reference chains were
    refused is removed, with an audit entry; a good one stays."""
    from sqlalchemy import select, text

    from assessor.models import AuditEvent, Workspace
    from tests.test_report_branding import HOSTILE_SVG

    good = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 1"><rect width="4"/></svg>'
    _reset(app)
    with app.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as conn:
            for name, logo in (("Hostile", HOSTILE_SVG), ("Good", good)):
                conn.execute(
                    text(
                        "INSERT INTO workspace (name, logo, logo_mimetype, created_at) "
                        "VALUES (:name, :logo, 'image/svg+xml', CURRENT_TIMESTAMP)"
                    ),
                    {"name": name, "logo": logo},
                )
        upgrade()
        logos = dict(db.session.execute(select(Workspace.name, Workspace.logo)).all())
        assert logos == {"Hostile": None, "Good": good}
        [event] = db.session.scalars(select(AuditEvent)).all()
        assert (event.action, event.actor) == ("logo-removed", "system")
        assert "more than 20,000 shapes" in event.detail["reason"]
        db.session.remove()


#: One row in each table of the first schema, every foreign key filled, as a database in
#: use holds them (inserted in this order).
FIRST_SCHEMA_ROWS = {
    "workspace": "INSERT INTO workspace (id, name, created_at) VALUES (1, 'W', :now)",
    "user_account": "INSERT INTO user_account (id, email, name, password_hash, session_nonce,"
    " created_at) VALUES (1, 'a@example.com', 'A', 'h', 0, :now)",
    "membership": "INSERT INTO membership (id, workspace_id, user_id, role, created_at)"
    " VALUES (1, 1, 1, 'owner', :now)",
    "invitation": "INSERT INTO invitation (id, workspace_id, email, role, token_hash,"
    " expires_at, revoked, invited_by_id, created_at)"
    " VALUES (1, 1, 'b@example.com', 'viewer', 'i', :now, :no, 1, :now)",
    "organization": "INSERT INTO organization (id, workspace_id, name, created_at)"
    " VALUES (1, 1, 'O', :now)",
    "assessment": "INSERT INTO assessment (id, organization_id, title, questionnaire_id,"
    " questionnaire_version, questionnaire_hash, status, targets, created_at, updated_at)"
    " VALUES (1, 1, 'T', 'q', 1, 'h', 'draft', '{}', :now, :now)",
    "respondent": "INSERT INTO respondent (id, assessment_id, name, role, user_id, revoked,"
    " created_at) VALUES (1, 1, 'R', 'CIO', 1, :no, :now)",
    "answer": "INSERT INTO answer (id, respondent_id, question_id, value, version, updated_at,"
    " updated_by) VALUES (1, 1, 'x', '1', 1, :now, 'R')",
    "answer_history": "INSERT INTO answer_history (id, respondent_id, question_id, value,"
    " version, changed_at, changed_by) VALUES (1, 1, 'x', '1', 1, :now, 'R')",
    "stored_report": "INSERT INTO stored_report (id, assessment_id, content_hash, format, data,"
    " created_at) VALUES (1, 1, 'c', 'pdf', :data, :now)",
    "audit_event": "INSERT INTO audit_event (id, workspace_id, user_id, actor, action, detail,"
    " at) VALUES (1, 1, 1, 'a', 'b', '{}', :now)",
}


def test_upgrading_a_database_in_use_keeps_every_row(app) -> None:
    """SQLite: a batch migration copies a table and drops the old one; with foreign keys
    on, the drop deleted every row that referred to it (upgrading from the first schema
    emptied memberships, answers, respondents and, later, whole workspaces)."""
    from sqlalchemy import text

    _reset(app)
    with app.app_context():
        upgrade(revision="0001")
        values = {"now": datetime.now(UTC), "no": False, "data": b"%PDF"}
        with db.engine.begin() as conn:
            for statement in FIRST_SCHEMA_ROWS.values():
                conn.execute(text(statement), values)
        upgrade()
        with db.engine.connect() as conn:
            counts = {
                name: conn.execute(text(f"SELECT count(*) FROM {name}")).scalar()
                for name in FIRST_SCHEMA_ROWS
            }
            if conn.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.session.remove()
    assert counts == dict.fromkeys(FIRST_SCHEMA_ROWS, 1)


def test_upgrading_keeps_the_results_of_closed_assessments_as_todays_engine_scores_them(
    app,
) -> None:
    """Migration 0008 stores the result of every closed assessment (and a snapshot of an
    open one that counts someone) as the engine scores it at the upgrade, method 1; an
    open one nobody counts in gets nothing; every row stays."""
    import json

    from sqlalchemy import text

    from assessor.engine import METHOD_VERSION, Respondent, score
    from assessor.models import Assessment, StoredResult
    from assessor.operations import kept_results
    from tests.web_support import CONTEXT

    _reset(app)
    with app.app_context():
        upgrade(revision="0007")
        shipped = catalog().get(app.config["DEFAULT_QUESTIONNAIRE"])
        now = datetime.now(UTC)
        files = dict(catalog().files(shipped) or {})
        answers = {**CONTEXT, "sec_program_owner": "CIO", "sec_training_maturity": 1}
        with db.engine.begin() as conn:
            conn.execute(
                insert(
                    table(
                        "stored_questionnaire",
                        *(column(c) for c in ("questionnaire_id", "version", "hash", "created_at")),
                        column("files", JSON),
                    )
                ),
                {
                    "questionnaire_id": shipped.id,
                    "version": shipped.version,
                    "hash": shipped.hash,
                    "files": files,
                    "created_at": now,
                },
            )
            conn.execute(
                text("INSERT INTO workspace (id, name, created_at) VALUES (1, 'W', :now)"),
                {"now": now},
            )
            conn.execute(
                text(
                    "INSERT INTO organization (id, workspace_id, name, created_at) VALUES (1, 1, 'Northwind', :now)"
                ),
                {"now": now},
            )
            for number, status in ((1, "closed"), (2, "in_progress"), (3, "draft")):
                conn.execute(
                    text(
                        "INSERT INTO assessment (id, organization_id, title, questionnaire_id,"
                        " questionnaire_version, questionnaire_hash, status, targets,"
                        " created_at, updated_at) VALUES (:id, 1, 'T', :qid, :version, :hash,"
                        " :status, :targets, :now, :now)"
                    ),
                    {
                        "id": number,
                        "qid": shipped.id,
                        "version": shipped.version,
                        "hash": shipped.hash,
                        "status": status,
                        "targets": json.dumps({"security": 4} if number == 1 else {}),
                        "now": now,
                    },
                )
                conn.execute(
                    text(
                        "INSERT INTO respondent (id, assessment_id, name, role, revoked, included,"
                        " submitted_at, created_at) VALUES (:id, :id, 'Ann Lee', 'CIO', :no, :no,"
                        " :submitted, :now)"
                    ),
                    {
                        "id": number,
                        "no": False,
                        "now": now,
                        "submitted": now if number < 3 else None,
                    },
                )
                for question, value in answers.items():
                    conn.execute(
                        text(
                            "INSERT INTO answer (respondent_id, question_id, value, comment,"
                            " version, updated_at, updated_by) VALUES (:rid, :q, :value,"
                            " :comment, 1, :now, 'Ann Lee')"
                        ),
                        {
                            "rid": number,
                            "q": question,
                            "value": json.dumps(value),
                            "now": now,
                            "comment": "Our plan" if question == "sec_program_owner" else None,
                        },
                    )
        before = {
            name: db.session.execute(text(f"SELECT count(*) FROM {name}")).scalar()
            for name in ("assessment", "respondent", "answer", "stored_questionnaire")
        }
        db.session.remove()
        upgrade()
        after = {
            name: db.session.execute(text(f"SELECT count(*) FROM {name}")).scalar()
            for name in before
        }
        assert after == before
        rows = db.session.scalars(select(StoredResult).order_by(StoredResult.assessment_id)).all()
        # On a method-1 engine the counted open assessment keeps a snapshot too; on a
        # newer one it is left for the explicit re-score (the migration's docstring).
        now = METHOD_VERSION
        kept = [(1, 1, "upgrade", now)] + ([(2, 1, "upgrade", 1)] if now == 1 else [])
        assert [(r.assessment_id, r.number, r.reason, r.method_version) for r in rows] == kept
        expected = score(
            shipped,
            [Respondent("Ann Lee", "CIO", answers, {"sec_program_owner": "Our plan"})],
            targets={"security": 4},
            organization="Northwind",
        ).to_dict()
        assert rows[0].result_json == kept_results.canonical(expected)
        assert (rows[0].questionnaire_id, rows[0].questionnaire_hash) == (shipped.id, shipped.hash)
        assert kept_results.current(1).result == expected
        methods = dict(db.session.execute(select(Assessment.id, Assessment.method_version)).all())
        assert methods == {1: now, 2: 1, 3: 1}
        db.session.remove()
