"""普职结合: where each child who finished 九年级 went (leavers), followed up until known

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 22:20:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'leavers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('student_id', sa.Integer(), nullable=False),
        sa.Column('destination', sa.String(length=12), nullable=False),
        sa.Column('school_name', sa.String(length=80), nullable=False),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.Column('confirmed_on', sa.Date(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['student_id'], ['students.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('student_id', name=op.f('uq_leavers_student_id')),
    )


def downgrade():
    op.drop_table('leavers')
