"""aid, tutoring and document counters

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 18:43:18.202418

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('document_counters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_counters')),
    sa.UniqueConstraint('key', name=op.f('uq_document_counters_key'))
    )
    op.create_table('aid_programs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('central_id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('source', sa.String(length=60), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('boarder_amount', sa.Integer(), nullable=True),
    sa.Column('flags', sa.String(length=200), nullable=False),
    sa.Column('everyone', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['central_id'], ['schools.id'], name=op.f('fk_aid_programs_central_id_schools')),
    sa.ForeignKeyConstraint(['term_id'], ['terms.id'], name=op.f('fk_aid_programs_term_id_terms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aid_programs'))
    )
    with op.batch_alter_table('aid_programs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aid_programs_central_id'), ['central_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_programs_term_id'), ['term_id'], unique=False)

    op.create_table('aid_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('reviewed_on', sa.Date(), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('correction_of_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['correction_of_id'], ['aid_grants.id'], name=op.f('fk_aid_grants_correction_of_id_aid_grants')),
    sa.ForeignKeyConstraint(['program_id'], ['aid_programs.id'], name=op.f('fk_aid_grants_program_id_aid_programs')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_aid_grants_school_id_schools')),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], name=op.f('fk_aid_grants_student_id_students'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_aid_grants_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aid_grants'))
    )
    with op.batch_alter_table('aid_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aid_grants_correction_of_id'), ['correction_of_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_grants_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_grants_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_grants_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_grants_student_id'), ['student_id'], unique=False)

    op.create_table('tutoring_pairs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('teacher_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('goals', sa.String(length=300), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_tutoring_pairs_school_id_schools')),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], name=op.f('fk_tutoring_pairs_student_id_students'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['teacher_id'], ['users.id'], name=op.f('fk_tutoring_pairs_teacher_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tutoring_pairs'))
    )
    with op.batch_alter_table('tutoring_pairs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tutoring_pairs_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tutoring_pairs_student_id'), ['student_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tutoring_pairs_teacher_id'), ['teacher_id'], unique=False)

    op.create_table('tutoring_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('content', sa.String(length=300), nullable=False),
    sa.Column('progress', sa.String(length=300), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['pair_id'], ['tutoring_pairs.id'], name=op.f('fk_tutoring_sessions_pair_id_tutoring_pairs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tutoring_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tutoring_sessions'))
    )
    with op.batch_alter_table('tutoring_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tutoring_sessions_pair_id'), ['pair_id'], unique=False)

    # Pledges numbered before the counters existed: their series go on after the highest.
    conn = op.get_bind()
    last: dict[str, int] = {}
    for (doc_no,) in conn.execute(sa.text("SELECT doc_no FROM pledges")):
        prefix, _, number = doc_no.rpartition("-")
        if number.isdigit():
            last[prefix + "-"] = max(last.get(prefix + "-", 0), int(number))
    if last:
        counters = sa.table("document_counters", sa.column("key", sa.String),
                            sa.column("last", sa.Integer))
        op.bulk_insert(counters, [{"key": k, "last": n} for k, n in last.items()])


def downgrade():

    with op.batch_alter_table('tutoring_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tutoring_sessions_pair_id'))

    op.drop_table('tutoring_sessions')
    with op.batch_alter_table('tutoring_pairs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tutoring_pairs_teacher_id'))
        batch_op.drop_index(batch_op.f('ix_tutoring_pairs_student_id'))
        batch_op.drop_index(batch_op.f('ix_tutoring_pairs_school_id'))

    op.drop_table('tutoring_pairs')
    with op.batch_alter_table('aid_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_aid_grants_student_id'))
        batch_op.drop_index(batch_op.f('ix_aid_grants_status'))
        batch_op.drop_index(batch_op.f('ix_aid_grants_school_id'))
        batch_op.drop_index(batch_op.f('ix_aid_grants_program_id'))
        batch_op.drop_index(batch_op.f('ix_aid_grants_correction_of_id'))

    op.drop_table('aid_grants')
    with op.batch_alter_table('aid_programs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_aid_programs_term_id'))
        batch_op.drop_index(batch_op.f('ix_aid_programs_central_id'))

    op.drop_table('aid_programs')
    op.drop_table('document_counters')

