"""How the tracker talks to its database (tracker/__init__.py engine_options)."""

from sqlalchemy import text

from tracker.extensions import db


def test_postgresql_plans_each_statement_for_its_own_values(app, backend):
    """A generic plan chosen after five runs of a prepared statement made My actions' notices
    take 34 ms instead of 1.5 ms after a large import (docs/performance.md)."""
    with app.app_context():
        if backend == "postgresql":
            assert db.session.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"
            assert db.session.scalar(text("SHOW TimeZone")) == "UTC"
        else:
            assert "connect_args" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


def test_times_come_back_as_the_same_moment_in_utc(app, backend):
    """A time saved from another zone (a British summer time stamp) reads back as the same
    moment, in UTC, on both databases."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from sqlalchemy import literal, select

    from tracker.models.types import UTCDateTime

    summer = datetime(2016, 7, 1, 9, 30, tzinfo=ZoneInfo("Europe/London"))
    with app.app_context():
        read = db.session.scalar(select(literal(summer, UTCDateTime())))
    assert read == summer
    assert read.tzinfo is UTC and read.hour == 8
