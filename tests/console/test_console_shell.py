"""The console's shell in a browser: password sign-in (refused with a message), the nav of
one's roles, a session that survives a reload, sign-out, a screen still being built."""

from playwright.sync_api import expect

PASSWORD = "correct horse 1"


def test_sign_in_nav_by_role_reload_and_sign_out(console, create_user, corpus_units):
    create_user("leader1", password=PASSWORD, roles=[("team_leader", "LY-JL")])
    browsing = console()
    page = browsing.open("/admin/")
    page.get_by_label("用户名").fill("leader1")
    page.get_by_label("密码").fill("wrong password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("登录失败")

    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    nav = page.get_by_role("navigation", name="管理后台导航")
    expect(nav.get_by_role("link", name="活动管理")).to_be_visible()
    # A team leader organizes but does not dispatch, edit articles or administer users.
    expect(nav.get_by_role("link", name="派单看板")).to_have_count(0)
    expect(nav.get_by_role("link", name="文章")).to_have_count(0)
    expect(nav.get_by_role("link", name="用户与角色")).to_have_count(0)

    page.reload()
    expect(page.locator(".console-username")).to_have_text("leader1")
    # A screen the roles do not open says so (the API would refuse its requests anyway).
    browsing.open("/admin/dispatch")
    expect(page.get_by_text("您的账号无权使用此页面")).to_be_visible()

    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()


def test_a_resident_signed_in_has_no_console_screens(console, create_user):
    create_user("plainuser", password=PASSWORD)
    browsing = console()
    page = browsing.open("/admin/")
    page.get_by_label("用户名").fill("plainuser")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("您的账号没有可用的管理功能")).to_be_visible()
