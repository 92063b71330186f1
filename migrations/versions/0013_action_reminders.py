"""action reminders: when an action's owner was last reminded by e-mail

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 15:00:00

Adds ``remediation_action.reminded_at`` (NULL: never reminded) and ``mail_log.action_id``
(the action an owner's reminder was about, so that erasing the client erases the
e-mail); no existing value changes.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("remediation_action") as batch:
        batch.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("mail_log") as batch:
        batch.add_column(sa.Column("action_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_mail_log_action_id_remediation_action",
            "remediation_action",
            ["action_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_mail_log_action_id", ["action_id"])


def downgrade():
    with op.batch_alter_table("mail_log") as batch:
        batch.drop_index("ix_mail_log_action_id")
        batch.drop_constraint("fk_mail_log_action_id_remediation_action", type_="foreignkey")
        batch.drop_column("action_id")
    with op.batch_alter_table("remediation_action") as batch:
        batch.drop_column("reminded_at")
