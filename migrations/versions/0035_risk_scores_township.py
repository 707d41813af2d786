"""a stored score knows its child's township: risk_scores.township_id, set with the score
(blueprints/attendance/scores.py _store), and an index on (township_id, points), so that a
township's list reads its ~1,600 children at risk from one range of an index instead of every
child's score: PostgreSQL read the whole county's scores at 3 or more (16,000 rows) and joined
them with the township's 5,000 children (the risk ranking 7.9 -> 3.5 ms, EXPLAIN ANALYZE on
the bench county); SQLite 1.9 -> 1.35 ms.

The rows are filled here from each child's school; from then on every score stored writes it,
and a child moved to another township is out of date until scored again (the triggers of 0014
raise its revision), which every list does before it reads.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-06 17:10:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("risk_scores", sa.Column("township_id", sa.Integer(), nullable=True))
    op.execute("UPDATE risk_scores SET township_id = (SELECT CASE WHEN schools.kind = 'central' "
               "THEN schools.id ELSE schools.parent_id END FROM students JOIN schools "
               "ON schools.id = students.school_id WHERE students.id = risk_scores.student_id)")
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_risk_scores_township", "risk_scores", ["township_id", "points"],
                        postgresql_include=["student_id"])
    else:  # SQLite: an index holds the row's id (student_id, the table's key) already
        op.create_index("ix_risk_scores_township", "risk_scores", ["township_id", "points"])


def downgrade():
    op.drop_index("ix_risk_scores_township", table_name="risk_scores")
    with op.batch_alter_table("risk_scores") as batch:
        batch.drop_column("township_id")
