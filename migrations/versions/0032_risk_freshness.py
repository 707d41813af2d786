"""risk scores found out of date through indexes, not by reading a township's every score:
- every child gets a row of risk_scores (the students' insert trigger of 0014 makes one for a
  child added since; children registered before 0014 had none), unscored, so the next list
  scores them;
- ix_risk_scores_unscored, a partial index of the rows whose child's inputs changed since they
  were scored (or never scored): usually the few written since the last list. It covers the
  columns of its condition, so SQLite reads it whatever statistics it was analyzed with;
- ix_risk_scores_as_of_basis: whether any score is of another day or other settings.
blueprints/attendance/scores.py (_late) reads them.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-06 12:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None

UNSCORED = "scored_rev IS NULL OR scored_rev <> rev"


def upgrade():
    op.execute("INSERT INTO risk_scores (student_id, rev) SELECT students.id, 1 FROM students "
               "WHERE NOT EXISTS (SELECT 1 FROM risk_scores "
               "WHERE risk_scores.student_id = students.id)")
    op.create_index("ix_risk_scores_unscored", "risk_scores", ["student_id", "scored_rev", "rev"],
                    sqlite_where=sa.text(UNSCORED), postgresql_where=sa.text(UNSCORED))
    op.create_index("ix_risk_scores_as_of_basis", "risk_scores", ["as_of", "basis"])


def downgrade():
    op.drop_index("ix_risk_scores_as_of_basis", table_name="risk_scores")
    op.drop_index("ix_risk_scores_unscored", table_name="risk_scores")
