"""dropout_cases.out_since: the first day the child was out of school (首次未到校), which the
notices and the 辍学学生情况报告表 state (自…起未到校, 离校时间); they said the day the case was
opened (a case opened from a 家访 on 12-07 for a child absent since 12-02). Known for a case
opened from attendance or from a visit answering a warning (the run's first day); else empty
until the school writes it in, and the papers fall back to the day the case was opened.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-07 05:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("dropout_cases") as batch:
        batch.add_column(sa.Column("out_since", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("dropout_cases") as batch:
        batch.drop_column("out_since")
