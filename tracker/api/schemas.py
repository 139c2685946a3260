"""What the API accepts and answers, declared once: pydantic models that validate requests and
responses and that the OpenAPI document is generated from."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from tracker.indicators.importing import NOTE_MAX

MAX_BATCH = 5000
MAX_PAGE = 500
DEFAULT_PAGE = 100

Number = Annotated[float, Field(allow_inf_nan=False)]
BasisName = Literal["month", "rolling_12", "ytd"]
Colour = Literal["red", "amber", "green", "blue", "grey"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- Writing figures ----------------------------------------------------------------------


class FigureIn(Strict):
    value: Number = Field(description="The figure, in the indicator's unit (98.36 for 98.36%)")
    provisional: bool = Field(False, description="True if the figure may still change")
    data_quality_note: str | None = Field(
        None,
        description=f"A caveat shown beside the figure (at most {NOTE_MAX:,} characters)",
    )


class FigureQuery(BaseModel):
    basis: BasisName = Field(
        "month", description="Which figure: the month's own, rolling 12 months or year to date"
    )


class BatchFigure(FigureIn):
    indicator_code: str = Field(max_length=30, description="The indicator's code, e.g. CSC-01")
    period: str = Field(
        max_length=20, description="The month, as 2016-01 (other forms the web import accepts too)"
    )
    basis: BasisName = "month"


class BatchIn(Strict):
    figures: list[BatchFigure] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description=f"Up to {MAX_BATCH:,} figures, written all together or not at all",
    )


class FigureOut(BaseModel):
    indicator_code: str
    period: str = Field(description="The month, as YYYY-MM")
    basis: BasisName
    value: float
    provisional: bool
    data_quality_note: str | None
    updated_at: datetime
    revisions: int = Field(description="How many earlier figures were corrected away")


class FigureWritten(BaseModel):
    outcome: Literal["added", "changed", "unchanged"]
    figure: FigureOut


class BatchResult(BaseModel):
    added: int
    changed: int
    unchanged: int
    import_id: int = Field(description="The import's record, listed on the indicators page")


# --- Reading -------------------------------------------------------------------------------


class PageQuery(BaseModel):
    cursor: str | None = Field(
        None, max_length=200, description="From `next_cursor` of the previous page"
    )
    limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE, description="Items per page")


class PlansQuery(PageQuery):
    status: Literal["active", "archived"] | None = None


class RecommendationsQuery(PageQuery):
    plan: int | None = Field(None, ge=1, le=2**31 - 1, description="Only this plan's")


class ActionsQuery(RecommendationsQuery):
    status: Literal["not_started", "in_progress", "blocked", "completed", "verified"] | None = None
    updated_since: datetime | None = Field(
        None, description="Only actions changed at or after this time (ISO 8601 with a timezone)"
    )


class IndicatorsQuery(PageQuery):
    plan: int | None = Field(
        None, ge=1, le=2**31 - 1, description="Only indicators linked to this plan"
    )
    updated_since: datetime | None = Field(
        None, description="Only indicators with a figure saved at or after this time"
    )


class Rating(BaseModel):
    colour: Colour
    label: str
    reason: str


class PlanOut(BaseModel):
    id: int
    title: str
    inspectorate: str
    inspection_type: str
    published_on: date | None
    status: str
    rating: Rating
    recommendations: int


class RecommendationOut(BaseModel):
    id: int
    plan_id: int
    reference: str
    title: str
    text: str
    theme: str | None
    target_date: date | None
    withdrawn: bool
    rating: Rating
    actions: int


class OwnerOut(BaseModel):
    job_title: str
    name: str | None = Field(None, description="Only with the people:read scope")
    email: str | None = Field(None, description="Only with the people:read scope")


class ActionOut(BaseModel):
    id: int
    plan_id: int
    recommendation_id: int
    recommendation_reference: str
    reference: str
    description: str
    status: str
    original_due_date: date | None
    current_due_date: date | None
    slipped_days: int | None = Field(description="Days the due date has moved from the original")
    completed_on: date | None
    verified_on: date | None
    withdrawn: bool
    owner: OwnerOut | None
    rating: Rating
    updated_at: datetime


class TargetOut(BaseModel):
    effective_from: date
    target: float | None
    amber_tolerance: float
    lower_bound: float | None
    upper_bound: float | None


class IndicatorFigureOut(BaseModel):
    period: str
    basis: BasisName
    value: float
    provisional: bool
    data_quality_note: str | None
    updated_at: datetime
    rating: Rating


class IndicatorOut(BaseModel):
    code: str
    name: str
    unit: str
    polarity: str
    judged_on: BasisName
    decimals: int
    benchmark: float | None
    rating: Rating
    trend: str
    targets: list[TargetOut]
    figures: list[IndicatorFigureOut]
    recommendations: list[str] = Field(description="References of the linked recommendations")


class Page(BaseModel):
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end"
    )
    next: str | None = Field(description="The next page's full address; null at the end")


class PlanPage(Page):
    items: list[PlanOut]


class RecommendationPage(Page):
    items: list[RecommendationOut]


class ActionPage(Page):
    items: list[ActionOut]


class IndicatorPage(Page):
    items: list[IndicatorOut]
