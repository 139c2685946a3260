"""Today's date in the council's timezone, or a fixed "as at" date (demos and tests)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def today() -> date:
    as_at = current_app.config.get("AS_AT_DATE")
    if as_at:
        return as_at
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


def local(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
