"""The settings page's security section and the admin's audit log in Chromium, on both
backends: João signed in from two browsers sees both, this one marked, and signs the
other out by keyboard — whose next page is the sign-in page; axe finds nothing on the
settings page and on the audit log, in English and Dutch, at 1280 and 360 px."""

import re

from playwright.sync_api import expect

from conftest import SCREENSHOTS, WRITE_SCREENSHOTS
from test_accessibility import check_page


def test_devices_are_listed_and_the_others_signed_out_by_keyboard(people, server):
    other = people().sign_in("joao")
    joao = people().sign_in("joao")
    page = joao.goto("/settings#security")
    devices = page.locator("#security li.device")
    # The two browsers, and the API login the harness holds when it has asked for one.
    expect(devices.first).to_be_visible()
    assert devices.count() >= 2
    expect(page.locator("#security li.device.current")).to_have_count(1)
    expect(page.locator("#security li.device.current")).to_contain_text("this device")
    expect(page.locator("#security li.device.current")).to_contain_text(re.compile(r"Chrome on Linux"))
    button = page.get_by_role("button", name="Sign out everywhere else")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("[role=status]")).to_have_text("You are signed out everywhere else.")
    expect(page.locator("#security li.device")).to_have_count(1)
    # The other browser's next page is the sign-in page.
    other.goto("/settings")
    expect(other.page).to_have_url(re.compile(r"/signin"))


def test_the_security_section_and_the_audit_log_pass_axe(people, server):
    shots = WRITE_SCREENSHOTS and server.backend == "sqlite"
    # The coordinator looks at the programme once, so the log has a line about it.
    anneke = people().sign_in("anneke")
    anneke.goto("/coordinate")
    anneke.page.locator("main a[href^='/coordinate/programmes/']").first.click()
    for lang in ["en", "nl"]:
        for who in ["joao", "admin"]:
            status, body = server.api("PATCH", "/api/v1/me", server.token(who), {"locale": lang})
            assert status == 200, body
        for width, height in [(1280, 900), (360, 780)]:
            size = "phone" if width < 500 else "desktop"
            # This browser alone, then one more: two devices in the list.
            joao = people(lang=lang, width=width, height=height).sign_in("joao")
            page = joao.goto("/settings#security")
            page.locator("form[action='/settings/sessions/end-others'] button").click()
            expect(page.locator("#security li.device")).to_have_count(1)
            people(lang=lang, width=width, height=height).sign_in("joao")
            page = joao.goto("/settings#security")
            expect(page.locator("#security li.device")).to_have_count(2)
            expect(page.locator("#security li.device.current")).to_have_count(1)
            check_page(joao, "settings", lang, False)
            if shots:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.locator("#security").screenshot(path=str(SCREENSHOTS / f"security-{lang}-{size}.png"))
            admin = people(lang=lang, width=width, height=height).sign_in("admin")
            page = admin.goto("/admin/audit")
            expect(page.locator(".health-table tbody tr").first).to_be_visible()
            check_page(admin, "audit", lang, shots)
