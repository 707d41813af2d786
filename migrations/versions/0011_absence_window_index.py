"""absences: an index on (kind, day, student_id) for the risk window

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 20:20:00

"""
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.create_index('ix_absences_kind_day', ['kind', 'day', 'student_id'], unique=False)


def downgrade():
    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.drop_index('ix_absences_kind_day')
