"""非正常学籍 clean-up: record_checks, a child's 去向 found and verified, 上报, 申请转学/删除 and
its end (models/records.py); the statuses 问题学籍 and 已删除学籍 need no schema change

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 21:30:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'record_checks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('student_id', sa.Integer(), nullable=False),
        sa.Column('whereabouts', sa.String(length=20), nullable=False),
        sa.Column('place', sa.String(length=120), nullable=False),
        sa.Column('school_name', sa.String(length=80), nullable=False),
        sa.Column('verified_how', sa.String(length=12), nullable=False),
        sa.Column('verified_by', sa.String(length=40), nullable=False),
        sa.Column('verified_on', sa.Date(), nullable=True),
        sa.Column('proof_path', sa.String(length=200), nullable=True),
        sa.Column('reported_on', sa.Date(), nullable=True),
        sa.Column('request', sa.String(length=10), nullable=False),
        sa.Column('requested_on', sa.Date(), nullable=True),
        sa.Column('done_on', sa.Date(), nullable=True),
        sa.Column('note', sa.String(length=300), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['student_id'], ['students.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('student_id', name=op.f('uq_record_checks_student_id')),
    )


def downgrade():
    op.drop_table('record_checks')
