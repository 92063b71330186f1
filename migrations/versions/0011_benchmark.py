"""benchmark: a client's consent to count in the firm's benchmarks; the band a report froze

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 12:00:00

Adds ``organization.benchmark_consent_at`` (NULL for every existing client: nobody has
opted in) and ``benchmark_shown`` (one row per stored result whose report showed a
benchmark).  Existing rows are kept as they are.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("benchmark_consent_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "benchmark_shown",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stored_result_id", sa.Integer(), nullable=False),
        sa.Column("shown", sa.JSON(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["stored_result_id"],
            ["stored_result.id"],
            name=op.f("fk_benchmark_shown_stored_result_id_stored_result"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benchmark_shown")),
        sa.UniqueConstraint("stored_result_id", name=op.f("uq_benchmark_shown_stored_result_id")),
    )


def downgrade():
    op.drop_table("benchmark_shown")
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_column("benchmark_consent_at")
