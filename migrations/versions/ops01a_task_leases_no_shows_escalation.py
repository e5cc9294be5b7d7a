"""Task leases (jobs, outbox), help-request escalation

Revision ID: ops01a
Revises: 1bcc1e62966c
Create Date: 2026-12-03 10:00:00

Jobs and notifications are claimed with a lease (``claimed_until``): a claim whose worker
died is taken again once the lease has run out. A notification records when its send
started (``attempt_started_at``): a claim that died after that is not sent again.
Help requests remember when they were escalated to the dispatchers.
"""
from alembic import op
import sqlalchemy as sa

from api.db_types import UTCDateTime

revision = 'ops01a'
down_revision = 'seca01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_until', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False,
                                      server_default='0'))
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_until', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('attempt_started_at', UTCDateTime(), nullable=True))
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalated_at', UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.drop_column('escalated_at')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('attempt_started_at')
        batch_op.drop_column('claimed_until')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('attempts')
        batch_op.drop_column('claimed_until')
