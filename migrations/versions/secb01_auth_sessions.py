"""auth sessions: one row per sign-in, for sign-out and rotating refresh tokens

Revision ID: secb01
Revises: ops01a
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import api.db_types


# revision identifiers, used by Alembic.
revision = 'secb01'
down_revision = 'ops01a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('auth_sessions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('refresh_generation', sa.Integer(), nullable=False),
    sa.Column('created_at', api.db_types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', api.db_types.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', api.db_types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_auth_sessions_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_sessions'))
    )
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auth_sessions_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_auth_sessions_expires_at'), ['expires_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auth_sessions_expires_at'))
        batch_op.drop_index(batch_op.f('ix_auth_sessions_user_id'))
    op.drop_table('auth_sessions')
