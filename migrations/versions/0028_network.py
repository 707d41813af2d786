"""the responsibility network as schools run it: grade_leads (行政人员包年级), group_members
(控辍保学领导小组), meetings.kind (the group's own meetings), and a meeting's decision owned by
a cadre of the government line (action_items.cadre_id; owner_id now optional)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 00:10:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'grade_leads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('school_year', sa.Integer(), nullable=False),
        sa.Column('grade', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['school_id'], ['schools.id']),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('school_id', 'school_year', 'grade',
                            name=op.f('uq_grade_leads_school_id_school_year_grade')),
    )
    op.create_index(op.f('ix_grade_leads_school_id'), 'grade_leads', ['school_id'])
    op.create_index(op.f('ix_grade_leads_user_id'), 'grade_leads', ['user_id'])
    op.create_table(
        'group_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('central_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.String(length=10), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('cadre_id', sa.Integer(), nullable=True),
        sa.Column('duty', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['central_id'], ['schools.id']),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    for column in ('central_id', 'user_id', 'cadre_id'):
        op.create_index(op.f(f'ix_group_members_{column}'), 'group_members', [column])
    op.add_column('meetings', sa.Column('kind', sa.String(length=10), nullable=False,
                                        server_default='monthly'))
    with op.batch_alter_table('action_items') as batch:
        batch.add_column(sa.Column('cadre_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_action_items_cadre_id_cadres'), 'cadres',
                                 ['cadre_id'], ['id'])
        batch.create_index(batch.f('ix_action_items_cadre_id'), ['cadre_id'])
        batch.alter_column('owner_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM action_items WHERE owner_id IS NULL")
    with op.batch_alter_table('action_items') as batch:
        batch.alter_column('owner_id', existing_type=sa.Integer(), nullable=False)
        batch.drop_index(batch.f('ix_action_items_cadre_id'))
        batch.drop_constraint(batch.f('fk_action_items_cadre_id_cadres'), type_='foreignkey')
        batch.drop_column('cadre_id')
    with op.batch_alter_table('meetings') as batch:
        batch.drop_column('kind')
    op.drop_table('group_members')
    op.drop_table('grade_leads')
