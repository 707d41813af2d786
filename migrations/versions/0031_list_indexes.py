"""Indexes for the list pages and dashboards (issue 21):
- students: a covering index of each child's school, status, placement, focus flags, grade,
  pinyin name and village, so that counting and listing a township's children in need (留守
  without an 爱心妈妈, 学困 without a pair, the dashboard's focus groups) or its villages read
  the index, not ~5,000 wide rows;
- students (school, created_at) and status_changes' changed_on and to_status: the rates find
  the few children who did not stay enrolled all year by these, not row by row;
- tutoring_sessions (pair, mode, day): each pair's last contact and last meeting

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06 03:30:00

"""
from alembic import op


revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

PROFILE = ["school_id", "status", "placement", "left_behind", "single_parent", "orphan",
           "poverty", "disabled", "learning_difficulty", "migrant", "school_weary", "grade",
           "name_pinyin", "village"]


def upgrade():
    op.create_index("ix_students_profile", "students", PROFILE)
    op.create_index("ix_students_school_created", "students", ["school_id", "created_at"])
    op.create_index("ix_status_changes_changed_on", "status_changes", ["changed_on"])
    op.create_index("ix_status_changes_to_status", "status_changes", ["to_status"])
    op.create_index("ix_tutoring_sessions_pair_mode_day", "tutoring_sessions",
                    ["pair_id", "mode", "held_on"])


def downgrade():
    op.drop_index("ix_tutoring_sessions_pair_mode_day", table_name="tutoring_sessions")
    op.drop_index("ix_status_changes_to_status", table_name="status_changes")
    op.drop_index("ix_status_changes_changed_on", table_name="status_changes")
    op.drop_index("ix_students_school_created", table_name="students")
    op.drop_index("ix_students_profile", table_name="students")
