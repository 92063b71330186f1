"""kept results: the result an assessment delivered, stored with its method version

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 11:00:00

Adds ``stored_result`` and ``assessment.method_version`` (1 for every assessment: every
result before this revision was scored by method 1), then stores, at upgrade time, the
result of every closed assessment (and of every open one that counts someone: its
snapshot) as today's engine scores it, ``reason`` "upgrade".

Why at upgrade time and not lazily on first read: scoring is a pure function of rows
this revision can read (the stored questionnaire files, the answers, the targets, the
organisation's name), so it is safe here; and a result stored now is scored by the
method the assessment was shown with until now, whereas one stored on a first read
months later would be scored by whatever method the code has then.  This revision reads
its tables with ``sa.table`` (not the models of later revisions) and the engine as it is
when the upgrade runs; each row records the method version that scored it, and the
assessment records it too.  Run on a release whose engine is still method 1, the kept
results are exactly what was shown before.  Run on a later release, closed assessments
are stored by that release's method (their rows say so) and open ones are left for the
explicit re-score, with nothing stored for them (storing a newer method's result for an
open assessment would move it silently).  A closed assessment whose questionnaire cannot
be loaded is named in a warning and stored on its first read instead
(``operations/kept_results.py``, ``reason`` "first-read").
"""

import logging
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

#: The method every result was scored by before this revision.
METHOD_BEFORE = 1


