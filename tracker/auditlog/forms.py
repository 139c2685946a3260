from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSelect
from wtforms import SelectField
from wtforms.validators import Optional

from tracker.forms import GovDateField, TrackerForm


class AuditFilterForm(TrackerForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    person = SelectField("Person", widget=GovSelect(), validators=[Optional()])
    plan = SelectField("Plan", widget=GovSelect(), validators=[Optional()])
    kind = SelectField("Kind of change", widget=GovSelect(), validators=[Optional()])
    date_from = GovDateField("From", widget=GovDateInput(), validators=[Optional()])
    date_to = GovDateField("To", widget=GovDateInput(), validators=[Optional()])
