"""invitation proof: only the e-mailed team-invitation link proves the invitee's address

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 10:00:00

Adds ``invitation.proof_hash`` (the sha256 of the secret only the e-mailed link carries;
NULL for invitations sent before, whose links then prove nothing) and
``invitation.pending_user_id`` (an account made through the owner's copy of the link,
which joins once it confirms its address).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("invitation") as batch:
        batch.add_column(sa.Column("proof_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("pending_user_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_invitation_pending_user_id_user_account"),
            "user_account",
            ["pending_user_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("invitation") as batch:
        batch.drop_constraint(
            batch.f("fk_invitation_pending_user_id_user_account"), type_="foreignkey"
        )
        batch.drop_column("pending_user_id")
        batch.drop_column("proof_hash")
