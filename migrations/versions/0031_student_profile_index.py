"""students: a covering index of each child's school, status, placement, focus flags, grade,
pinyin name and village, so that counting and listing a township's children in need (留守
without an 爱心妈妈, 学困 without a pair, the dashboard's focus groups) or its villages read the
index, not ~5,000 wide rows

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06 03:30:00

"""
from alembic import op


revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

COLUMNS = ["school_id", "status", "placement", "left_behind", "single_parent", "orphan",
           "poverty", "disabled", "learning_difficulty", "migrant", "school_weary", "grade", "name_pinyin", "village"]


def upgrade():
    op.create_index("ix_students_profile", "students", COLUMNS)


def downgrade():
    op.drop_index("ix_students_profile", table_name="students")
