"""An organizer enters hours from a paper sign-in sheet on the roster (补录时长): the entry
is a pending manual record that another admin reviews — never its creator (DESIGN §4.10);
refusals (the per-record cap, a too-short reason) show the API's messages in the row's form
and keep what was typed; the roster with the form open is axe-clean with 44px targets."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from api.accounts.services import register_volunteer
from api.extensions import db
from api.hours.models import MANUAL, ServiceRecord
from api.signups.models import Signup

PASSWORD = "organizer pass 1"
NAME = "李*梅"  # 李春梅 as the roster shows her


@pytest.fixture
def phone():
    """The roster at PC size unless a test is parametrized with ``phone``."""
    return False


@pytest.fixture
def sheet(console, create_user, create_activity, corpus_units, frozen_clock, morning, phone):
    """The morning after a finished two-hour activity of 巨陵镇 that 李春梅 signed up for and
    came to without scanning (王小华 stayed on the waitlist); its organizer (``jl-admin``,
    signed in) on the roster."""
    frozen_clock(morning)
    organizer = create_user("jl-admin", password=PASSWORD, roles=[("unit_admin", "LY-JL")])
    person, waiting = create_user(), create_user()
    for user, real_name, phone_number in (
        (person, "李春梅", "13912345678"),
        (waiting, "王小华", "13987654321"),
    ):
        register_volunteer(
            user, real_name=real_name, phone=phone_number, unit_id=corpus_units["LY-JL"].id
        )
    starts_at = morning - timedelta(days=1)
    activity = create_activity(
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        status="finished",
        confirmed_count=1,
        waitlist_count=1,
    )
    db.session.add(Signup(user_id=person.id, activity_id=activity.id, status="confirmed"))
    db.session.add(Signup(user_id=waiting.id, activity_id=activity.id, status="waitlisted"))
    db.session.commit()
    browsing = console(phone=phone)
    browsing.sign_in("jl-admin", PASSWORD)
    page = browsing.open(f"/admin/roster?activity={activity.id}")
    return SimpleNamespace(
        organizer=organizer, person=person, activity=activity, browsing=browsing, page=page
    )


def _open_form(page):
    """The row's 补录时长 form, opened."""
    row = page.locator("tr", has_text=NAME)
    row.get_by_role("button", name="补录时长").click()
    form = row.get_by_role("form", name=f"为{NAME}补录时长")
    expect(form).to_be_visible()
    return form


def _enter(page, minutes: str, reason: str):
    """Fill in and submit the row's form; returns the form."""
    form = _open_form(page)
    form.get_by_label("时长（分钟）").fill(minutes)
    form.get_by_label("补录原因").fill(reason)
    form.get_by_role("button", name="提交补录").click()
    return form


def _records(person) -> list[ServiceRecord]:
    db.session.expire_all()  # the live server wrote them in another session
    return list(db.session.scalars(sa.select(ServiceRecord).filter_by(user_id=person.id)))


def test_an_entry_from_the_paper_sheet_awaits_another_admins_review(sheet):
    page = sheet.page
    # Only a volunteer with a place at the activity gets the button.
    expect(page.locator("tr", has_text="王*华")).to_contain_text("候补")
    expect(page.get_by_role("button", name="补录时长")).to_have_count(1)
    _enter(page, "90", "纸质签到表补录")

    notice = page.locator(".board-notice")
    expect(notice).to_have_text(f"{NAME}：已提交，待其他管理员审核")
    expect(notice).to_be_focused()
    [record] = _records(sheet.person)
    assert (record.source, record.status, record.credited_minutes, record.reason) == (
        MANUAL,
        "pending",
        90,
        "纸质签到表补录",
    )
    assert (record.activity_id, record.created_by_id) == (sheet.activity.id, sheet.organizer.id)
    # The roster is drawn again: the record is listed for review, the row offers no second entry.
    reviewed = page.locator("section", has_text="服务时长审核").locator("tr", has_text="补录")
    expect(reviewed).to_contain_text("90 分钟")
    expect(reviewed).to_contain_text("待审核")
    row = page.locator("tr", has_text=NAME)
    expect(row.get_by_role("button", name="补录时长")).to_have_count(0)


