"""report appendix: whether an assessment's report ends with every answer and comment

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 16:00:00

Adds ``assessment.report_appendix`` (true for every existing assessment: its reports
keep the appendix they had).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assessment") as batch:
        batch.add_column(
            sa.Column("report_appendix", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade():
    with op.batch_alter_table("assessment") as batch:
        batch.drop_column("report_appendix")
