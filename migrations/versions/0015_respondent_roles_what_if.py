"""respondent roles of the model's edition 2; what-if scenarios

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 14:40:00

A respondent's role may now be any of the responsibility model's roles (CTO, CDO, CRO,
DPO, privacy officer, compliance or legal, an external provider), ``CIO_CISO`` for one
person who is both CIO and CISO, besides CIO, CISO, CEO and OTHER: only the check
constraint widens, no row changes.  The downgrade refuses while a respondent holds a new
role (narrowing would lose it).

Adds ``what_if_scenario``: a what-if kept under a name (an overlay of answers and domain
targets given to the engine, never stored as answers), which may go into the PDF.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
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
    op.create_table(
        "what_if_scenario",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("overlay", sa.JSON(), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("in_report", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_what_if_scenario_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_what_if_scenario")),
        sa.UniqueConstraint(
            "assessment_id", "name", name=op.f("uq_what_if_scenario_assessment_id_name")
        ),
    )
    with op.batch_alter_table("what_if_scenario", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_what_if_scenario_assessment_id"), ["assessment_id"], unique=False
        )


def downgrade():
    bind = op.get_bind()
    held = bind.execute(
        sa.text("SELECT COUNT(*) FROM respondent WHERE NOT " + _roles(OLD_ROLES))
    ).scalar()
    if held:  # checked first: nothing is dropped when the downgrade is refused
        raise RuntimeError(
            f"{held} respondent(s) hold a role that revision 0014 does not know; change "
            "their role to CIO, CISO, CEO or OTHER before downgrading"
        )
    with op.batch_alter_table("what_if_scenario", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_what_if_scenario_assessment_id"))
    op.drop_table("what_if_scenario")
    with op.batch_alter_table("respondent", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_respondent_role_valid"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_respondent_role_valid"), _roles(OLD_ROLES))
