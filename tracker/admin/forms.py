"""Forms for admins and plan leads. Choices of people are filled in by the view."""

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from tracker.admin.plan_details import parse_meeting_dates
from tracker.args import whole_number
from tracker.forms import DateRequired, GovDateField, TrackerForm
from tracker.models import Role, User

NOBODY = ""


class PersonChoice:
    """A select of people; the posted id must be one of the choices offered."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        offered = {choice.value for choice in field.choices}
        if field.data not in offered:
            raise ValidationError(self.message)


def people_choices(people: list[User], nobody_label: str) -> list[SelectChoice]:
    choices = [SelectChoice(NOBODY, nobody_label)]
    choices += [
        SelectChoice(str(p.id), f"{p.name}, {p.job_title}" if p.job_title else p.name)
        for p in people
    ]
    return choices


def chosen_id(value: str | None) -> int | None:
    return whole_number(value)


class PlanForm(TrackerForm):
    title = StringField(
        "Plan title",
        widget=GovTextInput(),
        description="For example, Ofsted inspection of children's services 2026: improvement plan",
        validators=[
            InputRequired("Enter the plan title"),
            Length(max=300, message="Plan title must be 300 characters or fewer"),
        ],
    )
    inspectorate = StringField(
        "Inspectorate",
        widget=GovTextInput(),
        description="For example, Ofsted, or Ofsted, CQC, HMICFRS and HMIP for a joint inspection",
        validators=[
            InputRequired("Enter the inspectorate"),
            Length(max=100, message="Inspectorate must be 100 characters or fewer"),
        ],
    )
    inspection_type = StringField(
        "Type of inspection",
        widget=GovTextInput(),
        description="For example, full inspection (ILACS), focused visit, monitoring visit or JTAI",
        validators=[
            InputRequired("Enter the type of inspection"),
            Length(max=300, message="Type of inspection must be 300 characters or fewer"),
        ],
    )
    published_on = GovDateField(
        "Date the report was published",
        earliest_year=1900,
        description="For example, 18 9 2015",
        validators=[DateRequired("Enter the date the report was published")],
    )
    lead_id = SelectField(
        "Plan lead",
        widget=GovSelect(),
        description="The plan lead can change the plan's recommendations and actions",
        validate_choice=False,
        validators=[PersonChoice("Choose the plan lead from the list")],
    )
    meeting_dates = TextAreaField(
        "Committee meeting dates (optional)",
        widget=GovTextArea(),
        description="One date per line, for example 14/3/2016",
        validators=[Length(max=2000, message="List fewer committee meeting dates")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())

    def validate_meeting_dates(self, field):
        _, problems = parse_meeting_dates(field.data or "")
        if problems:
            raise ValidationError(problems[0])


class ConfirmForm(TrackerForm):
    """A button and a CSRF token: confirm a check-answers page, archive, move, restore..."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class RecommendationForm(TrackerForm):
    title = StringField(
        "Short title",
        widget=GovTextInput(),
        description="Shown in lists, for example Workforce stability",
        validators=[
            InputRequired("Enter a short title for the recommendation"),
            Length(max=300, message="Short title must be 300 characters or fewer"),
        ],
    )
    text = TextAreaField(
        "Recommendation",
        widget=GovTextArea(),
        description="The recommendation as the inspection report words it",
        validators=[
            InputRequired("Enter the recommendation"),
            Length(max=10000, message="Recommendation must be 10,000 characters or fewer"),
        ],
    )
    theme = StringField(
        "Theme (optional)",
        widget=GovTextInput(),
        description="For example, Workforce, or Quality of practice",
        validators=[Length(max=200, message="Theme must be 200 characters or fewer")],
    )
    lead_id = SelectField(
        "Recommendation lead",
        widget=GovSelect(),
        validate_choice=False,
        validators=[PersonChoice("Choose the recommendation lead from the list")],
    )
    target_date = GovDateField(
        "Target date (optional)", description="For example, 30 9 2016", earliest_year=1900
    )
    submit = SubmitField("Save recommendation", widget=GovSubmitInput())


class ActionForm(TrackerForm):
    description = TextAreaField(
        "What will be done",
        widget=GovTextArea(),
        validators=[
            InputRequired("Enter what will be done"),
            Length(max=5000, message="What will be done must be 5,000 characters or fewer"),
        ],
    )
    owner_id = SelectField(
        "Action owner",
        widget=GovSelect(),
        validate_choice=False,
        validators=[PersonChoice("Choose the action owner from the list")],
    )
    due_date = GovDateField("Due date", description="For example, 31 3 2016", earliest_year=1900)
    version = HiddenField()
    submit = SubmitField("Save action", widget=GovSubmitInput())


class DeleteForm(TrackerForm):
    submit = SubmitField("Delete", widget=GovSubmitInput())


class WithdrawForm(TrackerForm):
    reason = TextAreaField(
        "Why is it being withdrawn?",
        widget=GovTextArea(),
        description="The reason is shown with it in the plan and its history",
        validators=[
            InputRequired("Enter the reason it is being withdrawn"),
            Length(max=2000, message="The reason must be 2,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Withdraw", widget=GovSubmitInput())


class ImportUploadForm(TrackerForm):
    file = FileField(
        "Upload a file",
        widget=GovFileInput(),
        description="An Excel workbook (.xlsx) or a CSV file",
    )
    submit = SubmitField("Check the file", widget=GovSubmitInput())


class ImportConfirmForm(TrackerForm):
    upload_id = HiddenField()
    submit = SubmitField("Import", widget=GovSubmitInput())


ROLE_CHOICES = [
    SelectChoice(Role.HEAD_OF_SERVICE.value, Role.HEAD_OF_SERVICE.label),
    SelectChoice(Role.COMMITTEE_MEMBER.value, Role.COMMITTEE_MEMBER.label),
    SelectChoice(Role.PERFORMANCE_OFFICER.value, Role.PERFORMANCE_OFFICER.label),
    SelectChoice(Role.ADMIN.value, Role.ADMIN.label),
]
ROLE_HINTS = {
    Role.HEAD_OF_SERVICE.value: "Updates the actions they own",
    Role.COMMITTEE_MEMBER.value: "Reads the plan; changes nothing",
    Role.PERFORMANCE_OFFICER.value: "Keeps the indicators; updates the actions they own",
    Role.ADMIN.value: "Manages people and plans",
}


class PersonForm(TrackerForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the person's full name"),
            Length(max=200, message="Full name must be 200 characters or fewer"),
        ],
    )
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the person's email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    job_title = StringField(
        "Job title",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the person's job title"),
            Length(max=200, message="Job title must be 200 characters or fewer"),
        ],
    )
    role = RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=ROLE_CHOICES,
        validators=[InputRequired("Select a role")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class EditPersonForm(PersonForm):
    email = None  # the address is how they sign in; it is not changed here
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class ReassignForm(TrackerForm):
    action_ids = SelectMultipleField(
        "Open actions", widget=GovCheckboxesInput(), coerce=int, validate_choice=False
    )
    recommendation_ids = SelectMultipleField(
        "Recommendations they lead", widget=GovCheckboxesInput(), coerce=int, validate_choice=False
    )
    new_owner_id = SelectField(
        "Who will take over?",
        widget=GovSelect(),
        validate_choice=False,
        validators=[PersonChoice("Choose who will take over from the list")],
    )
    submit = SubmitField("Reassign", widget=GovSubmitInput())
