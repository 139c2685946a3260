from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


class DataVersion(db.Model):
    """One row whose number changes with every committed change to what pages show.

    Cached page content is keyed on it (tracker/page_cache.py), so a change made by any process
    on any host is seen by the next request everywhere.
    """

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
