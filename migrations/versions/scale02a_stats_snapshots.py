"""stats: snapshots of the county's and townships' statistics

Revision ID: scale02a
Revises: secb01
Create Date: 2026-12-03 11:10:00

"""
from alembic import op
import sqlalchemy as sa

import api.db_types


# revision identifiers, used by Alembic.
revision = 'scale02a'
down_revision = 'secb01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stats_snapshots',
        sa.Column('scope', sa.String(length=16), nullable=False),
        sa.Column('answer', sa.JSON(), nullable=False),
        sa.Column('computed_at', api.db_types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('scope', name=op.f('pk_stats_snapshots')),
    )


def downgrade():
    op.drop_table('stats_snapshots')
