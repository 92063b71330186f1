"""respondent links: derived (so they can be copied and sent again), and reminders counted
from each respondent's last contact

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 10:00:00

Adds ``respondent.link_salt`` (the personal link's token is derived from it and
``SECRET_KEY``; NULL for the links made before, which keep working until they expire or
are revoked, but can't be shown or sent again), ``respondent.contacted_at`` (when the
respondent was last given their link; NULL: before this, and reminders count from the
link's issue instead) and ``reminder_check`` (when the check for due reminders last ran:
one row, none yet).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("respondent") as batch:
        batch.add_column(sa.Column("link_salt", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("contacted_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "reminder_check",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_check")),
    )


def downgrade():
    op.drop_table("reminder_check")
    with op.batch_alter_table("respondent") as batch:
        batch.drop_column("contacted_at")
        batch.drop_column("link_salt")
