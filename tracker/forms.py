"""The base of every form, and form fields shared across areas.

Text is cleaned once, at input, here: `TrackerForm` cleans what the browser sent before any
field reads it (docs/security.md, "Text cleaning"). Multi-line boxes keep their new lines
(`clean_text`), everything else becomes one clean line (`clean_line`), and passwords are left
exactly as typed: they are only ever hashed, and cleaning them would change existing ones.
Uploaded files keep their bytes; their names are cleaned as one line.
"""

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms import DateField, PasswordField, TextAreaField
from wtforms.validators import StopValidation

from tracker.rules import RuleError
from tracker.text import clean_line, clean_text


def _cleaner(field):
    if isinstance(field, PasswordField):
        return None
    if isinstance(field, TextAreaField):
        return clean_text
    return clean_line


def cleaned_formdata(form, formdata) -> MultiDict:
    """The submitted values as the form's fields should read them."""
    fields = {field.name: field for field in form}
    cleaned: MultiDict[str, Any] = MultiDict()
    for name, values in formdata.lists():
        clean = _cleaner(fields.get(name))
        for value in values:
            if isinstance(value, FileStorage):
                value.filename = clean_line(value.filename)
            elif not isinstance(value, str):
                value = ""  # a JSON body's objects, numbers or nulls: no form here takes them
            elif clean is not None:
                value = clean(value)
            cleaned.add(name, value)
    return cleaned


class TrackerForm(FlaskForm):
    """Every form's base class: the one place submitted text is cleaned."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            formdata = super().wrap_formdata(form, formdata)
            return None if formdata is None else cleaned_formdata(form, formdata)

    def show_rule_error(self, error: RuleError, default: str | None = None) -> bool:
        """Show a refusal on the field it names (or on `default`). When neither is a field of
        this form it goes in form_errors and the answer is False, for the caller to show it."""
        name = error.field or default
        field = getattr(self, name, None) if name else None
        if field is None:
            self.form_errors.append(str(error))
            return False
        field.errors = [*field.errors, str(error)]
        return True


def date_parts(field, valuelist) -> list[str]:
    """The parts of a date as posted, stripped. The field keeps exactly three to show again,
    whatever was posted: the date widget unpacks three."""
    parts = [str(v).strip() for v in valuelist]
    field.raw_data = (parts + ["", "", ""])[:3] if parts else None  # None: empty boxes
    return parts


def date_from_parts(parts: list[str]) -> date:
    """The date that day, month and year boxes make; ValueError unless it is a real one.

    Only ASCII digits count, and a year has at most four of them, so odd input (a 25-digit
    year, superscript digits) is a "real date" message rather than an overflow.
    """
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts):
        raise ValueError("not a date")
    day, month, year = (int(p) for p in parts)
    return date(year, month, day)


class GovDateField(DateField):
    """Day, month and year boxes (GovDateInput), with GOV.UK error messages: the one date field.

    All three empty means no date; a partly filled or impossible date is an error naming the
    field, and what the person typed is kept. A year before `earliest_year` is not a real date.
    `blank_allowed=False` makes empty boxes an error too; `incomplete` and `unreal` replace the
    two messages that name the field.
    """

    widget = GovDateInput()

    def __init__(
        self,
        label=None,
        validators=None,
        format="%d %m %Y",
        earliest_year: int = 1000,
        blank_allowed: bool = True,
        incomplete: str | None = None,
        unreal: str | None = None,
        **kwargs,
    ):
        super().__init__(label, validators, format=format, **kwargs)
        self.earliest_year = earliest_year
        self.blank_allowed = blank_allowed
        self.incomplete = incomplete or f"{self.label.text} must include a day, month and year"
        self.unreal = unreal or f"{self.label.text} must be a real date"

    def process_formdata(self, valuelist):
        parts = date_parts(self, valuelist)
        if not parts:
            return
        self.data = None
        if not any(parts) and self.blank_allowed:
            return
        if len(parts) != 3 or not all(parts):
            raise ValueError(self.incomplete)
        try:
            day = date_from_parts(parts)
        except ValueError:
            raise ValueError(self.unreal) from None
        if day.year < self.earliest_year:
            raise ValueError(self.unreal)
        self.data = day


class DateRequired:
    """Like InputRequired, for GovDateField, keeping a "must be a real date" message."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if field.data is None and not field.process_errors:
            raise StopValidation(self.message)


class TextRequired:
    """Required, where only spaces count as nothing: the text is stripped, then required.

    (WTForms' InputRequired accepts a field of spaces, because something was sent.)
    """

    field_flags = {"required": True}

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if not (field.data or "").strip():
            field.errors[:] = []
            raise StopValidation(self.message)
