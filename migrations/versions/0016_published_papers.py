"""published papers: what a committee was sent for a meeting and the plan as submitted,
stored exactly as produced (issue 14 item 1, issue 19 item 2)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 15:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "published_papers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("as_at", sa.Date(), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("docx", sa.LargeBinary(), nullable=True),
        sa.Column("docx_sha256", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "kind IN ('committee_paper', 'submitted_plan')",
            name=op.f("ck_published_papers_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["committee_meetings.id"],
            name=op.f("fk_published_papers_meeting_id_committee_meetings"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_published_papers_plan_id_plans")
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_published_papers_published_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_papers")),
        sa.UniqueConstraint(
            "meeting_id", "version", name=op.f("uq_published_papers_meeting_id_version")
        ),
    )
    with op.batch_alter_table("published_papers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_published_papers_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_published_papers_plan_id"), ["plan_id"], unique=False)


def downgrade():
    with op.batch_alter_table("published_papers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_published_papers_plan_id"))
        batch_op.drop_index(batch_op.f("ix_published_papers_meeting_id"))
    op.drop_table("published_papers")
