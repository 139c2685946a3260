"""Reminder emails: selection, outbox, sending, the scheduler, and their pages."""

from flask import Blueprint

bp = Blueprint("reminders", __name__)

from tracker.reminders import views  # noqa: E402,F401
