"""indicator_values (indicator_id, id) replaces the index on indicator_id alone: the revision of
an indicator's figures finds its newest figure in one index entry, where PostgreSQL read every
figure of the indicator (the index on indicator_id alone does not hold the id there) (issue 17)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 20:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_indicator_values_indicator_id_id",
        "indicator_values",
        ["indicator_id", "id"],
        unique=False,
    )
    op.drop_index("ix_indicator_values_indicator_id", table_name="indicator_values")


def downgrade():
    op.create_index(
        "ix_indicator_values_indicator_id", "indicator_values", ["indicator_id"], unique=False
    )
    op.drop_index("ix_indicator_values_indicator_id_id", table_name="indicator_values")