def upgrade():
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("method_version", sa.Integer(), nullable=False, server_default="1")
        )
    op.create_table(
        "stored_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("result_json", sa.Text(), nullable=False),
        sa.Column("result_sha256", sa.String(length=64), nullable=False),
        sa.Column("questionnaire_id", sa.String(length=100), nullable=False),
        sa.Column("questionnaire_version", sa.Integer(), nullable=False),
        sa.Column("questionnaire_hash", sa.String(length=64), nullable=False),
        sa.Column("method_version", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("stored_by", sa.String(length=254), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "method_version >= 1", name=op.f("ck_stored_result_method_version_positive")
        ),
        sa.CheckConstraint("number >= 1", name=op.f("ck_stored_result_number_positive")),
        sa.CheckConstraint(
            "reason IN ('closed', 'submitted', 'rescored', 'upgrade', 'first-read', 'erasure')",
            name=op.f("ck_stored_result_reason_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_stored_result_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_result")),
        sa.UniqueConstraint(
            "assessment_id", "number", name=op.f("uq_stored_result_assessment_id_number")
        ),
    )
    with op.batch_alter_table("stored_result", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stored_result_assessment_id"), ["assessment_id"], unique=False
        )
    _store_delivered_results()


_assessment = sa.table(
    "assessment",
    sa.column("id", sa.Integer),
    sa.column("organization_id", sa.Integer),
    sa.column("questionnaire_id", sa.String),
    sa.column("questionnaire_version", sa.Integer),
    sa.column("questionnaire_hash", sa.String),
    sa.column("status", sa.String),
    sa.column("targets", sa.JSON),
    sa.column("method_version", sa.Integer),
)
_organization = sa.table("organization", sa.column("id", sa.Integer), sa.column("name", sa.String))
_respondent = sa.table(
    "respondent",
    sa.column("id", sa.Integer),
    sa.column("assessment_id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("role", sa.String),
    sa.column("submitted_at", sa.DateTime(timezone=True)),
    sa.column("included", sa.Boolean),
    sa.column("removed_at", sa.DateTime(timezone=True)),
)
_answer = sa.table(
    "answer",
    sa.column("respondent_id", sa.Integer),
    sa.column("question_id", sa.String),
    sa.column("value", sa.JSON),
    sa.column("comment", sa.Text),
)
_stored_questionnaire = sa.table(
    "stored_questionnaire", sa.column("hash", sa.String), sa.column("files", sa.JSON)
)
_stored_result = sa.table(
    "stored_result",
    *(sa.column(name, sa.Integer) for name in ("assessment_id", "number", "method_version")),
    *(sa.column(name, sa.String) for name in ("result_sha256", "questionnaire_id")),
    sa.column("questionnaire_version", sa.Integer),
    *(sa.column(name, sa.String) for name in ("questionnaire_hash", "reason", "stored_by")),
    sa.column("result_json", sa.Text),
    sa.column("stored_at", sa.DateTime(timezone=True)),
)


def _store_delivered_results():
    """Score and store every closed assessment (and, on a method-1 engine, every open one
    that counts someone), with this revision's tables."""
    from assessor.engine import METHOD_VERSION, Respondent, score
    from assessor.operations.kept_results import canonical, digest

    bind = op.get_bind()
    statuses = ("closed",) if METHOD_VERSION != METHOD_BEFORE else None
    query = sa.select(_assessment, _organization.c.name.label("organization")).join(
        _organization, _organization.c.id == _assessment.c.organization_id
    )
    if statuses is not None:
        query = query.where(_assessment.c.status.in_(statuses))
    loaded = {}
    for row in bind.execute(query.order_by(_assessment.c.id)).mappings().all():
        people = bind.execute(
            sa.select(_respondent)
            .where(_respondent.c.assessment_id == row["id"], _respondent.c.removed_at.is_(None))
            .order_by(_respondent.c.id)
        ).mappings().all()
        counted = [p for p in people if p["submitted_at"] is not None or p["included"]]
        if row["status"] != "closed" and not counted:
            continue
        questionnaire = _questionnaire(bind, row, loaded)
        if questionnaire is None:
            continue
        respondents = []
        for person in counted:
            answers = bind.execute(
                sa.select(_answer).where(_answer.c.respondent_id == person["id"])
            ).mappings().all()
            respondents.append(
                Respondent(
                    name=person["name"],
                    role=person["role"],
                    answers={a["question_id"]: a["value"] for a in answers if a["value"] is not None},
                    comments={a["question_id"]: a["comment"] for a in answers if a["comment"]},
                )
            )
        result = score(
            questionnaire,
            respondents,
            targets=row["targets"] or None,
            organization=row["organization"],
        ).to_dict()
        text = canonical(result)
        bind.execute(
            _stored_result.insert().values(
                assessment_id=row["id"],
                number=1,
                result_json=text,
                result_sha256=digest(text),
                questionnaire_id=result["questionnaire"]["id"],
                questionnaire_version=result["questionnaire"]["version"],
                questionnaire_hash=result["questionnaire"]["hash"],
                method_version=METHOD_VERSION,
                reason="upgrade",
                stored_by="system",
                stored_at=datetime.now(UTC),
            )
        )
        bind.execute(
            _assessment.update()
            .where(_assessment.c.id == row["id"])
            .values(method_version=METHOD_VERSION)
        )
    log.info("kept the results of the assessments above, scored by method %s", METHOD_VERSION)


def _questionnaire(bind, row, loaded):
    """The assessment's questionnaire from its stored files (else the files on disk that
    load to its hash), or None, named in a warning."""
    from assessor.questionnaire import QuestionnaireError, load_files, load_paths

    content_hash = row["questionnaire_hash"]
    if content_hash in loaded:
        return loaded[content_hash]
    found = None
    files = bind.execute(
        sa.select(_stored_questionnaire.c.files).where(
            _stored_questionnaire.c.hash == content_hash
        )
    ).scalar()
    try:
        if files is not None:
            found = load_files(files, f"stored {row['questionnaire_id']}")
            found = found.model_copy(update={"hash": content_hash})
        else:
            catalog, _problems = load_paths(current_app.config["QUESTIONNAIRE_DIRS"])
            found = catalog.find(row["questionnaire_id"], row["questionnaire_version"], content_hash)
    except QuestionnaireError as exc:
        log.warning("questionnaire %s: %s", row["questionnaire_id"], exc)
    if found is None:
        log.warning(
            "assessment %s: questionnaire %s version %s (content %s) cannot be loaded; its "
            "result is stored on its first read instead",
            row["id"],
            row["questionnaire_id"],
            row["questionnaire_version"],
            content_hash[:12],
        )
    loaded[content_hash] = found
    return found


def downgrade():
    with op.batch_alter_table("stored_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_result_assessment_id"))
    op.drop_table("stored_result")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_column("method_version")
