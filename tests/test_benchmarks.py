"""Benchmarks from published statistics (issue 19 item 5): the DfE's local-authority-level file
and statistical-neighbour list imported through the import framework, the neighbour average and
England figure on the indicator page and in the RAG reason, and every refusal."""

import re
from pathlib import Path

from sqlalchemy import func, select

from tests.conftest import csrf_token, sign_in
from tracker.benchmarks import importing
from tracker.benchmarks.figures import benchmarks_for
from tracker.extensions import db
from tracker.indicators.queries import indicator_by_code, latest_values_for
from tracker.models import AuditEvent, ImportRecord, PublishedFigure, StatisticalNeighbour, User
from tracker.uow import unit_of_work

SEED = Path(__file__).resolve().parent.parent / "seed"
PERFORMANCE = "rachel.booth@example.org"
HEAD_OF_SERVICE = "mark.ellison@example.org"
HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,new_la_code,old_la_code,la_name,cla_rate_per_10000"
)


def published(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def la_row(period: str, code: str, name: str, value: str) -> str:
    return f"{period},Reporting year,Local authority,E92000001,England,,,{code},,{name},{value}"


def officer() -> User:
    return db.session.scalar(select(User).where(User.email == PERFORMANCE))


def figures_plan(data: bytes, filename: str = "cla.csv") -> importing.Plan:
    return importing.plan_file(importing.FIGURES_KIND, data, filename)


def stored() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count(PublishedFigure.id))),
        db.session.scalar(select(func.count(StatisticalNeighbour.id))),
        db.session.scalar(select(func.count(ImportRecord.id))),
    )


def csc10_benchmarks():
    indicator = indicator_by_code("CSC-10")
    return benchmarks_for([indicator])[indicator.id]


def test_the_seed_gives_the_reports_statistical_neighbour_average_of_79(seeded):
    benchmarks = csc10_benchmarks()
    year = benchmarks.latest
    assert year.label == "2015"
    assert year.council.value == 73
    assert len(year.neighbours) == 10
    assert year.neighbour_average == 79
    assert year.england.value == 60
    assert year.sources == ["dfe-children-looked-after-rates.csv"]
    # Loaded as demo data, like the rest of the seed: no import record or audit event.
    assert db.session.scalar(select(func.count(ImportRecord.id))) == 0


def test_importing_the_same_file_twice_changes_nothing_the_second_time(seeded):
    data = (SEED / "dfe-children-looked-after-rates.csv").read_bytes()
    before = stored()
    plan = figures_plan(data, "dfe-children-looked-after-rates.csv")
    assert plan.errors == []
    assert plan.to_add == [] and plan.to_change == []
    assert len(plan.unchanged) == 24  # England and 11 councils, two years
    assert not plan.changes_anything
    neighbours = importing.plan_file(
        importing.NEIGHBOURS_KIND, (SEED / "dfe-statistical-neighbours.csv").read_bytes(), "sn.csv"
    )
    assert neighbours.errors == [] and not neighbours.changes_anything
    assert len(neighbours.unchanged) == 10
    assert stored() == before


def test_a_corrected_figure_is_changed_and_imported_once(seeded):
    text = (SEED / "dfe-children-looked-after-rates.csv").read_text()
    corrected = text.replace("Derby,82", "Derby,92").encode()
    plan = figures_plan(corrected, "revised.csv")
    assert [(r.area_name, r.time_period, r.value) for r in plan.to_change] == [
        ("Derby", "2015", 92)
    ]
    with unit_of_work():
        importing.apply_figures(plan, officer())
    assert csc10_benchmarks().latest.neighbour_average == 80
    again = figures_plan(corrected, "revised.csv")
    assert not again.changes_anything
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.event == "benchmarks.figures_imported")
    )
    assert event.after["filename"] == "revised.csv" and event.after["changed"] == 1


