"""indicator figures can be moved to another month or deleted, each kept as a revision with a
reason: indicator_value_revisions gains change, reason, previous_period, indicator_id and basis,
and its figure becomes optional (a deleted figure's history outlives it)

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-01 12:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("indicator_value_revisions") as batch:
        batch.alter_column("indicator_value_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(
            sa.Column("change", sa.String(length=10), nullable=False, server_default="corrected")
        )
        batch.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("previous_period", sa.Date(), nullable=True))
        batch.add_column(sa.Column("indicator_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("basis", sa.String(length=20), nullable=True))
        batch.create_foreign_key(
            op.f("fk_indicator_value_revisions_indicator_id_indicators"),
            "indicators",
            ["indicator_id"],
            ["id"],
        )
        batch.create_index(
            op.f("ix_indicator_value_revisions_indicator_id"), ["indicator_id"], unique=False
        )
        batch.create_check_constraint(
            op.f("ck_indicator_value_revisions_change_known"),
            "change IN ('corrected', 'moved', 'deleted')",
        )


def downgrade():
    op.execute("DELETE FROM indicator_value_revisions WHERE indicator_value_id IS NULL")
    with op.batch_alter_table("indicator_value_revisions") as batch:
        batch.drop_constraint(op.f("ck_indicator_value_revisions_change_known"), type_="check")
        batch.drop_index(op.f("ix_indicator_value_revisions_indicator_id"))
        batch.drop_constraint(
            op.f("fk_indicator_value_revisions_indicator_id_indicators"), type_="foreignkey"
        )
        batch.drop_column("basis")
        batch.drop_column("indicator_id")
        batch.drop_column("previous_period")
        batch.drop_column("reason")
        batch.drop_column("change")
        batch.alter_column("indicator_value_id", existing_type=sa.Integer(), nullable=False)
