"""One place where a unit of work is committed (or rolled back)."""

from collections.abc import Iterator
from contextlib import contextmanager

from tracker.extensions import db


@contextmanager
def unit_of_work() -> Iterator[None]:
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
