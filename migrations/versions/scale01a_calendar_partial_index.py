"""activities: partial index of listed activities in calendar order; cache generations

Revision ID: scale01a
Revises: 1bcc1e62966c
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'scale01a'
down_revision = '1bcc1e62966c'
branch_labels = None
depends_on = None

LISTED = "status IN ('published', 'finished')"


def upgrade():
    generations = op.create_table(
        'cache_generations',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('value', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_cache_generations')),
    )
    op.bulk_insert(generations, [{'name': 'calendar', 'value': 0}])
    op.create_index('ix_activities_calendar', 'activities', ['starts_at', 'id'], unique=False,
                    sqlite_where=sa.text(LISTED), postgresql_where=sa.text(LISTED))


def downgrade():
    op.drop_index('ix_activities_calendar', table_name='activities')
    op.drop_table('cache_generations')
