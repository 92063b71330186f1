"""render jobs; stored SVG logos checked again

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 08:00:00

A logo stored before SVG reference chains and deep nesting were refused at upload is
checked again with today's rules: one that fails is removed from its workspace (the
reports print no logo until a new one is uploaded), with an audit entry saying why.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('render_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('lane', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=True),
    sa.Column('detail', sa.String(length=500), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('paper', sa.String(length=10), nullable=False),
    sa.Column('worker', sa.String(length=100), nullable=True),
    sa.Column('peak_mb', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("lane IN ('interactive', 'bulk')", name=op.f('ck_render_job_lane_valid')),
    sa.CheckConstraint("reason IN ('limit hit', 'error', 'abandoned', 'busy')", name=op.f('ck_render_job_reason_valid')),
    sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_render_job_state_valid')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_render_job_assessment_id_assessment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_render_job_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_render_job'))
    )
    with op.batch_alter_table('render_job', schema=None) as batch_op:
        batch_op.create_index('ix_render_job_assessment_hash', ['assessment_id', 'content_hash'], unique=False)
        batch_op.create_index('ix_render_job_state_workspace', ['state', 'workspace_id'], unique=False)

    from assessor.operations.logos import recheck_stored_logos

    recheck_stored_logos(op.get_bind())


def downgrade():
    with op.batch_alter_table('render_job', schema=None) as batch_op:
        batch_op.drop_index('ix_render_job_state_workspace')
        batch_op.drop_index('ix_render_job_assessment_hash')

    op.drop_table('render_job')
