"""user sessions: each sign-in kept on the server, so signing out ends every copy of its cookies

users.session_salt (one value per user, changed with the password) is replaced by a row per
sign-in: the cookie carries a token, the row its SHA-256. Signing out deletes the row; a new
password or a deactivated account deletes all of the user's rows. Existing sign-ins end with
this migration (their cookies carry no token): everyone signs in once more.

The column is dropped with ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL), not a batch
rebuild: rebuilding users on SQLite would drop and re-create a table that other tables refer to.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 19:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'user_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('remember', sa.Boolean(), nullable=False),
        sa.Column('address', sa.String(length=45), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('seen_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash')))
    op.create_index(op.f('ix_user_sessions_user_id'), 'user_sessions', ['user_id'], unique=False)
    op.execute("ALTER TABLE users DROP COLUMN session_salt")


def downgrade():
    op.add_column('users', sa.Column('session_salt', sa.String(length=16), nullable=False,
                                     server_default='0000000000000000'))
    op.drop_index(op.f('ix_user_sessions_user_id'), table_name='user_sessions')
    op.drop_table('user_sessions')
