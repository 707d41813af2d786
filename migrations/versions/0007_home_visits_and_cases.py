"""home visits and cases

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 18:59:48.872917

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('dropout_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('whereabouts', sa.String(length=120), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('dropout_on', sa.Date(), nullable=True),
    sa.Column('reentry_plan', sa.Text(), nullable=False),
    sa.Column('returned_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_dropout_cases_school_id_schools')),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], name=op.f('fk_dropout_cases_student_id_students'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dropout_cases'))
    )
    with op.batch_alter_table('dropout_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dropout_cases_closed_on'), ['closed_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_dropout_cases_opened_on'), ['opened_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_dropout_cases_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dropout_cases_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_dropout_cases_student_id'), ['student_id'], unique=False)

    op.create_table('case_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('doc_no', sa.String(length=40), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['dropout_cases.id'], name=op.f('fk_case_notices_case_id_dropout_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_case_notices_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_notices')),
    sa.UniqueConstraint('doc_no', name=op.f('uq_case_notices_doc_no'))
    )
    with op.batch_alter_table('case_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_notices_case_id'), ['case_id'], unique=False)

    op.create_table('case_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=True),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['dropout_cases.id'], name=op.f('fk_case_steps_case_id_dropout_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_case_steps_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_steps'))
    )
    with op.batch_alter_table('case_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_steps_case_id'), ['case_id'], unique=False)

    op.create_table('follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['dropout_cases.id'], name=op.f('fk_follow_ups_case_id_dropout_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_follow_ups_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups'))
    )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_ups_case_id'), ['case_id'], unique=False)

    op.create_table('home_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('visitors', sa.String(length=100), nullable=False),
    sa.Column('met', sa.String(length=100), nullable=False),
    sa.Column('situation', sa.Text(), nullable=False),
    sa.Column('reasons', sa.String(length=200), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('next_step', sa.String(length=300), nullable=False),
    sa.Column('file_path', sa.String(length=200), nullable=True),
    sa.Column('warning_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['dropout_cases.id'], name=op.f('fk_home_visits_case_id_dropout_cases')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_home_visits_school_id_schools')),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], name=op.f('fk_home_visits_student_id_students'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_home_visits_user_id_users')),
    sa.ForeignKeyConstraint(['warning_id'], ['warnings.id'], name=op.f('fk_home_visits_warning_id_warnings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_home_visits'))
    )
    with op.batch_alter_table('home_visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_home_visits_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_home_visits_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_home_visits_student_id'), ['student_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_home_visits_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_home_visits_visited_on'), ['visited_on'], unique=False)




def downgrade():

    with op.batch_alter_table('home_visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_home_visits_visited_on'))
        batch_op.drop_index(batch_op.f('ix_home_visits_user_id'))
        batch_op.drop_index(batch_op.f('ix_home_visits_student_id'))
        batch_op.drop_index(batch_op.f('ix_home_visits_school_id'))
        batch_op.drop_index(batch_op.f('ix_home_visits_case_id'))

    op.drop_table('home_visits')
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_ups_case_id'))

    op.drop_table('follow_ups')
    with op.batch_alter_table('case_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_steps_case_id'))

    op.drop_table('case_steps')
    with op.batch_alter_table('case_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_notices_case_id'))

    op.drop_table('case_notices')
    with op.batch_alter_table('dropout_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dropout_cases_student_id'))
        batch_op.drop_index(batch_op.f('ix_dropout_cases_state'))
        batch_op.drop_index(batch_op.f('ix_dropout_cases_school_id'))
        batch_op.drop_index(batch_op.f('ix_dropout_cases_opened_on'))
        batch_op.drop_index(batch_op.f('ix_dropout_cases_closed_on'))

    op.drop_table('dropout_cases')

