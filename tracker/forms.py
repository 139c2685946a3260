"""Form fields shared across areas."""

from datetime import date

from wtforms import DateField
from wtforms.validators import StopValidation


class GovDateField(DateField):
    """Day, month and year boxes (GovDateInput), with GOV.UK error messages.

    All three empty means no date; a partly filled or impossible date is an error naming the
    field, and what the person typed is kept.
    """

    def __init__(self, label=None, validators=None, format="%d %m %Y", **kwargs):
        super().__init__(label, validators, format=format, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            self.raw_data = None  # the widget then shows empty boxes
            return
        parts = [str(v).strip() for v in valuelist]
        if not any(parts):
            self.data = None
            return
        name = self.label.text
        if len(parts) != 3 or not all(parts):
            self.data = None
            raise ValueError(f"{name} must include a day, month and year")
        try:
            day, month, year = (int(p) for p in parts)
            if year < 1000:
                raise ValueError
            self.data = date(year, month, day)
        except ValueError:
            self.data = None
            raise ValueError(f"{name} must be a real date") from None


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
