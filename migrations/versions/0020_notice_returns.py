"""a notice's signed 回执 (送达回证) back: case_notices.scan_path and receipt_on, set by the
scan-in (blueprints/prints/scanin.py) when the cut-off slip comes back signed

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 18:45:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('case_notices', sa.Column('scan_path', sa.String(length=200), nullable=True))
    op.add_column('case_notices', sa.Column('receipt_on', sa.Date(), nullable=True))


def downgrade():
    op.drop_column('case_notices', 'receipt_on')
    op.drop_column('case_notices', 'scan_path')
