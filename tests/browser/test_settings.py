"""The settings page in Chromium: a mentee switches to a daily digest at an hour of
their choosing, adds an address by the mailed link and switches the pages to Dutch;
axe-core finds nothing in English or Dutch, at desktop and phone width, with and
without a form error."""

import re

from playwright.sync_api import expect

from conftest import PEOPLE, WRITE_SCREENSHOTS
from test_accessibility import check_page, sign_in_by_link


def test_mail_digest_address_and_language(people, server):
    mentee = people().sign_in("joao")
    page = mentee.page
    page.get_by_role("link", name="Settings").click()
    expect(page.locator("h1")).to_have_text("Settings")
    expect(page.locator("nav a[aria-current=page]")).to_have_text("Settings")

    # A daily digest at 18:00.
    page.get_by_role("group", name="Mail about new messages").get_by_label("One summary a day").check()
    page.get_by_label("Time of the summary").select_option("18")
    page.get_by_role("button", name="Save mail settings").click()
    expect(page.get_by_role("status")).to_have_text("Your mail settings are saved.")
    expect(page.get_by_label("One summary a day")).to_be_checked()
    expect(page.get_by_label("Time of the summary")).to_have_value("18")
    status, prefs = server.api("GET", "/api/v1/me/mail", server.token("joao"))
    assert status == 200 and prefs["settings"]["mode"] == "daily" and prefs["settings"]["digest_hour"] == 18, prefs

    # Another address: a link goes to it, and opening it there adds it.
    new = "joao.thuis@example.org"
    page.get_by_label("Add an address").fill(new)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("status")).to_contain_text("We sent a link to the new address")
    mail = server.wait_for_mail(new, lambda m: "/mail/add-address/" in m.get_body(("plain",)).get_content())
    link = re.search(r"https?://\S+/mail/add-address/[\w-]+", mail.get_body(("plain",)).get_content()).group(0)
    page.goto(link)
    page.get_by_role("button", name="Add").click()
    expect(page.locator("body")).to_contain_text("you can now write from")
    mentee.goto("/settings")
    expect(page.locator(".addresses")).to_contain_text(new)

    # Dutch, at once.
    page.get_by_role("group", name="Language").get_by_label("Nederlands").check()
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator("h1")).to_have_text("Instellingen")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("status")).to_have_text("Je profiel is opgeslagen.")
    expect(page.get_by_role("link", name="Postvak")).to_be_visible()


def test_settings_without_javascript(people, server):
    mentee = people(javascript=False).sign_in("joao")
    page = mentee.page
    mentee.goto("/settings")
    page.get_by_label("One summary a week").check()
    page.get_by_label("Day of the weekly summary").select_option("5")
    page.get_by_label("From").fill("22:00")
    page.get_by_label("Until").fill("07:00")
    page.get_by_role("button", name="Save mail settings").click()
    expect(page.get_by_role("status")).to_have_text("Your mail settings are saved.")
    expect(page.get_by_label("Day of the weekly summary")).to_have_value("5")
    expect(page.get_by_label("From")).to_have_value("22:00")


def test_settings_pages_in_english_and_dutch_at_two_widths(people, server):
    shots = WRITE_SCREENSHOTS and server.backend == "sqlite"
    for width, height in [(1280, 900), (360, 780)]:
        en = people(lang="en", width=width, height=height).sign_in("cagri")
        en.goto("/settings")
        check_page(en, "settings", "en", shots)
        # A form error: quiet hours with a start and no end.
        en.page.get_by_label("From").fill("22:00")
        en.page.get_by_role("button", name="Save mail settings").click()
        expect(en.page.locator(".error-summary")).to_be_visible()
        expect(en.page.locator(".error-summary")).to_be_focused()
        check_page(en, "settings-error", "en", shots)

        nl = people(lang="nl", width=width, height=height)
        sign_in_by_link(nl, "henk")
        nl.page.get_by_role("button", name="Log mij in").click()
        expect(nl.page.locator("h1")).to_have_text("Postvak")
        nl.page.get_by_role("link", name="Instellingen").click()
        expect(nl.page.locator("h1")).to_have_text("Instellingen")
        check_page(nl, "settings", "nl", shots)
        assert PEOPLE["henk"] in nl.page.locator(".addresses").inner_text()
