"""Every ``/app/`` page in both modes (标准版 and 长辈版) under axe-core, at 390×844.

axe-core comes from npm, pinned in ``tests/web/package.json`` (``npm ci --prefix tests/web``;
see ``tests/web/axe.py``: without it this test skips, or fails when ``CI=true``).
The counts of every run go to ``artifacts/axe-counts.json``; screenshots to
``artifacts/screenshots/a11y-<mode>-<page>.png``.
"""

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from api.accounts.services import register_volunteer
from api.extensions import db
from api.families.consent import CONSENT_VERSION
from api.families.services import add_member
from api.hours.certificates import issue_certificate
from api.hours.models import ServiceRecord
from api.signups.services import sign_up
from api.timeutil import utcnow
from tests.web.axe import require_axe

pytestmark = pytest.mark.slow

expect = pytest.importorskip("playwright.sync_api", reason="browser tests need Playwright").expect

ELDER_SIZES = Path(__file__).resolve().parent / "elder_sizes.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
PHONE_390 = {"width": 390, "height": 844}
BLOCKING = ("serious", "critical")
MODES = ("standard", "elder")
# 长辈版 (MIIT 2021 适老化): sizes in CSS pixels at the browser's default font size.
ELDER_MIN_TEXT_PX = 18
ELDER_MIN_HEADING_PX = 30
ELDER_MIN_TARGET_PX = 60
ELDER_MIN_LINE_HEIGHT = 1.3

# What the page asks of the browser: signed in or not, and the hash of a tab.
ANONYMOUS_PAGES = {
    "calendar": "/app/",
    "login": "/app/login",
    "search": "/app/search?q=义诊",
    "help-signed-out": "/app/help",
    "lookup": "/app/lookup",
    "certificate": "/app/certificates/{certificate}",
}
SIGNED_IN_PAGES = {
    "activity": "/app/activities/{activity}",
    "me-signups": "/app/me#signups",
    "me-hours": "/app/me#hours",
    "me-feed": "/app/me#feed",
    "help": "/app/help",
    "stats": "/app/stats",
    "checkin": "/app/checkin?activity={activity}&token=not-a-real-code",
    "checkin-screen": "/app/checkin/screen?activity={activity}",
    "family": "/app/family",
    "points": "/app/points",
    "inbox": "/app/inbox",
}


@pytest.fixture
def axe_source() -> str:
    return require_axe().read_text(encoding="utf-8")


@pytest.fixture
def resident_world(create_user, create_activity, activity_on, tomorrow, corpus_units):
    """A volunteer who organises at 巨陵镇, with a sign-up, records and an activity tomorrow."""
    user = create_user("jl-organizer", roles=[("unit_admin", "LY-JL")])
    register_volunteer(
        user, real_name="李志愿", phone="13900001234", unit_id=corpus_units["LY-JL"].id
    )
    activity = activity_on(tomorrow, title="重阳敬老包饺子", capacity=10)
    sign_up(user, activity.id)
    starts_at = utcnow().replace(microsecond=0) - timedelta(days=3)
    past = create_activity(
        title="义诊进乡村", starts_at=starts_at, ends_at=starts_at + timedelta(hours=3)
    )
    db.session.add(
        ServiceRecord(
            user_id=user.id,
            activity_id=past.id,
            unit_id=past.unit_id,
            credited_minutes=150,
            source="checkin",
            status="approved",
        )
    )
    db.session.commit()
    certificate = issue_certificate(user)
    add_member(
        user,
        real_name="李小明",
        birth_date=date(2016, 5, 5),
        relation="子女",
        consent_version=CONSENT_VERSION,
    )
    return {"user": user, "activity": activity.id, "certificate": certificate.code}


def _axe(page) -> dict[str, int]:
    """Violations of the page by impact (counted in nodes), and the blocking ones by rule
    (axe-core is injected into every document of the context by an init script)."""
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    counts = {"minor": 0, "moderate": 0, "serious": 0, "critical": 0}
    blocking, rules = {}, {}
    for violation in result["violations"]:
        counts[violation["impact"]] += len(violation["nodes"])
        rules[violation["id"]] = len(violation["nodes"])
        if violation["impact"] in BLOCKING:
            blocking[violation["id"]] = [node["target"] for node in violation["nodes"]][:3]
    return {**counts, "rules": rules, "blocking": blocking}


def _elder_measurements(page) -> dict:
    """What is too small in 长辈版: text, headings, line height and tap targets."""
    limits = [ELDER_MIN_TEXT_PX, ELDER_MIN_HEADING_PX, ELDER_MIN_TARGET_PX, ELDER_MIN_LINE_HEIGHT]
    return page.evaluate(ELDER_SIZES.read_text(encoding="utf-8"), limits)


def _visit(web, name: str, path: str, mode: str, report: dict) -> None:
    page = web.open(path)
    if "#" in path:
        page.reload()  # a new hash of the same page does not load it anew
    web.wait_until_loaded()
    if mode == "elder":
        assert page.evaluate("document.documentElement.dataset.mode") == "elder", name
        measured = _elder_measurements(page)
        report[f"{mode}/{name}/elder-sizes"] = measured
    elif name == "calendar":
        # The measure itself: the standard mode's month days and filters are below 60 px.
        assert _elder_measurements(page)["targets"]
    report[f"{mode}/{name}"] = _axe(page)
    web.shot(f"a11y-{mode}-{name}")


@pytest.mark.parametrize("mode", MODES)
def test_every_page_is_axe_clean_and_large_enough_in_elder_mode(
    mode, browse, axe_source, resident_world
):
    report: dict = {}
    init = "localStorage.setItem('civ.mode', 'elder');" if mode == "elder" else ""
    anonymous = browse(viewport=PHONE_390, device_scale_factor=1)
    anonymous.context.add_init_script(init + axe_source)
    for name, path in ANONYMOUS_PAGES.items():
        _visit(anonymous, name, path.format(**resident_world), mode, report)
    signed_in = browse(viewport=PHONE_390, device_scale_factor=1)
    signed_in.context.add_init_script(init + axe_source)
    signed_in.sign_in(resident_world["user"])
    for name, path in SIGNED_IN_PAGES.items():
        _visit(signed_in, name, path.format(**resident_world), mode, report)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = ARTIFACTS / f"axe-counts-{mode}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    blocking = {
        name: counts["blocking"]
        for name, counts in report.items()
        if "blocking" in counts and counts["blocking"]
    }
    assert blocking == {}
    if mode == "elder":
        too_small = {
            name: sizes
            for name, sizes in report.items()
            if name.endswith("elder-sizes") and any(sizes.values())
        }
        assert too_small == {}
