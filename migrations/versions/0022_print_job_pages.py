"""print jobs count pages too: a long single document (an evidence pack, a ledger) shows its
pages laid out so far instead of "0 / 1"; and the unit its documents are counted in (份, 所学校,
个班), so the count on the job page is the heading's

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 19:10:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('print_jobs', sa.Column('pages', sa.Integer(), nullable=False,
                                          server_default='0'))
    op.add_column('print_jobs', sa.Column('unit', sa.String(length=8), nullable=False,
                                          server_default='份'))


def downgrade():
    op.drop_column('print_jobs', 'unit')
    op.drop_column('print_jobs', 'pages')
