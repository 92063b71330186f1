"""respondents: included before submitting, soft removal

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 07:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('respondent', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('included', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('respondent', schema=None) as batch_op:
        batch_op.drop_column('removed_at')
        batch_op.drop_column('included')
