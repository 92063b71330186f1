"""respondent roles of the model's edition 2; what-if scenarios

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-06 14:40:00

A respondent's role may now be any of the responsibility model's roles (CTO, CDO, CRO,
DPO, privacy officer, compliance or legal, an external provider), ``CIO_CISO`` for one
person who is both CIO and CISO, besides CIO, CISO, CEO and OTHER: only the check
constraint widens, no row changes.  The downgrade refuses while a respondent holds a new
role (narrowing would lose it).
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None

OLD_ROLES = ("CIO", "CISO", "CEO", "OTHER")
NEW_ROLES = (
    "CIO",
    "CISO",
    "CIO_CISO",
    "CTO",
    "CDO",
    "CRO",
    "DPO",
    "PRIVACY",
    "COMPLIANCE",
    "CEO",
    "EXTERNAL",
    "OTHER",
)


def _roles(roles):
    return "role IN ({})".format(", ".join(f"'{r}'" for r in roles))


def upgrade():
    with op.batch_alter_table("respondent", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_respondent_role_valid"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_respondent_role_valid"), _roles(NEW_ROLES))


def downgrade():
    bind = op.get_bind()
    held = bind.execute(
        sa.text("SELECT COUNT(*) FROM respondent WHERE NOT " + _roles(OLD_ROLES))
    ).scalar()
    if held:
        raise RuntimeError(
            f"{held} respondent(s) hold a role that revision 0012 does not know; change "
            "their role to CIO, CISO, CEO or OTHER before downgrading"
        )
    with op.batch_alter_table("respondent", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_respondent_role_valid"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_respondent_role_valid"), _roles(OLD_ROLES))
