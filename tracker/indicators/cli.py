"""flask --app wsgi indicators import FILE [--dry-run] [--by EMAIL]"""

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from tracker.extensions import db
from tracker.imports import FileProblem
from tracker.imports.limits import configured
from tracker.imports.reading import read_upload
from tracker.indicators.importing import ImportPlan, apply_import, plan_import
from tracker.indicators.service import Conflict
from tracker.models import User
from tracker.uow import unit_of_work

indicators_cli = AppGroup("indicators", help="Performance indicators.")


def _describe(plan: ImportPlan) -> None:
    for row in plan.to_add:
        click.echo(
            f"  add     line {row.line}: {row.indicator.code} {row.period:%Y-%m} "
            f"{row.basis} = {row.shown}"
        )
    for row in plan.to_change:
        click.echo(
            f"  change  line {row.line}: {row.indicator.code} {row.period:%Y-%m} "
            f"{row.basis}: {row.shown_before} -> {row.shown}"
        )


@indicators_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and say what would change.")
@click.option("--by", "by_email", help="Email of the person the import is recorded against.")
def import_command(file: Path, dry_run: bool, by_email: str | None) -> None:
    """Import monthly figures from a CSV or Excel (.xlsx) file: all or nothing."""
    user = None
    if by_email:
        user = db.session.scalar(select(User).where(User.email == by_email.strip().lower()))
        if user is None:
            raise click.ClickException(f"No user has the email address {by_email}")
    try:
        with file.open("rb") as stream:
            data = read_upload(stream, configured())
    except FileProblem as problem:
        raise click.ClickException(f"Nothing was imported: {problem}") from None
    plan = plan_import(data, file.name)
    if plan.errors:
        for error in plan.errors:
            click.echo(str(error), err=True)
        count = len(plan.errors)
        problems = "problem" if count == 1 else "problems"
        raise click.ClickException(f"Nothing was imported: {count} {problems} in {file.name}")
    _describe(plan)
    counts = (
        f"{len(plan.to_add)} to add, {len(plan.to_change)} to change, "
        f"{len(plan.unchanged)} unchanged"
    )
    if dry_run:
        click.echo(f"Dry run: {counts}. Nothing was written.")
        return
    try:
        with unit_of_work():
            record = apply_import(plan, user)
    except Conflict as conflict:
        raise click.ClickException(
            f"Nothing was imported. {conflict}: run the import again to check the file "
            "against the figures saved now."
        ) from None
    click.echo(
        f"Imported {file.name}: {record.rows_added} added, {record.rows_changed} changed, "
        f"{record.rows_unchanged} unchanged."
    )
