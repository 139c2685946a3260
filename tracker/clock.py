"""The app's clock: today and now in the council's timezone, or on a fixed "as at" date (demos
and tests).

Everything the app stamps (history, "last update", audit, emails) and everything it compares
with those stamps uses `now()`, and every date it judges uses `today()`, so that under
TRACKER_AS_AT a digest for 28 March 2016 never speaks of a real 2026 update.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


def today() -> date:
    as_at = current_app.config.get("AS_AT_DATE")
    if as_at:
        return as_at
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


def now() -> datetime:
    """This moment, timezone-aware in UTC. On an "as at" date: that day, at the real time of day
    in the council's timezone (so entries made one after another still sort in order)."""
    moment = datetime.now(UTC)
    as_at = current_app.config.get("AS_AT_DATE") if has_app_context() else None
    if not as_at:
        return moment
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    local_time = moment.astimezone(zone).time()
    return datetime.combine(as_at, local_time, tzinfo=zone).astimezone(UTC)


def local(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