def test_the_admin_who_entered_hours_cannot_approve_them(sheet, create_user, client, auth_headers):
    page = sheet.page
    _enter(page, "90", "纸质签到表补录")
    expect(page.locator(".board-notice")).to_contain_text("已提交")
    [record] = _records(sheet.person)

    # The roster offers its creator no 通过; the API refuses them all the same.
    reviewed = page.locator("section", has_text="服务时长审核").locator("tr", has_text="补录")
    expect(reviewed).to_contain_text("由其他管理员审核")
    expect(reviewed.get_by_role("button", name="通过")).to_have_count(0)
    refused = client.post(
        f"/api/v1/hours/records/{record.id}/approve", headers=auth_headers(sheet.organizer), json={}
    )
    assert refused.status_code == 403
    assert refused.get_json()["error"] == "self_review"
    assert _records(sheet.person)[0].status == "pending"

    reviewer = create_user("ly-admin", roles=[("unit_admin", "LY")])
    approved = client.post(
        f"/api/v1/hours/records/{record.id}/approve", headers=auth_headers(reviewer), json={}
    )
    assert approved.status_code == 200, approved.get_json()
    [record] = _records(sheet.person)
    assert (record.status, record.reviewed_by_id) == ("approved", reviewer.id)


def test_an_entry_over_the_record_cap_shows_the_message_and_keeps_the_typing(app, sheet):
    app.config["MANUAL_RECORD_MAX_MINUTES"] = 60
    form = _enter(sheet.page, "90", "纸质签到表补录")

    # The server's message, its detail included.
    expect(form.locator(".form-error")).to_have_text(
        "单条服务记录的时长超过上限：单条记录不能超过 60 分钟"
    )
    minutes = form.get_by_label("时长（分钟）")
    expect(form.locator('[data-field="credited_minutes"] .field-error')).to_have_text(
        "单条记录不能超过 60 分钟"
    )
    expect(minutes).to_have_value("90")
    expect(form.get_by_label("补录原因")).to_have_value("纸质签到表补录")
    expect(minutes).to_be_focused()
    expect(minutes).to_have_attribute("aria-invalid", "true")
    assert _records(sheet.person) == []

    # Corrected in place, the same form goes through.
    minutes.fill("60")
    form.get_by_role("button", name="提交补录").click()
    expect(sheet.page.locator(".board-notice")).to_contain_text("已提交，待其他管理员审核")
    assert [record.credited_minutes for record in _records(sheet.person)] == [60]


def test_a_too_short_reason_shows_its_field_error(sheet):
    form = _enter(sheet.page, "90", "补")

    reason = form.get_by_label("补录原因")
    expect(form.locator('[data-field="reason"] .field-error')).to_have_text(
        "长度应在 2 到 255 之间"
    )
    expect(form.locator('[data-field="credited_minutes"] .field-error')).to_be_hidden()
    expect(reason).to_be_focused()
    expect(reason).to_have_value("补")
    expect(form.get_by_label("时长（分钟）")).to_have_value("90")
    assert _records(sheet.person) == []


@pytest.mark.parametrize("phone", [False, True], ids=["pc", "phone"])
def test_the_roster_with_the_form_open_is_accessible(sheet, phone):
    form = _open_form(sheet.page)
    expect(form.get_by_label("时长（分钟）")).to_be_focused()
    controls = [
        form.get_by_label("时长（分钟）"),
        form.get_by_label("补录原因"),
        form.get_by_role("button", name="提交补录"),
        form.get_by_role("button", name="取消"),
    ]
    for control in controls:
        assert control.bounding_box()["height"] >= 44
    assert sheet.browsing.axe_violations() == []

    # With a refusal shown, too.
    form.get_by_role("button", name="提交补录").click()
    expect(form.locator(".form-error")).to_be_visible()
    assert sheet.browsing.axe_violations() == []
    sheet.browsing.shot(f"roster-manual-record-{'phone' if phone else 'pc'}")

    form.get_by_role("button", name="取消").click()
    start = sheet.page.locator("tr", has_text=NAME).get_by_role("button", name="补录时长")
    expect(start).to_be_focused()
    assert start.bounding_box()["height"] >= 44
