"""risk overrides

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 19:18:14.486222

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('risk_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_risk_overrides_school_id_schools')),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], name=op.f('fk_risk_overrides_student_id_students'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_risk_overrides_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_overrides'))
    )
    with op.batch_alter_table('risk_overrides', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_overrides_student_id'), ['student_id'], unique=False)




def downgrade():

    with op.batch_alter_table('risk_overrides', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_overrides_student_id'))

    op.drop_table('risk_overrides')

