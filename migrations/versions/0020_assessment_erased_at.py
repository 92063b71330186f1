"""assessment erased at: when someone was last erased from an assessment

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 03:30:00

Adds ``assessment.erased_at`` (NULL: nobody was erased from it). A render of a report
stores its PDF only while the assessment's ``erased_at`` is what it was when the report's
content was scored, so that a render started, or handed content scored, before an
erasure never stores the erased person's report after it. No existing value changes.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assessment") as batch:
        batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("assessment") as batch:
        batch.drop_column("erased_at")
