"""the township's letterhead: what its papers print as issuer, addressee and phone

schools.government (the 镇人民政府 that issues a 责令送学通知书 and signs the village committees'
责任书), schools.bureau (the 县教育局 reports go to), schools.doc_prefix (the government's 文号,
e.g. 青府教), schools.hotline (the 监督电话 printed on a 资助公示). Set on the central school; empty
means derived from the names (see School.government_name).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 18:40:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

COLUMNS = (('government', 60), ('bureau', 60), ('doc_prefix', 20), ('hotline', 40))


def upgrade():
    for name, length in COLUMNS:
        op.add_column('schools', sa.Column(name, sa.String(length=length), nullable=False,
                                           server_default=''))


def downgrade():
    for name, _ in reversed(COLUMNS):
        op.drop_column('schools', name)
