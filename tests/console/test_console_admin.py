"""The admin's screens in a browser: a role granted on a station from 用户与角色, after which
that person manages that station's subtree and is refused elsewhere; a password reset that
signs them out; units, certificate settings, the audit log and the statistics for officials."""

import json

from playwright.sync_api import expect

ADMIN_PASSWORD = "admin-pass-2026"
STAFF_PASSWORD = "nanjie-pass-1"


def _api(page, method: str, path: str, body: dict | None = None) -> int:
    """Call the API from the page with its sign-in (the session cookie, and the CSRF token
    a write needs), without renewing it; the status code."""
    return page.evaluate(
        """async ([method, path, body]) => {
             const csrf = (document.cookie.split('; ').find((c) => c.startsWith('civ_csrf=')) || '')
               .slice('civ_csrf='.length);
             const response = await fetch('/api/v1' + path, {method,
               headers: {'X-CSRF-Token': decodeURIComponent(csrf),
                         'Content-Type': 'application/json'},
               body: body === null ? undefined : JSON.stringify(body)});
             return response.status;
           }""",
        [method, path, body],
    )


def test_a_role_granted_on_a_station_manages_only_that_station(console, create_user, corpus_units):
    create_user("county", password=ADMIN_PASSWORD, roles=[("admin", "LY")])
    create_user("nanjie", password=STAFF_PASSWORD)
    station, elsewhere = corpus_units["LY-CG-NJ"], corpus_units["LY-CG-BXZ"]

    admin = console()
    admin.sign_in("county", ADMIN_PASSWORD)
    page = admin.open("/admin/users?q=nanjie")
    row = page.get_by_role("row").filter(has_text="nanjie")
    expect(row).to_contain_text("无")
    assert admin.axe_violations() == []
    admin.shot("admin-users")
    row.get_by_label("给 nanjie 授予的角色").select_option("unit_admin")
    row.get_by_label("给 nanjie 授予角色的单位").select_option(str(station.id))
    row.get_by_role("button", name="授予").click()
    granted = page.get_by_role("row").filter(has_text="nanjie")
    expect(granted).to_contain_text("阵地管理员 · 城关街道南街村")

    staff = console()
    staff.sign_in("nanjie", STAFF_PASSWORD)
    units_page = staff.open("/admin/units")
    picker = units_page.locator("#unit-picker")
    expect(picker.locator("option")).to_have_count(1)
    expect(picker).to_have_value(str(station.id))
    units_page.get_by_label("电话").fill("0395-8871199")
    units_page.get_by_role("button", name="保存单位信息").click()
    expect(units_page.get_by_text("已保存", exact=True)).to_be_visible()
    assert _api(units_page, "PATCH", f"/units/{elsewhere.id}", {"phone": "0395-1"}) == 403
    institute = corpus_units["LY-CG"].id
    assert _api(units_page, "PATCH", f"/units/{institute}", {"phone": "0395-1"}) == 403
    assert _api(units_page, "GET", f"/units/{station.id}/certificate-settings") == 200
    assert _api(units_page, "GET", f"/units/{elsewhere.id}/certificate-settings") == 403

    # The admin resets nanjie's password: the one-time password shows once, nanjie is out.
    page.get_by_role("row").filter(has_text="nanjie").get_by_role("button", name="重置密码").click()
    page.get_by_role("row").filter(has_text="nanjie").get_by_role("button", name="确认重置").click()
    expect(page.locator(".password")).to_be_visible()
    assert _api(units_page, "GET", "/me") == 401

    audit = admin.open("/admin/audit?entity_type=unit&entity_id=" + str(station.id))
    expect(audit.get_by_role("cell", name="unit.update")).to_be_visible()
    expect(audit.get_by_role("row").filter(has_text="unit.update")).to_contain_text("nanjie")
    assert admin.axe_violations() == []
    admin.shot("admin-audit")


def test_admin_screens_units_certificates_and_statistics(console, create_user, corpus_units):
    create_user("county", password=ADMIN_PASSWORD, roles=[("admin", "LY")])
    create_user("viewer", password=STAFF_PASSWORD, roles=[("official", "LY")])
    admin = console()
    admin.sign_in("county", ADMIN_PASSWORD)

    page = admin.open(f"/admin/certificates?unit={corpus_units['LY-JL'].id}")
    page.get_by_label("负责人").fill("张主任")
    page.get_by_label("经办人").fill("李干事")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存，此后出具的证明使用新的署名")).to_be_visible()
    assert admin.axe_violations() == []
    admin.shot("admin-certificates")
    page.reload()
    expect(page.get_by_label("负责人")).to_have_value("张主任")

    page = admin.open(f"/admin/units?unit={corpus_units['LY-JL'].id}")
    page.get_by_label("队名").fill("巨陵镇助老服务队")
    page.get_by_role("button", name="新建").click()
    expect(page.get_by_role("cell", name="巨陵镇助老服务队")).to_be_visible()
    assert admin.axe_violations() == []
    admin.shot("admin-units")

    official = console()
    official.sign_in("viewer", STAFF_PASSWORD)
    stats = official.open("/admin/stats")
    expect(stats.locator(".kpis")).to_contain_text("志愿服务队")
    nav = stats.get_by_role("navigation", name="管理后台导航")
    expect(nav.get_by_role("link", name="用户与角色")).to_have_count(0)
    assert official.axe_violations() == []
    official.shot("official-stats")
    assert json.loads(json.dumps(stats.evaluate("document.title"))).startswith("数据")