def test_suppressed_values_are_kept_as_not_published_never_as_zero(seeded):
    benchmarks = csc10_benchmarks()
    year_2014 = benchmarks.years[1]
    assert year_2014.label == "2014"
    bedford = next(f for f in year_2014.neighbours if f.area_name == "Bedford")
    assert bedford.value is None and bedford.suppressed == "c"
    # The average is of the nine neighbours published, not ten with a 0.
    assert round(year_2014.neighbour_average, 1) == round(697 / 9, 1)
    assert benchmarks.shown(bedford) == "Not published (c)"
    assert benchmarks.neighbours_shown(year_2014) == "77 per 10,000 (9 of 10 published)"

    plan = figures_plan(
        published(
            la_row("2016", "E06000031", "Peterborough", "x"),
            la_row("2016", "E06000030", "Swindon", "z"),
            la_row("2016", "E06000020", "Telford and Wrekin", "low"),
        )
    )
    assert plan.errors == []
    assert [(r.value, r.suppressed) for r in plan.rows] == [
        (None, "x"),
        (None, "z"),
        (None, "low"),
    ]
    assert "Not published (low" in plan.rows[2].shown


def test_unknown_authorities_and_duplicate_periods_are_refused_row_by_row(seeded):
    before = stored()
    plan = figures_plan(
        published(
            la_row("2016", "E06000031", "Peterborough", "75"),
            la_row("2016", "E06000999", "Nowhere", "50"),
            la_row("2016", "E06000031", "Peterborough", "76"),
            la_row("2016", "E06000030", "Swindon", "0 (rounded)"),
            la_row("16", "E06000030", "Swindon", "61"),
            "2016,Reporting year,Local authority district,E92000001,England,,,,,,5",
        )
    )
    messages = [str(e) for e in plan.errors]
    assert messages == [
        "Row 3: The local authority 'Nowhere' (E06000999) is not in the statistical-neighbour "
        "list: check its new_la_code, or import the list that includes it first",
        "Row 4: Peterborough 2016 (cla_rate_per_10000) is also on row 2: each area's figure "
        "for a period may appear once",
        "Row 5: cla_rate_per_10000 is '0 (rounded)': enter the published figure, or the code "
        "the DfE uses where it is not published (c, x, z or low)",
        "Row 6: time_period '16' is not a year as the DfE writes it (2015, or 201415 for 2014-15)",
        "Row 7: geographic_level 'Local authority district' is not National, Regional or "
        "Local authority",
    ]
    try:
        with unit_of_work():
            importing.apply_figures(plan, officer())
    except importing.ImportRefused as refused:
        assert "nothing was imported" in str(refused)
    else:
        raise AssertionError("a file with errors was imported")
    assert stored() == before


def test_a_file_without_a_compared_column_or_with_an_incomplete_neighbour_list_is_refused(
    seeded,
):
    plan = figures_plan(
        published(
            la_row("2016", "E06000031", "Peterborough", "1"),
            header=HEADER.replace("cla_rate_per_10000", "cpp_rate"),
        )
    )
    assert "None of the file's columns" in str(plan.errors[0])
    neighbours = importing.plan_file(
        importing.NEIGHBOURS_KIND,
        b"new_la_code,la_name,SN1,SN2\nE06000031,Peterborough,Swindon,Atlantis\n"
        b"E06000030,Swindon,,\n",
        "sn.csv",
    )
    assert [str(e) for e in neighbours.errors] == [
        "Row 2: Peterborough has 2 statistical neighbours: the DfE lists 10, SN1 to SN10"
    ]


def test_provisional_figures_are_marked_where_the_publication_says_so(seeded):
    header = HEADER + ",data_status"
    plan = figures_plan(
        published(
            "2016,Reporting year,National,E92000001,England,,,,,,61,Provisional",
            la_row("2016", "E06000031", "Peterborough", "74") + ",Provisional",
            header=header,
        ),
        "cla_2016_provisional.csv",
    )
    assert plan.errors == []
    with unit_of_work():
        importing.apply_figures(plan, officer())
    latest = csc10_benchmarks().latest
    assert latest.label == "2016" and latest.provisional
    assert latest.neighbour_average is None  # no neighbour figures published for 2016 yet
    assert csc10_benchmarks().reason_clause() == (
        "statistical neighbours not published; England 61 (published for 2016, provisional)"
    )


