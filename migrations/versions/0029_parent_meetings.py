"""家长会 and 家长学校 per class: activities.class_id (empty: the whole school's)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 00:20:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('activities') as batch:
        batch.add_column(sa.Column('class_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_activities_class_id_classes'), 'classes',
                                 ['class_id'], ['id'])
        batch.create_index(batch.f('ix_activities_class_id'), ['class_id'])


def downgrade():
    with op.batch_alter_table('activities') as batch:
        batch.drop_index(batch.f('ix_activities_class_id'))
        batch.drop_constraint(batch.f('fk_activities_class_id_classes'), type_='foreignkey')
        batch.drop_column('class_id')
