"""stored questionnaires: every version an assessment uses, kept by content hash

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 07:50:00.000000

Assessments started before this revision are pinned to a content hash with no stored copy:
the upgrade stores the questionnaire files on disk (QUESTIONNAIRE_DIRS) for each hash they
still load to.  An assessment whose file has changed since is named in a warning; it opens
again once its file is restored as it was.
"""
import logging
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade():
    op.create_table('stored_questionnaire',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_questionnaire')),
    sa.UniqueConstraint('hash', name=op.f('uq_stored_questionnaire_hash'))
    )
    with op.batch_alter_table('stored_questionnaire', schema=None) as batch_op:
        batch_op.create_index('ix_stored_questionnaire_id_version', ['questionnaire_id', 'version'], unique=False)
    _store_what_assessments_use()


def _store_what_assessments_use():
    """Store, for every content hash an assessment is pinned to, the files on disk that
    still load to it (this revision's table and columns, not the models of later ones)."""
    from assessor.questionnaire import load_paths

    assessment = sa.table(
        'assessment',
        sa.column('questionnaire_id', sa.String),
        sa.column('questionnaire_version', sa.Integer),
        sa.column('questionnaire_hash', sa.String),
    )
    stored = sa.table(
        'stored_questionnaire',
        sa.column('questionnaire_id', sa.String),
        sa.column('version', sa.Integer),
        sa.column('hash', sa.String),
        sa.column('files', sa.JSON),
        sa.column('created_at', sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    pinned = bind.execute(
        sa.select(
            assessment.c.questionnaire_id,
            assessment.c.questionnaire_version,
            assessment.c.questionnaire_hash,
        ).distinct()
    ).all()
    if not pinned:
        return
    catalog, _problems = load_paths(current_app.config['QUESTIONNAIRE_DIRS'])
    for questionnaire_id, version, content_hash in pinned:
        found = catalog.find(questionnaire_id, version, content_hash)
        files = catalog.files(found) if found is not None else None
        if files is None:
            log.warning(
                "questionnaire %s version %s (content %s): no file on disk has this content "
                "any more; assessments pinned to it answer 410 until it is restored as it was",
                questionnaire_id, version, content_hash[:12],
            )
            continue
        bind.execute(stored.insert().values(
            questionnaire_id=questionnaire_id,
            version=version,
            hash=content_hash,
            files=dict(files),
            created_at=datetime.now(UTC),
        ))
        log.info("stored questionnaire %s version %s (content %s)", questionnaire_id, version,
                 content_hash[:12])


def downgrade():
    with op.batch_alter_table('stored_questionnaire', schema=None) as batch_op:
        batch_op.drop_index('ix_stored_questionnaire_id_version')

    op.drop_table('stored_questionnaire')