def test_the_rag_reason_and_the_indicator_page_show_the_benchmark(seeded, client):
    summary = latest_values_for([indicator_by_code("CSC-10")])[0]
    assert summary.rating.rag.reason.endswith(
        "; statistical neighbours 79; England 60 (published for 2015)"
    )
    sign_in(client, HEAD_OF_SERVICE)
    html = client.get("/indicators/CSC-10").get_data(as_text=True)
    assert "Compared with statistical neighbours and England" in html
    assert "statistical neighbours 79; England 60 (published for 2015)" in html
    row_2015 = re.search(r"<th[^>]*>2015.*?</tr>", html, re.S).group(0)
    cells = re.findall(r'<td class="govuk-table__cell[^"]*">([^<]*)</td>', row_2015)
    assert cells == [
        "73 per 10,000",
        "79 per 10,000",
        "60 per 10,000",
        "dfe-children-looked-after-rates.csv",
    ]
    # The chart draws the latest year as two lines, named in its key and description.
    assert "Statistical neighbours, 2015: 79 per 10,000" in html
    assert "England, 2015: 60 per 10,000" in html
    # The England line in the wide and in the narrow (phone) drawing, and its key swatch.
    assert html.count('stroke="#4c2c92"') == 3
    # Who may import: not a head of service.
    assert client.get("/benchmarks/import").status_code == 403


def test_the_performance_officer_imports_through_preview_and_confirm(seeded, client):
    sign_in(client, PERFORMANCE)
    token = csrf_token(client, "/benchmarks/import")
    data = published(la_row("2016", "E06000031", "Peterborough", "74"))
    response = client.post(
        "/benchmarks/import",
        data={"csrf_token": token, "kind": "published_figures", "file": (_file(data), "a.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert "Peterborough (E06000031)" in page and "To add" in page
    assert db.session.scalar(select(func.count(PublishedFigure.id))) == 24  # nothing yet
    form = dict(re.findall(r'name="(sha256|digest)"[^>]*value="([^"]*)"', page))
    token = csrf_token(client, preview_url)
    done = client.post(preview_url, data={"csrf_token": token, **form})
    assert done.status_code == 302
    assert db.session.scalar(select(func.count(PublishedFigure.id))) == 25
    # A second confirm (a double click) finds nothing to import.
    again = client.post(preview_url, data={"csrf_token": token, **form})
    assert again.status_code == 302
    assert db.session.scalar(select(func.count(PublishedFigure.id))) == 25


def _file(data: bytes):
    import io

    return io.BytesIO(data)


def test_a_file_with_problems_is_previewed_with_a_message_per_row_and_cannot_be_confirmed(
    seeded, client
):
    sign_in(client, PERFORMANCE)
    token = csrf_token(client, "/benchmarks/import")
    data = published(
        la_row("2016", "E06000031", "Peterborough", "74"),
        la_row("2016", "E06000999", "Nowhere", "50"),
    )
    response = client.post(
        "/benchmarks/import",
        data={"csrf_token": token, "kind": "published_figures", "file": (_file(data), "b.csv")},
        content_type="multipart/form-data",
    )
    preview_url = response.headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert "1 problem in b.csv: nothing has been imported" in page
    assert "Row 3: The local authority &#39;Nowhere&#39; (E06000999)" in page
    assert 'name="digest"' not in page  # no way to confirm
    before = stored()
    token = csrf_token(client, preview_url)
    client.post(preview_url, data={"csrf_token": token, "sha256": "x", "digest": "y"})
    assert stored() == before


def test_an_upload_without_a_file_says_error_once_in_the_title(seeded, client):
    sign_in(client, PERFORMANCE)
    token = csrf_token(client, "/benchmarks/import")
    html = client.post(
        "/benchmarks/import", data={"csrf_token": token, "kind": "published_figures"}
    ).get_data(as_text=True)
    assert "govuk-error-summary" in html
    assert "<title>Error: Import published statistics" in html  # not "Error: Error:"
