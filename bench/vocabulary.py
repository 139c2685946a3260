"""Words for generated data, so that pages render text of a realistic length and shape."""

FIRST_NAMES = [
    "Aisha", "Ben", "Chloe", "David", "Eleanor", "Faisal", "Grace", "Harry", "Imran", "Jade",
    "Kieran", "Leah", "Mohammed", "Niamh", "Owen", "Pooja", "Rhys", "Sarah", "Tom", "Yasmin",
    "Amelia", "Callum", "Fiona", "Gethin", "Hannah", "Isaac", "Joanna", "Liam", "Megan", "Nathan",
]  # fmt: skip
LAST_NAMES = [
    "Ahmed", "Baker", "Clarke", "Davies", "Evans", "Fletcher", "Green", "Hughes", "Iqbal",
    "Jones", "Khan", "Lewis", "Morgan", "Nowak", "Okafor", "Patel", "Roberts", "Singh",
    "Taylor", "Walker", "Wright", "Young", "Murphy", "Kaur", "Shaw", "Turner", "Bell", "Cole",
]  # fmt: skip

PLACE_STARTS = [
    "Ash", "Bram", "Carl", "Dun", "Elm", "Fair", "Glen", "Hart", "Ivy", "Kings", "Lang",
    "Marl", "Nor", "Oak", "Pen", "Queens", "Rother", "Stan", "Thorn", "Wex",
]  # fmt: skip
PLACE_ENDS = ["borough", "ford", "ham", "ley", "mouth", "shire", "ton", "wich", "field"]

JOB_TITLES = [
    "Head of Service for Children in Care",
    "Head of Service for Early Help",
    "Head of Service for Safeguarding and Quality Assurance",
    "Head of Service for Care Leavers",
    "Head of Service for Fostering and Adoption",
    "Head of Service for the Multi-Agency Safeguarding Hub",
    "Assistant Director for Children's Social Care",
    "Principal Social Worker",
    "Virtual School Head",
    "Workforce Development Manager",
]

INSPECTIONS = [
    ("Ofsted", "Inspection of local authority children's services (ILACS)"),
    ("Ofsted", "Focused visit"),
    ("Ofsted", "Monitoring visit"),
    ("Ofsted, CQC, HMICFRS, HMI Probation", "Joint targeted area inspection (JTAI)"),
    ("Ofsted and CQC", "Area SEND inspection"),
]

THEMES = [
    "Performance information",
    "Workforce",
    "Quality of practice",
    "Neglect",
    "Missing children and exploitation",
    "Health of children in care",
    "Corporate parenting",
    "Voice of the child",
    "Education of children in care",
    "Complaints",
    "Care leavers",
    "Early help",
    "Front door",
    "Permanence",
    "Management oversight",
]

RECOMMENDATION_TITLES = [
    "Timely management oversight of casework",
    "Chronologies that are up to date and used",
    "Assessments that analyse risk and need",
    "Care plans that are specific and measurable",
    "Return home interviews offered to every child",
    "Initial health assessments within 20 working days",
    "Stable and permanent workforce",
    "Caseloads that allow meaningful work",
    "Strategy meetings that include the police and health",
    "Learning from audits shared with front-line staff",
    "Pathway plans written with care leavers",
    "Personal education plans that raise attainment",
    "Early help assessments that reduce re-referrals",
    "Consistent thresholds at the front door",
    "Children's views recorded and acted on",
]

ACTION_VERBS = [
    "Review", "Introduce", "Audit", "Commission", "Train all team managers on", "Publish",
    "Agree with partners", "Recruit to", "Pilot", "Embed", "Report monthly on", "Redesign",
]  # fmt: skip
ACTION_OBJECTS = [
    "the supervision policy and its recording template",
    "a monthly dip-sample of re-referred cases",
    "the return home interview offer for children missing from care",
    "chronology standards for every open case",
    "the quality assurance framework for assessments",
    "a dashboard of live caseload and timeliness data",
    "the recruitment and retention package for social workers",
    "the joint protocol for strategy discussions",
    "the pathway planning toolkit with care leavers",
    "the personal education plan quality checklist",
    "the early help offer and its step-down criteria",
    "the threshold document and its training",
]

PROGRESS_NOTES = [
    "Work has started; the first draft has gone to the leadership team.",
    "Team managers have been briefed and the new template is in use in two teams.",
    "Progress is slower than planned because of vacancies in the team.",
    "The audit found improvement in 7 of 10 cases sampled; the remaining 3 are being followed up.",
    "Partners agreed the approach at the safeguarding partnership meeting.",
    "Funding has been confirmed and the procurement is under way.",
    "Training sessions have been delivered to 80% of practitioners; the rest are booked.",
    "Blocked until the case management system change is released by the supplier.",
    "Completed: the new arrangements are in place and are being monitored monthly.",
    "Evidence of impact is being gathered from the next round of case audits.",
]
DUE_CHANGE_REASONS = [
    "The supplier moved the system release date.",
    "Partners asked for more time to consult their staff.",
    "Recruitment took longer than planned.",
    "Moved to align with the new quality assurance cycle.",
]

EVIDENCE_TITLES = [
    "Audit report",
    "Minutes of the leadership team meeting",
    "Training attendance record",
    "Revised policy document",
    "Dashboard screenshot for the month",
    "Partnership agreement",
    "Dip-sample findings",
]

INDICATOR_NAMES = [
    ("Single assessments completed within 45 working days", "percentage", "higher_better"),
    ("Re-referrals within 12 months", "percentage", "lower_better"),
    ("Child protection reviews held in timescale", "percentage", "higher_better"),
    ("Visits to children on child protection plans in timescale", "percentage", "higher_better"),
    ("Children looked after per 10,000 children", "rate_per_10000", "within_range"),
    ("Children in care with a health assessment in the last 12 months", "percentage",
     "higher_better"),
    ("Children in care with a dental check in the last 12 months", "percentage", "higher_better"),
    ("Personal education plans completed in the term", "percentage", "higher_better"),
    ("Social worker vacancies", "fte", "lower_better"),
    ("Average caseload per social worker", "count", "lower_better"),
    ("Longest wait for CAMHS treatment", "weeks", "lower_better"),
    ("Return home interviews offered within 72 hours", "percentage", "higher_better"),
    ("Care leavers in education, employment or training", "percentage", "higher_better"),
    ("Referrals per 10,000 children", "rate_per_10000", "lower_better"),
    ("Initial health assessments within 20 working days", "percentage", "higher_better"),
]  # fmt: skip
DATA_QUALITY_NOTES = [
    "The system's figures for this month are known to be incomplete; a correction will follow.",
    "Figure provisional pending the quarterly data cleanse.",
    "Includes cases transferred from the neighbouring authority part-way through the month.",
]

AUDIT_EVENTS = [
    ("sign_in.succeeded", "User", 40),
    ("action.updated", "Action", 25),
    ("evidence.added", "Evidence", 10),
    ("evidence.accepted", "Evidence", 5),
    ("indicator_value.added", "IndicatorValue", 8),
    ("sign_out", "User", 7),
    ("reminder.sent", "ReminderOutbox", 5),
]
