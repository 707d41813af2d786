"""every kind of contact with a family: home_visits.mode (家访, 电话联系, 社区走访, 面谈/谈心), so
a teacher's 谈心 and a call to a parent working away are recorded beside the visits

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 22:50:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('home_visits', sa.Column('mode', sa.String(length=12), nullable=False,
                                           server_default='visit'))


def downgrade():
    with op.batch_alter_table('home_visits') as batch:
        batch.drop_column('mode')
