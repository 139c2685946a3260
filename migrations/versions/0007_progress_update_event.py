"""progress_updates.event: which history entries the app wrote (evidence added, accepted,
rejected) rather than a person's progress note

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 12:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The notes the app wrote before the column existed, always with the status unchanged except
# an acceptance that verified the action.
EVENTS = {
    "evidence.added": "Evidence added: %",
    "evidence.accepted": "Evidence accepted: %",
    "evidence.rejected": "Evidence rejected: %",
}


def _status_as_the_app_left_it(updates, event: str):
    unchanged = updates.c.status_from == updates.c.status_to
    if event == "evidence.accepted":
        return sa.or_(unchanged, updates.c.status_to == "verified")
    return unchanged


def upgrade():
    with op.batch_alter_table("progress_updates") as batch:
        batch.add_column(sa.Column("event", sa.String(length=30), nullable=True))
    updates = sa.table(
        "progress_updates",
        sa.column("event", sa.String),
        sa.column("note", sa.Text),
        sa.column("status_from", sa.String),
        sa.column("status_to", sa.String),
        sa.column("due_to", sa.Date),
    )
    for event, pattern in EVENTS.items():
        op.execute(
            updates.update()
            .where(
                updates.c.note.like(pattern),
                updates.c.due_to.is_(None),
                _status_as_the_app_left_it(updates, event),
            )
            .values(event=event)
        )


def downgrade():
    with op.batch_alter_table("progress_updates") as batch:
        batch.drop_column("event")
