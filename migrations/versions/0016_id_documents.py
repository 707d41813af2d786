"""identity documents other than a 居民身份证: a child with a passport, a 港澳台 document or
none yet is registered with the document's type and number, never a made-up ID number

students.id_type (居民身份证 for every child already registered) and students.id_document (the
number of any other document), unique together. Both added with ALTER TABLE ... ADD COLUMN (no
table rebuild: the risk triggers of 0014 stay as they are).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 16:15:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('students', sa.Column('id_type', sa.String(length=12), nullable=False,
                                        server_default='resident'))
    op.add_column('students', sa.Column('id_document', sa.String(length=30), nullable=True))
    op.create_index('ix_students_id_document', 'students', ['id_type', 'id_document'], unique=True)


def downgrade():
    op.drop_index('ix_students_id_document', table_name='students')
    op.drop_column('students', 'id_document')
    op.drop_column('students', 'id_type')
