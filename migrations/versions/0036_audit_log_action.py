"""audit_log: an index on (action, id), so that the latest entry of an action is found in the
index, not by reading the log backwards: the officer's home page asks on every view for the
last nightly run and the last backup (home/health.py), and the log grows by every change,
export and sign-in of the township (a year: some hundred thousand rows); the audit page's
filter by action and the sign-in throttle's count of an action read the same index.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-06 20:25:00

"""
from alembic import op


revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_audit_log_action", "audit_log", ["action", "id"])


def downgrade():
    op.drop_index("ix_audit_log_action", table_name="audit_log")
