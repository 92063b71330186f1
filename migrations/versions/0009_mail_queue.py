"""mail queue: a message is logged as queued, with its text, before it is sent

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 11:10:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("mail_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(batch_op.f("ck_mail_log_status_valid"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_mail_log_status_valid"), "status IN ('queued', 'sent', 'failed')"
        )
        batch_op.create_index("ix_mail_log_status", ["status"], unique=False)


def downgrade():
    # A message still queued is given up, with the reason, before the state goes away.
    op.execute(
        "UPDATE mail_log SET status = 'failed', error = 'not sent: the mail queue was removed' "
        "WHERE status = 'queued'"
    )
    with op.batch_alter_table("mail_log", schema=None) as batch_op:
        batch_op.drop_index("ix_mail_log_status")
        batch_op.drop_constraint(batch_op.f("ck_mail_log_status_valid"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_mail_log_status_valid"), "status IN ('sent', 'failed')"
        )
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("attempts")
        batch_op.drop_column("message")
