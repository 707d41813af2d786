"""残疾儿童: the 残联's list of disabled children per township, matched to the register, with a
responsible school, the assessment and the day of placement (models/special.py)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 22:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'disabled_children',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('central_id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=True),
        sa.Column('student_id', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('sex', sa.String(length=1), nullable=False),
        sa.Column('id_number', sa.String(length=18), nullable=False),
        sa.Column('birth_date', sa.Date(), nullable=False),
        sa.Column('category', sa.String(length=1), nullable=False),
        sa.Column('level', sa.String(length=1), nullable=False),
        sa.Column('certificate_no', sa.String(length=24), nullable=False),
        sa.Column('village', sa.String(length=40), nullable=False),
        sa.Column('address', sa.String(length=120), nullable=False),
        sa.Column('guardian', sa.String(length=40), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('assessed_on', sa.Date(), nullable=True),
        sa.Column('assessment', sa.String(length=300), nullable=False),
        sa.Column('placed_on', sa.Date(), nullable=True),
        sa.Column('placed_as', sa.String(length=16), nullable=False),
        sa.Column('placed_school', sa.String(length=80), nullable=False),
        sa.Column('note', sa.String(length=300), nullable=False),
        sa.Column('imported_on', sa.Date(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['central_id'], ['schools.id']),
        sa.ForeignKeyConstraint(['school_id'], ['schools.id']),
        sa.ForeignKeyConstraint(['student_id'], ['students.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('central_id', 'id_number',
                            name=op.f('uq_disabled_children_central_id_id_number')),
    )
    with op.batch_alter_table('disabled_children') as batch:
        batch.create_index(batch.f('ix_disabled_children_central_id'), ['central_id'])
        batch.create_index(batch.f('ix_disabled_children_school_id'), ['school_id'])
        batch.create_index(batch.f('ix_disabled_children_student_id'), ['student_id'])


def downgrade():
    op.drop_table('disabled_children')
