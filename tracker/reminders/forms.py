from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput
from wtforms import SelectChoice, SelectMultipleField, SubmitField

from tracker.forms import GovDateField, TrackerForm

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


class DayForm(TrackerForm):
    class Meta:
        csrf = False  # a GET form that only chooses what to show

    day = GovDateField(
        "Show reminders for",
        earliest_year=1,
        blank_allowed=False,
        incomplete="Enter a day, month and year, for example 14 3 2016",
        unreal="Enter a real date, for example 14 3 2016",
    )
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
