"""Closure (F10) in Chromium, on both backends: a mentee starts the closing step from
the mentorship page (through its confirm step, by keyboard), sends an empty closing
form first (a GOV.UK error), then key moments and a thanks note; the mentor reads both
and her form closes the mentorship, which stays readable under a "closed on" banner
with no compose form. axe finds nothing on the closing page (with the form, and after
closing), the closed mentorship page and the follow-up page, in English and Dutch, at
1280 and 360 px, light and dark."""

import re

from playwright.sync_api import expect

from conftest import WRITE_SCREENSHOTS
from test_accessibility import check_page

MOMENTS = "Het gesprek over mijn eerste presentatie in Łódź"
THANKS = "Obrigado, Małgorzata — je vragen hielpen mij verder"


def classic_mentorship(server):
    status, body = server.api("GET", "/api/v1/me/mentorships", token=server.token("joao"))
    assert status == 200 and body, body
    return body[0]["id"]


def press_until_focused(page, text):
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == text:
            return
    raise AssertionError(f"no focusable {text!r}")


def test_a_mentorship_closes_through_its_closing_step(people, server):
    mentorship = classic_mentorship(server)
    joao = people().sign_in("joao")
    page = joao.goto(f"/mentorships/{mentorship}")
    expect(page.locator("#closing h2")).to_have_text("Closing the mentorship")
    page.locator("#closing").get_by_role("link", name="Start the closing step").click()
    # The confirm step: nothing has started yet.
    expect(page.locator("h1")).to_have_text("Closing the mentorship")
    status, body = server.api("GET", f"/api/v1/mentorships/{mentorship}/closing", token=server.token("joao"))
    assert status == 200 and body["figures"]["started_at"] is None, body
    press_until_focused(page, "Start the closing step")
    page.keyboard.press("Enter")
    expect(page.locator("[role=status]")).to_have_text("The closing step has started.")

    # An empty form: the error summary links to the problem, nothing is saved.
    page.get_by_role("button", name="Save my closing form").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".error-summary")).to_contain_text("Answer at least one question")
    page.fill("#key_moments", MOMENTS)
    page.fill("#thanks", THANKS)
    page.get_by_role("button", name="Save my closing form").click()
    expect(page.locator("[role=status]")).to_have_text(re.compile("Your closing form is saved"))
    expect(page.locator("#key_moments")).to_have_value(MOMENTS)

    # The mentor reads the moments and keeps the thanks; her form closes it.
    gosia = people().sign_in("malgorzata")
    page = gosia.goto(f"/mentorships/{mentorship}/closing")
    expect(page.locator("#closing-shared-title")).to_be_visible()
    expect(page.locator("main")).to_contain_text(MOMENTS)
    expect(page.locator("main")).to_contain_text(THANKS)
    expect(page.locator("#thanks")).to_have_count(0)
    page.fill("#key_moments", "Zijn eerste presentatie voor het hele team")
    page.fill("#achieved", "Hij presenteert nu zelfstandig")
    page.get_by_role("button", name="Save my closing form").click()
    expect(page.locator("#closing [role=status]")).to_have_text("The mentorship is closed. Thank you both.")
    expect(page.locator("#closed-banner")).to_contain_text("This mentorship closed on")

    # The record stays readable; nothing new can be written.
    page = joao.goto(f"/mentorships/{mentorship}")
    expect(page.locator("#closed-banner")).to_be_visible()
    expect(page.locator("#meetings")).to_be_visible()
    page.goto(server.base + f"/mentorships/{mentorship}/closing")
    expect(page.locator("main")).to_contain_text("Zijn eerste presentatie voor het hele team")
    expect(page.locator("main")).not_to_contain_text("Hij presenteert nu zelfstandig")


def test_the_closing_pages_pass_axe(people, server):
    mentorship = classic_mentorship(server)
    base = f"/api/v1/mentorships/{mentorship}"
    status, body = server.api("POST", f"{base}/closing", token=server.token("joao"))
    assert status == 200, body
    status, body = server.api("PUT", f"{base}/closing/form", server.token("joao"), {"key_moments": MOMENTS, "thanks": THANKS})
    assert status == 200, body
    for lang in ["en", "nl"]:
        status, body = server.api("PATCH", "/api/v1/me", server.token("malgorzata"), {"locale": lang})
        assert status == 200, body
        for width, height in [(1280, 900), (360, 780)]:
            for scheme in ["light", "dark"]:
                person = people(lang=lang, width=width, height=height, color_scheme=scheme).sign_in("malgorzata")
                person.goto(f"/mentorships/{mentorship}/closing")
                check_page(person, "closing", lang, WRITE_SCREENSHOTS and server.backend == "sqlite")
                # The same form with an error in it.
                person.page.fill("#key_moments", "ł" * 2001)
                person.page.locator("form[action$='/closing/form'] button[type=submit]").click()
                expect(person.page).to_have_title(re.compile(r"^(Error|Fout)"))
                check_page(person, "closing-error", lang, WRITE_SCREENSHOTS and server.backend == "sqlite")
    status, body = server.api("POST", f"{base}/closing/close", token=server.token("malgorzata"))
    assert status == 200, body
    for lang in ["en", "nl"]:
        status, body = server.api("PATCH", "/api/v1/me", server.token("joao"), {"locale": lang})
        assert status == 200, body
        for width, height in [(1280, 900), (360, 780)]:
            person = people(lang=lang, width=width, height=height).sign_in("joao")
            for path, name in [
                (f"/mentorships/{mentorship}", "mentorship-closed"),
                (f"/mentorships/{mentorship}/closing", "closing-closed"),
                (f"/mentorships/{mentorship}/follow-up", "follow-up"),
            ]:
                person.goto(path)
                check_page(person, name, lang, WRITE_SCREENSHOTS and server.backend == "sqlite")
