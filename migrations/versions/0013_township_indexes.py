"""indexes for a township's pages

Absences (student_id, kind, day) replaces the plain student_id index, so that a township's or
a school's risk window is read from the index child by child. Students (school_id, status)
replaces the plain school_id index, so that a scope's enrolled children are not found through
the status index (every enrolled child of the county). Students (status, name_pinyin), beside
the plain status index (whose (status, rowid) key still serves "status = ? AND id IN ..."),
so that the register's first page in pinyin order reads its 50 rows instead of sorting every
enrolled child (the county reader: 10 -> 0.2 ms).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 22:40:00

"""
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.create_index('ix_absences_student_kind_day', ['student_id', 'kind', 'day'],
                              unique=False)
        batch_op.drop_index('ix_absences_student_id')
    with op.batch_alter_table('students', schema=None) as batch_op:
        batch_op.create_index('ix_students_school_status', ['school_id', 'status'], unique=False)
        batch_op.drop_index('ix_students_school_id')
        batch_op.create_index('ix_students_status_pinyin', ['status', 'name_pinyin'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('students', schema=None) as batch_op:
        batch_op.create_index('ix_students_school_id', ['school_id'], unique=False)
        batch_op.drop_index('ix_students_school_status')
        batch_op.drop_index('ix_students_status_pinyin')
    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.create_index('ix_absences_student_id', ['student_id'], unique=False)
        batch_op.drop_index('ix_absences_student_kind_day')
