"""deputies covering a person's actions for a period; progress entries written on someone's behalf (issue 13.16); which notices each person wants (issue 13.15)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 13:10:00.000000

"""
from alembic import op
import sqlalchemy as sa
import tracker.models.types  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


NOTICE_COLUMNS = (
    "wants_evidence_added_notices",
    "wants_evidence_rejected_notices",
    "wants_completed_notices",
    "wants_verified_notices",
)


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        for name in NOTICE_COLUMNS:
            batch_op.add_column(
                sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.true())
            )
    op.create_table(
        "deputies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("deputy_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_at", tracker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("person_id <> deputy_id", name=op.f("ck_deputies_not_own_deputy")),
        sa.CheckConstraint("starts_on <= ends_on", name=op.f("ck_deputies_period_in_order")),
        sa.ForeignKeyConstraint(["person_id"], ["users.id"], name=op.f("fk_deputies_person_id_users")),
        sa.ForeignKeyConstraint(["deputy_id"], ["users.id"], name=op.f("fk_deputies_deputy_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deputies")),
    )
    with op.batch_alter_table("deputies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deputies_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deputies_deputy_id"), ["deputy_id"], unique=False)
    with op.batch_alter_table("progress_updates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("on_behalf_of_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_progress_updates_on_behalf_of_id_users"), "users", ["on_behalf_of_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        for name in NOTICE_COLUMNS:
            batch_op.drop_column(name)
    with op.batch_alter_table("progress_updates", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_progress_updates_on_behalf_of_id_users"), type_="foreignkey")
        batch_op.drop_column("on_behalf_of_id")
    with op.batch_alter_table("deputies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deputies_deputy_id"))
        batch_op.drop_index(batch_op.f("ix_deputies_person_id"))
    op.drop_table("deputies")
