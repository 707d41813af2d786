"""送教上门 as a plan: a home-delivery pair names its term, the other teachers who go and how
often (models/pairs.py); its sessions are the visits, printed as the 送教上门记录

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 22:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tutoring_pairs') as batch:
        batch.add_column(sa.Column('co_teachers', sa.String(length=100), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('frequency', sa.String(length=60), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('term_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_tutoring_pairs_term_id_terms'), 'terms',
                                 ['term_id'], ['id'])


def downgrade():
    with op.batch_alter_table('tutoring_pairs') as batch:
        batch.drop_constraint(batch.f('fk_tutoring_pairs_term_id_terms'), type_='foreignkey')
        batch.drop_column('term_id')
        batch.drop_column('frequency')
        batch.drop_column('co_teachers')
