"""Benchmarks from published statistics (issue 19 item 5): the Department for Education's
local-authority-level files and statistical-neighbour list, imported through tracker/imports,
and the statistical-neighbour average and England figure per indicator and year."""

from flask import Blueprint

bp = Blueprint("benchmarks", __name__)

from tracker.benchmarks import views  # noqa: E402,F401
