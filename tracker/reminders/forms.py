from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovDateInput, GovSubmitInput
from wtforms import DateField, SelectChoice, SelectMultipleField, SubmitField

from tracker.forms import TrackerForm, date_from_parts, date_parts

DUE_SOON = "due_soon"
NO_UPDATE = "no_update"


class ReminderSettingsForm(TrackerForm):
    wanted = SelectMultipleField(
        "Which reminders do you want?",
        widget=GovCheckboxesInput(),
        validate_choice=True,
    )
    submit = SubmitField("Save reminder settings", widget=GovSubmitInput())

    def set_choices(self, due_soon_days: int, no_update_days: int) -> None:
        self.wanted.choices = [
            SelectChoice(DUE_SOON, f"Actions due in the next {due_soon_days} days"),
            SelectChoice(NO_UPDATE, f"Actions with no progress update for {no_update_days} days"),
        ]


class DayField(DateField):
    """Day, month and year boxes; a part missing or an impossible date gets a GOV.UK message."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%d %m %Y", **kwargs)

    def process_formdata(self, valuelist):
        parts = date_parts(self, valuelist)
        if not parts:
            return
        self.data = None
        if len(parts) != 3 or not all(parts):
            raise ValueError("Enter a day, month and year, for example 14 3 2016")
        try:
            self.data = date_from_parts(parts)
        except ValueError:
            raise ValueError("Enter a real date, for example 14 3 2016") from None


class DayForm(TrackerForm):
    class Meta:
        csrf = False  # a GET form that only chooses what to show

    day = DayField("Show reminders for", widget=GovDateInput())
    submit = SubmitField("Show", widget=GovSubmitInput())


class NoticeSettingsForm(TrackerForm):
    wanted = SelectMultipleField(
        "What do you want to be told about?",
        widget=GovCheckboxesInput(),
        validate_choice=True,
    )
    submit = SubmitField("Save notice settings", widget=GovSubmitInput())

    def set_choices(self) -> None:
        from tracker.notices import OPTIONAL_KINDS

        self.wanted.choices = [SelectChoice(kind.value, kind.label) for kind in OPTIONAL_KINDS]
