"""The pages the benchmark measures, and who reads each one."""

from dataclasses import dataclass

from bench.generate import Manifest


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    path: str
    reader: str | None  # "committee", "owner" or None (no sign-in)

    def url(self, manifest: Manifest) -> str:
        return self.path.format(
            plan_id=manifest.plan_id,
            recommendation_id=manifest.recommendation_id,
            indicator_code=manifest.indicator_code,
        )


BASELINE = Page("healthz", "GET /healthz (baseline)", "/healthz", None)
PAGES = [
    Page("plan_summary", "Plan summary", "/plans/{plan_id}/summary", "committee"),
    Page(
        "recommendation", "Recommendation page", "/recommendations/{recommendation_id}", "committee"
    ),
    Page("my_actions", "My actions", "/my-actions", "owner"),
    Page("indicator_overview", "Indicator overview", "/indicators", "committee"),
    Page("indicator", "Indicator page", "/indicators/{indicator_code}", "committee"),
]


def reader_email(manifest: Manifest, reader: str) -> str:
    """The one person whose page the SQL statements are counted for."""
    return {"committee": manifest.committee_email, "owner": manifest.owner_email}[reader]


def reader_emails(manifest: Manifest, reader: str) -> list[str]:
    """Everyone who loads the page under load, each with their own session."""
    return {"committee": manifest.committee_emails, "owner": manifest.owner_emails}[reader]
