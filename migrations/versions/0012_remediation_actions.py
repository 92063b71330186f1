"""remediation actions: a finding the client works on, kept per organisation

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 12:00:00

Adds ``remediation_action`` (one row per organisation and finding key); no existing row
changes.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "remediation_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("finding_key", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("owner_name", sa.String(length=200), nullable=False),
        sa.Column("owner_email", sa.String(length=254), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'in_progress', 'done')",
            name=op.f("ck_remediation_action_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_remediation_action_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remediation_action")),
        sa.UniqueConstraint(
            "organization_id",
            "finding_key",
            name=op.f("uq_remediation_action_organization_id_finding_key"),
        ),
    )
    with op.batch_alter_table("remediation_action", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_remediation_action_organization_id"), ["organization_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("remediation_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_remediation_action_organization_id"))
    op.drop_table("remediation_action")
