"""Command-line commands: flask --app wsgi seed | users ..."""

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from tracker import audit
from tracker.auth.passwords import hash_password, password_problem
from tracker.auth.sessions import DEACTIVATED, end_sessions
from tracker.auth.two_factor import turn_off
from tracker.extensions import db
from tracker.models import Role, User
from tracker.seeding.loader import load_seed
from tracker.uow import unit_of_work

ROLE_CHOICE = click.Choice([r.value for r in Role])


def register_cli(app: Flask) -> None:
    from tracker.indicators.cli import indicators_cli

    app.cli.add_command(seed_command)
    app.cli.add_command(users)
    app.cli.add_command(indicators_cli)


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Load the demo plan from seed/ (safe to run again: it adds only what is missing)."""
    if not current_app.config["DEMO_ACCOUNTS"]:
        raise click.ClickException(
            "The demo plan and its demo accounts are for development only; "
            "they are never loaded in a production configuration."
        )
    password = current_app.config["DEMO_PASSWORD"]
    with unit_of_work():
        report = load_seed(password)
        audit.record("seed.loaded", after=report.created)
    if report.total:
        click.echo("Loaded: " + ", ".join(f"{n} {k}" for k, n in sorted(report.created.items())))
    else:
        click.echo("The demo plan was already loaded; nothing changed.")
    demo = db.session.scalars(select(User).where(User.is_demo).order_by(User.role, User.email))
    click.echo("")
    # BASE_URL is where the service is served: `make run PORT=...` sets it to match.
    sign_in = f"{current_app.config['BASE_URL']}/sign-in"
    click.echo(f"Sign in at {sign_in} with any of these demo accounts,")
    click.echo(f"all with the password: {password}")
    for user in demo:
        click.echo(f"  {user.role_label:<20} {user.email:<40} {user.job_title}")


users = AppGroup("users", help="Manage user accounts.")


def _find(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No user has the email address {email}")
    return user


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=ROLE_CHOICE)
@click.option("--job-title", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email: str, name: str, role: str, job_title: str, password_stdin: bool) -> None:
    """Create a user (without --password-stdin they cannot sign in until given one)."""
    email = email.strip().lower()
    if "@" not in email:
        raise click.ClickException("Enter an email address in the correct format")
    if db.session.scalar(select(User).where(User.email == email)):
        raise click.ClickException(f"A user with the email address {email} already exists")
    password_hash = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        problem = password_problem(password)
        if problem:
            raise click.ClickException(problem)
        password_hash = hash_password(password)
    with unit_of_work():
        user = User(
            email=email,
            name=name.strip(),
            role=role,
            job_title=job_title,
            password_hash=password_hash,
        )
        db.session.add(user)
        audit.record("user.created", obj=user, after={"email": email, "role": role})
    click.echo(f"Created {email} ({Role(role).label})")


@users.command("set-role")
@click.option("--email", required=True)
@click.option("--role", required=True, type=ROLE_CHOICE)
def set_role(email: str, role: str) -> None:
    """Change a user's role."""
    user = _find(email)
    with unit_of_work():
        before = user.role
        user.role = role
        audit.record("user.role_changed", obj=user, before={"role": before}, after={"role": role})
    click.echo(f"{user.email} is now {Role(role).label}")


@users.command("deactivate")
@click.option("--email", required=True)
def deactivate(email: str) -> None:
    """Stop a user signing in (their history stays)."""
    user = _find(email)
    with unit_of_work():
        user.active = False
        end_sessions(user, DEACTIVATED)
        audit.record("user.deactivated", obj=user)
    click.echo(f"{user.email} can no longer sign in")


@users.command("reactivate")
@click.option("--email", required=True)
def reactivate(email: str) -> None:
    """Let a deactivated user sign in again."""
    user = _find(email)
    with unit_of_work():
        user.active = True
        audit.record("user.reactivated", obj=user)
    click.echo(f"{user.email} can sign in again")


@users.command("unlink-sso")
@click.option("--email", required=True)
def unlink_sso(email: str) -> None:
    """Forget which identity-provider account signs this user in: the next single sign-on
    matches by verified email again (for an account recreated at the provider)."""
    user = _find(email)
    if user.oidc_subject is None:
        raise click.ClickException(f"{user.email} is not linked to a single sign-on account")
    with unit_of_work():
        before = {"issuer": user.oidc_issuer}
        user.oidc_issuer = user.oidc_subject = None
        audit.record("user.oidc_unlinked", obj=user, before=before)
    click.echo(f"{user.email} is no longer linked; their next single sign-on links again")


@users.command("reset-two-factor")
@click.option("--email", required=True)
def reset_two_factor(email: str) -> None:
    """Turn off someone's two-factor authentication (a lost phone and no recovery codes), for
    when no other admin can do it from the person's page; required, it is set up again at the
    next sign-in."""
    user = _find(email)
    if not user.has_two_factor:
        raise click.ClickException(f"{user.email} does not have two-factor authentication on")
    with unit_of_work():
        turn_off(user)
        audit.record("user.two_factor_reset", obj=user)
    click.echo(f"{user.email} signs in with their password only until they set it up again")


@users.command("list")
def list_users() -> None:
    """List every user with role and state."""
    for user in db.session.scalars(select(User).order_by(User.email)):
        state = "active" if user.active else "deactivated"
        linked = "  single sign-on" if user.oidc_subject else ""
        click.echo(f"{user.email:<40} {user.role_label:<20} {state}{linked}")
