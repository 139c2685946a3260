"""account emails (invite, reset) go through the reminder outbox, sent outside the request

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-01 12:20:00

The outbox kept one row per (recipient, kind, day); account emails can be several a day, so
that rule becomes a unique index on digests only.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None

DIGESTS = "kind IN ('reminder', 'escalation')"
ALL_KINDS = "kind IN ('reminder', 'escalation', 'invite', 'reset')"


def upgrade():
    with op.batch_alter_table("reminder_outbox", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_reminder_outbox_recipient_id_kind_day"), type_="unique")
        batch_op.drop_constraint(op.f("ck_reminder_outbox_kind_known"), type_="check")
        batch_op.create_check_constraint("kind_known", sa.text(ALL_KINDS))
    op.create_index(
        "uq_reminder_outbox_digest_per_day",
        "reminder_outbox",
        ["recipient_id", "kind", "day"],
        unique=True,
        sqlite_where=sa.text(DIGESTS),
        postgresql_where=sa.text(DIGESTS),
    )


def downgrade():
    op.execute("DELETE FROM reminder_outbox WHERE kind IN ('invite', 'reset')")
    op.drop_index("uq_reminder_outbox_digest_per_day", table_name="reminder_outbox")
    with op.batch_alter_table("reminder_outbox", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_reminder_outbox_kind_known"), type_="check")
        batch_op.create_check_constraint("kind_known", sa.text(DIGESTS))
        batch_op.create_unique_constraint(
            op.f("uq_reminder_outbox_recipient_id_kind_day"), ["recipient_id", "kind", "day"]
        )
