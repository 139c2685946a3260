"""evidence can be withdrawn: who, when and why; the content itself is deleted (issue 13.11)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 13:10:00

"""
from alembic import op
import sqlalchemy as sa
import tracker.models.types  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", tracker.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_evidence_withdrawn_by_id_users"), "users", ["withdrawn_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_evidence_withdrawn_by_id_users"), type_="foreignkey")
        batch_op.drop_column("withdrawn_reason")
        batch_op.drop_column("withdrawn_by_id")
        batch_op.drop_column("withdrawn_at")
