"""roll calls: that a class's roll was taken on a school day (已点名), so a day nobody entered
is not read as a day everyone came; and a home visit's several 结果 ticks

roll_calls (class_id, day) unique, with who took it and when; marking any absence takes the
day's roll too. home_visits.outcome holds the ticked results, comma-separated (the first is
the main one), widened from 12 to 80 (on SQLite a rebuild of home_visits, which has none of
0014's risk triggers).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 19:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'roll_calls',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('class_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('taken_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['class_id'], ['classes.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('class_id', 'day', name='uq_roll_calls_class_day'))
    with op.batch_alter_table('home_visits') as batch:
        batch.alter_column('outcome', type_=sa.String(length=80),
                           existing_type=sa.String(length=12), existing_nullable=False)


def downgrade():
    with op.batch_alter_table('home_visits') as batch:
        batch.alter_column('outcome', type_=sa.String(length=12),
                           existing_type=sa.String(length=80), existing_nullable=False)
    op.drop_table('roll_calls')
