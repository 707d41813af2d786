"""who did not come, who sat in, and who gets the minutes: a meeting's 请假 and 列席 people and
its 分送 list, as a 纪要 prints them (its 期号 is counted, not stored)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 18:20:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('meetings', sa.Column('absentees', sa.Text(), nullable=False, server_default=''))
    op.add_column('meetings', sa.Column('observers', sa.Text(), nullable=False, server_default=''))
    op.add_column('meetings', sa.Column('distribution', sa.String(length=200), nullable=False,
                                        server_default=''))


def downgrade():
    op.drop_column('meetings', 'distribution')
    op.drop_column('meetings', 'observers')
    op.drop_column('meetings', 'absentees')
