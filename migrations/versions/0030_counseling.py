"""心理辅导: counseling_records, a teacher's individual or group counselling with the problem
and the child's change (厌学 转化), kept apart from tutoring pairs

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06 00:30:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'counseling_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('student_id', sa.Integer(), nullable=True),
        sa.Column('group_label', sa.String(length=60), nullable=False),
        sa.Column('group_size', sa.Integer(), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('topic', sa.String(length=16), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('change', sa.String(length=12), nullable=False),
        sa.Column('next_step', sa.String(length=200), nullable=False),
        sa.Column('counselor_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['school_id'], ['schools.id']),
        sa.ForeignKeyConstraint(['student_id'], ['students.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['counselor_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    for column in ('school_id', 'student_id', 'held_on', 'counselor_id'):
        op.create_index(op.f(f'ix_counseling_records_{column}'), 'counseling_records', [column])


def downgrade():
    op.drop_table('counseling_records')
