"""school_reports: a school's 月报 to the central school (or its 零报告), kept as sent, so that
the central school sees which schools have reported a month and which have not.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-07 05:30:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'school_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('sent_on', sa.Date(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('suspected', sa.Integer(), nullable=False),
        sa.Column('dropouts', sa.Integer(), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['school_id'], ['schools.id'],
                                name=op.f('fk_school_reports_school_id_schools')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_school_reports_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_school_reports')),
        sa.UniqueConstraint('school_id', 'month', 'version',
                            name=op.f('uq_school_reports_school_id_month_version')))
    op.create_index(op.f('ix_school_reports_school_id'), 'school_reports', ['school_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_school_reports_school_id'), table_name='school_reports')
    op.drop_table('school_reports')
