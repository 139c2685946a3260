from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
)
from markupsafe import Markup
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from tracker.actions.updates import OWNER_STATUSES
from tracker.forms import GovDateField, TrackerForm
from tracker.lru import LRU

STATUS_HINTS = {
    "not_started": "Work has not begun.",
    "in_progress": "Work is under way.",
    "blocked": "Something outside your control is stopping progress. Say what in the note.",
    "completed": "The action is done. It needs at least one piece of evidence, and is verified "
    "when the recommendation lead accepts the evidence.",
}


class UpdateActionForm(TrackerForm):
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=[SelectChoice(s.value, s.label) for s in OWNER_STATUSES],
        validators=[InputRequired("Select a status")],
    )
    note = TextAreaField(
        "Progress note",
        widget=GovTextArea(),
        validators=[Length(max=5000, message="Progress note must be 5,000 characters or fewer")],
    )
    new_due_date = GovDateField("New due date", widget=GovDateInput(), validators=[Optional()])
    due_change_reason = TextAreaField(
        "Reason for the new due date",
        widget=GovTextArea(),
        validators=[Length(max=2000, message="Reason must be 2,000 characters or fewer")],
    )
    version = HiddenField()
    submit = SubmitField("Save update", widget=GovSubmitInput())


class KeptGovSelect(GovSelect):
    """GovSelect whose HTML is kept per process, keyed by everything it is made of: the field's
    id, name, label, hint, errors and whether it is required, what the template passed, and each
    choice (value, label, whether selected). Making it (the parameters, then the GOV.UK macro)
    costs more than the rest of a filter form."""

    def __call__(self, field, **kwargs):
        from tracker.templating import frozen_params

        choices = tuple(
            (c.value, c.label, isinstance(c.label, Markup), c.selected)
            for c in field.iter_choices()
        )
        key = (
            field.id,
            field.name,
            field.label.text,
            field.description,
            tuple(field.errors),
            "required" in field.flags,
            frozen_params(kwargs),
            choices,
        )
        html = _selects.get(key)
        if html is None:
            html = _selects.put(key, super().__call__(field, **kwargs))
        return html


_selects = LRU(maxsize=1000)


class MyActionsFilterForm(TrackerForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    plan = SelectField("Plan", widget=KeptGovSelect(), validators=[Optional()])
    status = SelectField("Status", widget=KeptGovSelect(), validators=[Optional()])
