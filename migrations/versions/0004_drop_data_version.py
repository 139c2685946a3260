"""drop the data version: pages are rendered afresh, nothing is keyed on one global row

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 12:00:00

"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table("data_version")


def downgrade():
    table = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.bulk_insert(table, [{"id": 1, "version": secrets.randbits(62)}])
