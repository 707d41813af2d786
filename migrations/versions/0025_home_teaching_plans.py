"""送教上门 as a plan: a home-delivery pair names its term, the other teachers who go and how
often (models/pairs.py); its sessions are the visits, printed as the 送教上门记录 (columns added
in place: 0014's risk triggers on tutoring_pairs stay)

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
    # ADD COLUMN, not a batch rebuild: on SQLite a rebuild of tutoring_pairs would drop 0014's
    # risk triggers on it (a pair's dates change a child's score)
    op.add_column('tutoring_pairs', sa.Column('co_teachers', sa.String(length=100),
                                              nullable=False, server_default=''))
    op.add_column('tutoring_pairs', sa.Column('frequency', sa.String(length=60),
                                              nullable=False, server_default=''))
    if op.get_bind().dialect.name == "sqlite":  # its ADD COLUMN takes the reference inline
        op.execute("ALTER TABLE tutoring_pairs ADD COLUMN term_id INTEGER REFERENCES terms (id)")
    else:
        op.add_column('tutoring_pairs', sa.Column('term_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_tutoring_pairs_term_id_terms'), 'tutoring_pairs',
                              'terms', ['term_id'], ['id'])


def downgrade():
    with op.batch_alter_table('tutoring_pairs') as batch:
        batch.drop_column('term_id')
        batch.drop_column('frequency')
        batch.drop_column('co_teachers')
