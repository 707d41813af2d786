"""household list

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 19:08:58.840572

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('household_children',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('central_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('village', sa.String(length=40), nullable=False),
    sa.Column('village_group', sa.String(length=20), nullable=False),
    sa.Column('guardian', sa.String(length=40), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('imported_on', sa.Date(), nullable=False),
    sa.Column('explained', sa.String(length=16), nullable=True),
    sa.Column('explanation', sa.String(length=300), nullable=False),
    sa.Column('explained_on', sa.Date(), nullable=True),
    sa.Column('explained_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['central_id'], ['schools.id'], name=op.f('fk_household_children_central_id_schools')),
    sa.ForeignKeyConstraint(['explained_by_id'], ['users.id'], name=op.f('fk_household_children_explained_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_children')),
    sa.UniqueConstraint('central_id', 'id_number', name=op.f('uq_household_children_central_id_id_number'))
    )
    with op.batch_alter_table('household_children', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_children_central_id'), ['central_id'], unique=False)




def downgrade():

    with op.batch_alter_table('household_children', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_children_central_id'))

    op.drop_table('household_children')

