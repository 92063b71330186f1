"""the consultant's voice: finding statuses, settled facts, the edited summary, reviews

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 14:30:00

Adds ``finding_status``, ``settled_fact``, ``summary_edit`` and ``report_review``; no
existing row changes (nothing is written as answers).
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _assessment_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["assessment_id"],
        ["assessment.id"],
        name=op.f(f"fk_{table}_assessment_id_assessment"),
        ondelete="CASCADE",
    )


def upgrade():
    op.create_table(
        "finding_status",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("finding_key", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("accepted_by", sa.String(length=200), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=254), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'in_progress', 'risk_accepted', 'not_applicable')",
            name=op.f("ck_finding_status_status_valid"),
        ),
        _assessment_fk("finding_status"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_status")),
        sa.UniqueConstraint(
            "assessment_id",
            "finding_key",
            name=op.f("uq_finding_status_assessment_id_finding_key"),
        ),
    )
    op.create_table(
        "settled_fact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=100), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("settled_by", sa.String(length=254), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=False),
        _assessment_fk("settled_fact"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settled_fact")),
        sa.UniqueConstraint(
            "assessment_id",
            "question_id",
            name=op.f("uq_settled_fact_assessment_id_question_id"),
        ),
    )
    op.create_table(
        "summary_edit",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("edited_by", sa.String(length=254), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=False),
        _assessment_fk("summary_edit"),
        sa.PrimaryKeyConstraint("assessment_id", name=op.f("pk_summary_edit")),
    )
    op.create_table(
        "report_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(length=200), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("result_json", sa.Text(), nullable=False),
        sa.Column("edits_json", sa.Text(), nullable=False),
        sa.Column("paper", sa.String(length=10), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("signed_by", sa.String(length=254), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("number >= 1", name=op.f("ck_report_review_number_positive")),
        _assessment_fk("report_review"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_review")),
        sa.UniqueConstraint(
            "assessment_id", "number", name=op.f("uq_report_review_assessment_id_number")
        ),
    )
    for table in ("finding_status", "settled_fact", "report_review"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f(f"ix_{table}_assessment_id"), ["assessment_id"], unique=False
            )


def downgrade():
    for table in ("finding_status", "settled_fact", "report_review"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_assessment_id"))
    for table in ("report_review", "summary_edit", "settled_fact", "finding_status"):
        op.drop_table(table)
