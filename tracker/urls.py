"""Links to many records of one kind, with one `url_for` rather than one per row."""

from collections.abc import Callable
from typing import Any

from flask import url_for

_MARK = 918273645546372819  # an id no record has; it shows where the id goes in the URL


def url_for_id(endpoint: str, key: str) -> Callable[[int], str]:
    """`url_for_id('actions.action', 'action_id')(7)` is `url_for('actions.action',
    action_id=7)`, for integer ids; the URL is built once and the id put in its place."""
    values: dict[str, Any] = {key: _MARK}
    before, after = url_for(endpoint, **values).split(str(_MARK))
    return lambda record_id: f"{before}{int(record_id)}{after}"
