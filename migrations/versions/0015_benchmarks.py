"""benchmarks from published statistics: published figures, statistical neighbours, which
column an indicator is compared with (issue 19 item 5)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 13:25:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "published_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=200), nullable=False),
        sa.Column("time_period", sa.String(length=10), nullable=False),
        sa.Column("geographic_level", sa.String(length=40), nullable=False),
        sa.Column("area_code", sa.String(length=20), nullable=False),
        sa.Column("area_name", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("suppressed", sa.String(length=10), nullable=True),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_figures")),
        sa.UniqueConstraint(
            "measure",
            "time_period",
            "area_code",
            name=op.f("uq_published_figures_measure_time_period_area_code"),
        ),
    )
    op.create_table(
        "statistical_neighbours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("la_code", sa.String(length=20), nullable=False),
        sa.Column("la_name", sa.String(length=200), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("neighbour_code", sa.String(length=20), nullable=False),
        sa.Column("neighbour_name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statistical_neighbours")),
        sa.UniqueConstraint(
            "la_code", "rank", name=op.f("uq_statistical_neighbours_la_code_rank")
        ),
    )
    with op.batch_alter_table("statistical_neighbours", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_statistical_neighbours_la_code"), ["la_code"], unique=False
        )
    op.create_table(
        "benchmark_measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=200), nullable=False),
        sa.Column("la_code", sa.String(length=20), nullable=False),
        sa.Column("publication", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"], ["indicators.id"], name=op.f("fk_benchmark_measures_indicator_id_indicators")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benchmark_measures")),
        sa.UniqueConstraint("indicator_id", name=op.f("uq_benchmark_measures_indicator_id")),
    )


def downgrade():
    op.drop_table("benchmark_measures")
    with op.batch_alter_table("statistical_neighbours", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statistical_neighbours_la_code"))
    op.drop_table("statistical_neighbours")
    op.drop_table("published_figures")
