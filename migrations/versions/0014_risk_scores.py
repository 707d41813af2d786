"""risk scores: each child's stored score, and the triggers that mark it out of date

A row of risk_scores holds a child's computed score and the revision (`scored_rev`) of the
child's inputs it was computed from; the triggers below raise `rev` in the same transaction as
every write to those inputs, so a score whose `scored_rev` is not `rev` is never used (models/risk.py
RiskScore, blueprints/attendance/risk.py). The inputs are the columns risk.py reads:

- a child's own row (status, grade, birth date, focus groups, school), its absences, guardians,
  cases, pairs and grants: the child's row is raised;
- a township's terms (the school-day calendar of the run of absence): every child of it;
- a school's kind and central school (which township, so which calendar): its children.

On SQLite a later migration that rebuilds one of these tables (batch_alter_table) drops its
triggers: it must create them again. tests/test_risk.py writes every input and checks the
lists below against the columns the scoring query reads.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 03:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

# table -> the columns whose change changes a child's score (every row's insert and delete does)
CHILD_INPUTS = {
    "absences": ["student_id", "kind", "day"],
    "guardians": ["student_id", "works_away"],
    "dropout_cases": ["student_id", "state", "dropout_on"],
    "tutoring_pairs": ["student_id", "start_on", "end_on"],
    "aid_grants": ["student_id", "amount", "applied_on"],
}
STUDENT_INPUTS = ["school_id", "status", "grade", "birth_date", "left_behind", "single_parent",
                  "poverty", "disabled", "learning_difficulty", "school_weary", "orphan"]
TERM_INPUTS = ["central_id", "start_date", "end_date", "holidays"]
SCHOOL_INPUTS = ["kind", "parent_id"]

# Raise the revision of the children a SELECT of student ids names (a row is made if none).
# SQLite needs the WHERE before ON CONFLICT (its parser would read ON as a join's).
RAISE = ("INSERT INTO risk_scores (student_id, rev) {ids} "
         "ON CONFLICT (student_id) DO UPDATE SET rev = risk_scores.rev + 1")
ONE = "SELECT {child}, 1 WHERE {child} IS NOT NULL"
TOWNSHIP = ("SELECT students.id, 1 FROM students JOIN schools ON schools.id = students.school_id"
            " WHERE schools.id = {town} OR schools.parent_id = {town}")
OF_SCHOOL = "SELECT students.id, 1 FROM students WHERE students.school_id = {school}"


def _sqlite_triggers():
    def trigger(name, event, table, *raises):
        body = "; ".join(raises)
        return f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body}; END"

    for table, columns in CHILD_INPUTS.items():
        yield trigger(f"risk_{table}_insert", "INSERT", table,
                      RAISE.format(ids=ONE.format(child="NEW.student_id")))
        yield trigger(f"risk_{table}_delete", "DELETE", table,
                      RAISE.format(ids=ONE.format(child="OLD.student_id")))
        yield trigger(f"risk_{table}_update", f"UPDATE OF {', '.join(columns)}", table,
                      RAISE.format(ids=ONE.format(child="OLD.student_id")),
                      RAISE.format(ids=ONE.format(child="NEW.student_id")))
    yield trigger("risk_students_insert", "INSERT", "students",
                  RAISE.format(ids=ONE.format(child="NEW.id")))
    yield trigger("risk_students_update", f"UPDATE OF {', '.join(STUDENT_INPUTS)}", "students",
                  RAISE.format(ids=ONE.format(child="NEW.id")))
    yield trigger("risk_students_delete", "DELETE", "students",
                  "DELETE FROM risk_scores WHERE student_id = OLD.id")
    yield trigger("risk_terms_insert", "INSERT", "terms",
                  RAISE.format(ids=TOWNSHIP.format(town="NEW.central_id")))
    yield trigger("risk_terms_delete", "DELETE", "terms",
                  RAISE.format(ids=TOWNSHIP.format(town="OLD.central_id")))
    yield trigger("risk_terms_update", f"UPDATE OF {', '.join(TERM_INPUTS)}", "terms",
                  RAISE.format(ids=TOWNSHIP.format(town="OLD.central_id")),
                  RAISE.format(ids=TOWNSHIP.format(town="NEW.central_id")))
    yield trigger("risk_schools_update", f"UPDATE OF {', '.join(SCHOOL_INPUTS)}", "schools",
                  RAISE.format(ids=OF_SCHOOL.format(school="NEW.id")))


def _postgresql_triggers():
    def function(name, body):
        return (f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"{body} RETURN NULL; END $$")

    def on_change(raise_old, raise_new):
        return (f"IF TG_OP <> 'INSERT' THEN {raise_old}; END IF; "
                f"IF TG_OP <> 'DELETE' THEN {raise_new}; END IF;")

    def trigger(name, table, columns, func):
        return (f"CREATE TRIGGER {name} AFTER INSERT OR DELETE OR UPDATE OF {', '.join(columns)}"
                f" ON {table} FOR EACH ROW EXECUTE FUNCTION {func}()")

    yield function("risk_raise_child", on_change(
        RAISE.format(ids=ONE.format(child="OLD.student_id")),
        RAISE.format(ids=ONE.format(child="NEW.student_id"))))
    for table, columns in CHILD_INPUTS.items():
        yield trigger(f"risk_{table}", table, columns, "risk_raise_child")
    yield function("risk_raise_student", "IF TG_OP = 'DELETE' THEN DELETE FROM risk_scores "
                   "WHERE student_id = OLD.id; ELSE "
                   + RAISE.format(ids=ONE.format(child="NEW.id")) + "; END IF;")
    yield trigger("risk_students", "students", STUDENT_INPUTS, "risk_raise_student")
    yield function("risk_raise_township", on_change(
        RAISE.format(ids=TOWNSHIP.format(town="OLD.central_id")),
        RAISE.format(ids=TOWNSHIP.format(town="NEW.central_id"))))
    yield trigger("risk_terms", "terms", TERM_INPUTS, "risk_raise_township")
    yield function("risk_raise_school", RAISE.format(ids=OF_SCHOOL.format(school="NEW.id")) + ";")
    yield (f"CREATE TRIGGER risk_schools AFTER UPDATE OF {', '.join(SCHOOL_INPUTS)} ON schools "
           "FOR EACH ROW EXECUTE FUNCTION risk_raise_school()")


def upgrade():
    op.create_table(
        'risk_scores',
        sa.Column('student_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('rev', sa.Integer(), server_default='0', nullable=False),
        sa.Column('scored_rev', sa.Integer(), nullable=True),
        sa.Column('as_of', sa.Date(), nullable=True),
        sa.Column('basis', sa.String(length=16), nullable=True),
        sa.Column('points', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('student_id'),
    )
    dialect = op.get_bind().dialect.name
    for statement in (_sqlite_triggers() if dialect == "sqlite" else _postgresql_triggers()):
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for (name,) in op.get_bind().execute(sa.text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'risk_%'")):
            op.execute(f"DROP TRIGGER {name}")
    else:
        for table in [*CHILD_INPUTS, "students", "terms", "schools"]:
            op.execute(f"DROP TRIGGER risk_{table} ON {table}")
        for name in ("child", "student", "township", "school"):
            op.execute(f"DROP FUNCTION risk_raise_{name}()")
    op.drop_table('risk_scores')
