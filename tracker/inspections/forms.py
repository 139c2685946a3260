"""Forms for inspections, findings, judgements and the plan's submission. Choices are data from
tracker/inspections/frameworks.py; the rules themselves are in service.py."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from tracker.forms import GovDateField, TrackerForm
from tracker.inspections.frameworks import KINDS, Framework


def _date(label: str, hint: str = "For example, 14 3 2016") -> GovDateField:
    return GovDateField(label, widget=GovDateInput(), description=hint)


class EventForm(TrackerForm):
    kind = RadioField(
        "What kind of inspection, visit or review was it?",
        widget=GovRadioInput(),
        choices=[SelectChoice(k.key, k.label) for k in KINDS.values()],
        validators=[InputRequired("Select what kind of inspection, visit or review it was")],
        validate_choice=False,
    )
    inspectorate = StringField(
        "Inspectorate or reviewer (optional)",
        widget=GovTextInput(),
        description="Leave empty for the usual one: Ofsted for Ofsted inspections and visits",
        validators=[Length(max=200, message="Inspectorate must be 200 characters or fewer")],
    )
    started_on = _date("First day on site", "For a meeting or audit, the day it took place")
    ended_on = _date("Last day on site (optional)")
    received_on = _date(
        "Date the report or letter was received",
        "Statutory deadlines are counted in working days from this date",
    )
    published_on = _date("Date the report or letter was published (optional)")
    report_url = StringField(
        "Link to the published report (optional)",
        widget=GovTextInput(),
        description="For example, https://reports.ofsted.gov.uk/...",
        validators=[Length(max=2000, message="Link must be 2,000 characters or fewer")],
    )
    priority_actions = BooleanField("The letter sets priority actions", widget=GovCheckboxInput())
    summary = TextAreaField(
        "Summary (optional)",
        widget=GovTextArea(),
        validators=[Length(max=10000, message="Summary must be 10,000 characters or fewer")],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_kind(self, field):
        if field.data not in KINDS:
            from wtforms.validators import ValidationError

            raise ValidationError("Select one of the kinds of inspection, visit or review listed")


class FindingForm(TrackerForm):
    text = TextAreaField(
        "Finding",
        widget=GovTextArea(),
        description="In the inspectors' words, for example: progress on chronologies is too slow",
        validators=[
            InputRequired("Enter the finding, in the inspectors' words"),
            Length(max=5000, message="Finding must be 5,000 characters or fewer"),
        ],
    )
    recommendation_ids = SelectMultipleField(
        "Which recommendations does it concern?",
        widget=GovCheckboxesInput(),
        coerce=int,
        validate_choice=False,
    )
    submit = SubmitField("Add finding", widget=GovSubmitInput())


def judgements_form(framework: Framework, current: dict[str, str], formdata=None) -> TrackerForm:
    """One select per judgement area of the framework, offering its grades."""

    class JudgementsForm(TrackerForm):
        submit = SubmitField("Save judgements", widget=GovSubmitInput())

    choices = [SelectChoice("", "Not judged")]
    choices += [SelectChoice(g.key, g.label) for g in framework.grades]
    for area in framework.areas:
        setattr(
            JudgementsForm,
            f"area_{area.key}",
            SelectField(area.label, widget=GovSelect(), choices=choices, validate_choice=False),
        )
    data = {f"area_{key}": grade for key, grade in current.items()}
    return JudgementsForm(formdata=formdata, data=data) if formdata else JudgementsForm(data=data)


class SubmissionForm(TrackerForm):
    draft_sent_on = _date("Date the draft plan was sent to Ofsted (optional)")
    approved_on = _date("Date the plan was approved (optional)")
    approved_by = StringField(
        "Approved by (optional)",
        widget=GovTextInput(),
        description="For example, Cabinet, or the Director of Children's Services",
        validators=[Length(max=200, message="Approved by must be 200 characters or fewer")],
    )
    approved_meeting_id = SelectField(
        "Meeting that approved it (optional)", widget=GovSelect(), validate_choice=False
    )
    submitted_on = _date("Date the final plan was sent to Ofsted (optional)")
    submit = SubmitField("Save", widget=GovSubmitInput())
