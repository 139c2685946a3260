"""The reminder settings page (everyone) and the reminders page (admins)."""

import re
from datetime import date

from sqlalchemy import select

from tests.conftest import _free_port, csrf_token, sign_in
from tracker.extensions import db
from tracker.models import AuditEvent, ReminderOutbox, User
from tracker.reminders.selection import select_reminders

ADMIN = "laura.pickering@example.org"
MARK = "mark.ellison@example.org"
SETTINGS = "/settings/reminders"
ADMIN_PAGE = "/admin/reminders"


def mark() -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == MARK))


def test_the_settings_page_shows_both_reminders_ticked_by_default(seeded, client):
    sign_in(client, MARK)
    page = client.get(SETTINGS).get_data(as_text=True)
    assert "<title>Reminder emails – Improvement plan tracker</title>" in page
    assert "Actions due in the next 7 days" in page
    assert "Actions with no progress update for 30 days" in page
    assert page.count("checked") == 2
    assert "You will always get a reminder when an action you own is overdue" in page


def test_turning_off_due_soon_reminders_changes_what_the_next_run_sends(seeded, client):
    sign_in(client, MARK)
    token = csrf_token(client, SETTINGS)
    response = client.post(SETTINGS, data={"csrf_token": token, "wanted": ["no_update"]})
    assert response.status_code == 302
    assert client.get(SETTINGS).get_data(as_text=True).count("checked") == 1
    assert (mark().wants_due_soon_reminders, mark().wants_no_update_reminders) == (False, True)
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.event == "user.reminder_settings_changed")
    )
    assert event.before == {"due_soon": True, "no_update": True}
    assert event.after == {"due_soon": False, "no_update": True}
    digests = select_reminders(date(2016, 3, 28)).digests
    [own] = [d for d in digests if d.recipient.email == MARK and d.kind == "reminder"]
    assert own.references == ["R3.3", "R3.2", "R2.4"]  # R3.9, due soon, has gone


def test_clearing_both_leaves_only_overdue_reminders(seeded, client):
    sign_in(client, MARK)
    token = csrf_token(client, SETTINGS)
    assert client.post(SETTINGS, data={"csrf_token": token}).status_code == 302
    assert (mark().wants_due_soon_reminders, mark().wants_no_update_reminders) == (False, False)


def test_a_made_up_choice_is_refused_with_an_error_summary(seeded, client):
    sign_in(client, MARK)
    token = csrf_token(client, SETTINGS)
    response = client.post(SETTINGS, data={"csrf_token": token, "wanted": ["overdue"]})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Reminder emails" in page
    assert "govuk-error-summary" in page
    assert mark().wants_due_soon_reminders is True


def test_only_admins_see_the_reminders_page(seeded, client):
    sign_in(client, MARK)
    assert client.get(ADMIN_PAGE).status_code == 403
    assert client.get(f"{ADMIN_PAGE}/preview").status_code == 403
    assert ">Reminders<" not in client.get("/plans").get_data(as_text=True)


def test_admins_see_a_days_sent_pending_failed_and_skipped_reminders(seeded, client, monkeypatch):
    joanne = db.session.scalar(select(User).where(User.email == "joanne.whitfield@example.org"))
    joanne.active = False
    db.session.commit()
    for key, value in {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": _free_port(),  # nothing listening: every email fails
        "REMINDER_MAX_ATTEMPTS": 1,
    }.items():
        monkeypatch.setitem(seeded.config, key, value)
    result = seeded.test_cli_runner().invoke(args=["reminders", "send", "--date", "2016-03-28"])
    assert result.exit_code == 1

    sign_in(client, ADMIN)
    page = client.get(f"{ADMIN_PAGE}?day=28&day=3&day=2016").get_data(as_text=True)
    assert "Monday 28 March 2016" in page
    assert "Escalation: 3 actions overdue by 14 days or more" in page
    assert "R3.3, R3.2, R3.9, R2.4" in page
    assert "Could not connect to the SMTP server" in page
    assert len(re.findall(r"govuk-tag--red\">\s*Failed\s*<", page)) == 4
    assert "Joanne Whitfield" in page and "Account deactivated" in page
    assert "4 reminder emails have failed after every attempt" in page
    assert ">Reminders<" in page  # the navigation link, for admins


def test_the_admin_page_previews_tomorrows_run(seeded, client, monkeypatch):
    monkeypatch.setitem(seeded.config, "AS_AT_DATE", date(2016, 3, 27))
    sign_in(client, ADMIN)
    page = client.get(ADMIN_PAGE).get_data(as_text=True)
    assert "No reminder run has happened for this day." in page
    assert f'href="{ADMIN_PAGE}/preview"' in page
    preview = client.get(f"{ADMIN_PAGE}/preview").get_data(as_text=True)
    assert "Preview: what tomorrow's run would send" in preview
    assert "Monday 28 March 2016" in preview
    assert "3 actions due this week" in preview and "R3.10, R6.1, R6.3" in preview
    assert f'href="{ADMIN_PAGE}"' in preview  # back to the day's reminders


def test_an_impossible_day_gets_an_error_summary_and_keeps_what_was_typed(seeded, client):
    sign_in(client, ADMIN)
    response = client.get(f"{ADMIN_PAGE}?day=31&day=2&day=2016")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "Enter a real date, for example 14 3 2016" in page
    assert 'value="31"' in page


def test_a_busy_day_lists_its_emails_fifty_at_a_time_with_the_counts_of_all(seeded, client):
    for n in range(120):
        owner = User(email=f"owner{n:03d}@example.org", name=f"Owner {n}", role="head_of_service")
        db.session.add(owner)
        db.session.flush()
        db.session.add(
            ReminderOutbox(
                day=date(2016, 3, 28),
                kind="reminder",
                recipient_id=owner.id,
                recipient_email=f"owner{n:03d}@example.org",
                subject=f"Subject {n:03d}",
                body_text="-",
                body_html="-",
                action_ids=[],
                state="sent" if n < 100 else "pending",
                attempts=1 if n < 100 else 0,
            )
        )
    db.session.commit()
    sign_in(client, ADMIN)
    day = f"{ADMIN_PAGE}?day=28&day=3&day=2016"
    first = client.get(day).get_data(as_text=True)
    assert "Emails for this day, 1 to 50 of 120" in first
    assert re.search(r"Sent\s*</dt>\s*<dd[^>]*>\s*100\s*<", first)
    assert re.search(r"Pending\s*</dt>\s*<dd[^>]*>\s*20\s*<", first)
    assert "page=2" in first and "day=28&amp;day=3&amp;day=2016" in first
    seen = []
    for number in (1, 2, 3):
        page = client.get(f"{day}&page={number}").get_data(as_text=True)
        assert "Monday 28 March 2016" in page
        seen += re.findall(r"owner(\d{3})@example.org", page)
    assert sorted(seen) == [f"{n:03d}" for n in range(120)]
