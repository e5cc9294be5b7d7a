"""families (a guardian's children, with consent), activity age rules, WeChat unionid

Revision ID: inc01a
Revises: ops01a
Create Date: 2026-12-03 10:20:00

"""
from alembic import op
import sqlalchemy as sa

import api.db_types


revision = 'inc01a'
down_revision = 'scale02a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('family_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guardian_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('real_name', sa.String(length=40), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('relation', sa.String(length=10), nullable=False),
    sa.Column('id_number_encrypted', sa.String(length=255), nullable=True),
    sa.Column('id_number_hash', sa.String(length=64), nullable=True),
    sa.Column('consent_version', sa.String(length=20), nullable=False),
    sa.Column('consent_given_at', api.db_types.UTCDateTime(), nullable=False),
    sa.Column('consent_withdrawn_at', api.db_types.UTCDateTime(), nullable=True),
    sa.Column('created_at', api.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['users.id'], name=op.f('fk_family_members_child_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['guardian_id'], ['users.id'], name=op.f('fk_family_members_guardian_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_family_members')),
    sa.UniqueConstraint('child_id', name=op.f('uq_family_members_child_id')),
    sa.UniqueConstraint('id_number_hash', name=op.f('uq_family_members_id_number_hash'))
    )
    with op.batch_alter_table('family_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_family_members_guardian_id'), ['guardian_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unionid', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('oa_openid', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_unionid'), ['unionid'])
        batch_op.create_unique_constraint(batch_op.f('uq_users_oa_openid'), ['oa_openid'])

    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_age', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('guardian_required', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_oa_openid'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_users_unionid'), type_='unique')
        batch_op.drop_column('oa_openid')
        batch_op.drop_column('unionid')

    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_column('guardian_required')
        batch_op.drop_column('min_age')

    with op.batch_alter_table('family_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_family_members_guardian_id'))

    op.drop_table('family_members')
