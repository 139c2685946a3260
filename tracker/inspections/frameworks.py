"""The vocabulary of inspections as data: kinds of event, inspection frameworks with their
judgement areas and grades, and the statutory rules on action plans.

Templates and forms read these tables; nothing else spells out an area or a grade. To follow a
new framework, add it here (docs/inspections.md says how).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Grade:
    key: str
    label: str


@dataclass(frozen=True)
class Area:
    key: str
    label: str


@dataclass(frozen=True)
class Framework:
    code: str
    name: str
    areas: tuple[Area, ...]
    grades: tuple[Grade, ...]
    # Whether every inspection under it asks for a written statement of action, whatever the
    # judgement (the SIF did); otherwise only an inadequate judgement or priority actions do.
    statement_always_required: bool = False

    def area(self, key: str) -> Area | None:
        return next((a for a in self.areas if a.key == key), None)

    def grade(self, key: str) -> Grade | None:
        return next((g for g in self.grades if g.key == key), None)


@dataclass(frozen=True)
class EventKind:
    key: str
    label: str
    inspectorate: str
    framework: str | None = None  # judgements are given only under a framework
    may_set_priority_actions: bool = False
    ofsted: bool = True


FOUR_GRADES = (
    Grade("outstanding", "Outstanding"),
    Grade("good", "Good"),
    Grade("requires_improvement", "Requires improvement to be good"),
    Grade("inadequate", "Inadequate"),
)
INADEQUATE = "inadequate"
OVERALL = "overall"

FRAMEWORKS: dict[str, Framework] = {
    "SIF": Framework(
        code="SIF",
        name="Single inspection framework (2013 to 2017)",
        areas=(
            Area(OVERALL, "Overall effectiveness"),
            Area("help_and_protection", "Children who need help and protection"),
            Area("looked_after", "Children looked after and achieving permanence"),
            Area("adoption", "Adoption performance"),
            Area("care_leavers", "Experiences and progress of care leavers"),
            Area("leadership", "Leadership, management and governance"),
        ),
        grades=FOUR_GRADES,
        statement_always_required=True,
    ),
    "ILACS": Framework(
        code="ILACS",
        name="Inspecting local authority children's services (ILACS, from 2018)",
        areas=(
            Area(OVERALL, "Overall effectiveness"),
            Area(
                "leaders",
                "The impact of leaders on social work practice with children and families",
            ),
            Area(
                "help_and_protection",
                "The experiences and progress of children who need help and protection",
            ),
            Area("children_in_care", "The experiences and progress of children in care"),
            Area("care_leavers", "The experiences and progress of care leavers"),
        ),
        grades=FOUR_GRADES,
    ),
}

KINDS: dict[str, EventKind] = {
    kind.key: kind
    for kind in (
        EventKind(
            "sif_inspection",
            "Inspection under the single inspection framework (SIF)",
            "Ofsted",
            "SIF",
        ),
        EventKind("ilacs_standard", "ILACS standard inspection", "Ofsted", "ILACS"),
        EventKind("ilacs_short", "ILACS short inspection", "Ofsted", "ILACS"),
        EventKind("focused_visit", "Focused visit", "Ofsted", may_set_priority_actions=True),
        EventKind("monitoring_visit", "Monitoring visit", "Ofsted", may_set_priority_actions=True),
        EventKind(
            "jtai",
            "Joint targeted area inspection (JTAI)",
            "Ofsted, Care Quality Commission, HMICFRS and HMI Probation",
            may_set_priority_actions=True,
        ),
        EventKind("annual_engagement", "Annual engagement meeting", "Ofsted"),
        EventKind(
            "sector_led_review",
            "Sector-led improvement partner review",
            "Sector-led improvement partner",
            ofsted=False,
        ),
        EventKind(
            "frontline_visits", "Councillors' frontline visits", "Elected members", ofsted=False
        ),
        EventKind(
            "case_audit",
            "Internal case audit",
            "The council's quality assurance team",
            ofsted=False,
        ),
    )
}


@dataclass(frozen=True)
class DeadlineRule:
    key: str
    label: str
    working_days: int
    rule: str
    source: str


# The issue (19) and DESIGN.md state these rules; docs/inspections.md quotes them in full.
STATUTORY_SOURCE = (
    "Ofsted's inspection framework: the council sends Ofsted its written statement of action "
    "(the improvement plan) within 70 working days of receiving the report or letter, and an "
    "early draft within 20 working days"
)
DEADLINE_RULES = (
    DeadlineRule(
        "draft",
        "Draft plan to Ofsted",
        20,
        "20 working days from the day the report or letter was received",
        STATUTORY_SOURCE,
    ),
    DeadlineRule(
        "final",
        "Final plan to Ofsted",
        70,
        "70 working days from the day the report or letter was received",
        STATUTORY_SOURCE,
    ),
)


def kind(key: str) -> EventKind | None:
    return KINDS.get(key)


def framework_for(kind_key: str) -> Framework | None:
    event_kind = KINDS.get(kind_key)
    return FRAMEWORKS.get(event_kind.framework) if event_kind and event_kind.framework else None
