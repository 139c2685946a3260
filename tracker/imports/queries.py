"""Read queries every importer's pages share."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import ImportRecord


def recent_imports(*kinds: str, limit: int = 10) -> list[ImportRecord]:
    """The latest imports of these kinds, newest first, with who made them."""
    query = (
        select(ImportRecord)
        .where(ImportRecord.kind.in_(kinds))
        .options(joinedload(ImportRecord.imported_by))
        .order_by(ImportRecord.imported_at.desc(), ImportRecord.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))
