"""two-factor failures: wrong second-step codes in a row, and the wait they impose

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08 10:00:00

Adds ``user_account.two_factor_failures`` (0 for every existing account) and
``user_account.two_factor_wait_until`` (empty): past ten wrong codes in a row the next
attempt waits, and at a hundred the second step is locked until the password is reset
or the operator resets two-factor sign-in.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(
            sa.Column("two_factor_failures", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("two_factor_wait_until", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("two_factor_wait_until")
        batch.drop_column("two_factor_failures")
