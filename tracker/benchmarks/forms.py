from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from wtforms import RadioField, SelectChoice
from wtforms.validators import InputRequired

from tracker.benchmarks.importing import FIGURES_KIND, NEIGHBOURS_KIND
from tracker.indicators.forms import ConfirmImportForm, UploadForm

KIND_CHOICES = [
    SelectChoice(FIGURES_KIND, "Published statistics (a local-authority-level CSV file)"),
    SelectChoice(NEIGHBOURS_KIND, "The statistical-neighbour list (ten neighbours per council)"),
]


class BenchmarkUploadForm(UploadForm):
    # Asked before the file (wtforms keeps the order fields are declared in, parents first).
    kind = RadioField(
        "What is the file?",
        widget=GovRadioInput(),
        choices=KIND_CHOICES,
        validators=[InputRequired("Select what the file is")],
    )


class ConfirmBenchmarkImportForm(ConfirmImportForm):
    pass
