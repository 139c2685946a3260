"""The two refusals every area's domain code raises, defined once.

RuleError: a change the rules refuse, with the reason in words for the person making it and
the form field it is about (None: about the whole form). Views show it with
TrackerForm.show_rule_error.

StaleEdit: someone else saved the record (an action, an indicator or its figure) after this
person opened it: the optimistic lock on its version column. `record` is the record as it is
saved now, where the caller has it, so the page can say who changed it.
"""

from typing import Any


class RuleError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class StaleEdit(Exception):
    def __init__(self, record: Any = None):
        super().__init__("Someone else saved this after you opened it")
        self.record = record
