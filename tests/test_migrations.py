"""The schema comes only from migrations, and migrations agree with the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tracker.extensions import db


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_upgrade_downgrade_upgrade(app):
    db.session.remove()
    downgrade(revision="base")
    tables = set(inspect(db.engine).get_table_names())
    assert "actions" not in tables and "users" not in tables
    upgrade()
    tables = set(inspect(db.engine).get_table_names())
    assert {"plans", "recommendations", "actions", "indicator_values", "audit_events"} <= tables
