"""month reports: a month's ledgers kept as they were sent (报送), with later corrections

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 16:40:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'month_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('central_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('sent_on', sa.Date(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.String(length=300), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['central_id'], ['schools.id'],
                                name=op.f('fk_month_reports_central_id_schools')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_month_reports_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_month_reports')),
        sa.UniqueConstraint('central_id', 'month', 'version',
                            name=op.f('uq_month_reports_central_id_month_version')))
    op.create_index(op.f('ix_month_reports_central_id'), 'month_reports', ['central_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_month_reports_central_id'), table_name='month_reports')
    op.drop_table('month_reports')
