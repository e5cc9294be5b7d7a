"""volunteer profiles: an ID number claimed while another account holds it (staff review)

Revision ID: seca01
Revises: 1bcc1e62966c
Create Date: 2026-12-03 10:15:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'seca01'
down_revision = 'scale01a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('volunteer_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('id_number_claim_encrypted', sa.String(length=255),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('volunteer_profiles', schema=None) as batch_op:
        batch_op.drop_column('id_number_claim_encrypted')
