"""an index on indicator_values (indicator_id, updated_at): the revision of an indicator's figures,
read on every page that shows it, finds their newest change in the index alone (issue 17)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 18:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_indicator_values_indicator_id_updated_at",
        "indicator_values",
        ["indicator_id", "updated_at"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_indicator_values_indicator_id_updated_at", table_name="indicator_values")
