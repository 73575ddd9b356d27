"""Erasing one's own account in Chromium, on both backends: the person reaches the
confirmation page from settings by keyboard, confirms with password and tick, lands
signed out on the sign-in page that says so, and the other member's open thread shows
the tombstone under "Former participant" without a reload. axe finds nothing on the
confirmation page, in English and Dutch, at 1280 and 360 px."""

from playwright.sync_api import expect

from conftest import PASSWORD, WRITE_SCREENSHOTS
from test_accessibility import check_page
from test_journeys import open_thread

SUBJECT = "Preparing for my first one-on-one as a team lead"


def test_an_erasure_reaches_the_other_page_live(people, server):
    mentor = people().sign_in("malgorzata")
    mentee = people().sign_in("joao")
    theirs = open_thread(mentor, SUBJECT)
    mentor.live()
    words = "Ik heb het gesprek voorbereid, zie je dinsdag."
    mine = open_thread(mentee, SUBJECT)
    mine.fill("#body", words)
    mine.get_by_role("button", name="Send reply").click()
    expect(theirs.locator("#messages li.message").last).to_contain_text(words)

    page = mentee.goto("/settings")
    link = page.get_by_role("link", name="Erase my account…")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/settings/erase")
    expect(page.locator("h1")).to_have_text("Erase your account?")
    page.get_by_role("button", name="Erase my account").click()
    expect(page.locator("#confirm-error")).to_contain_text("Tick the box")
    page.fill("#password", PASSWORD)
    page.get_by_label("I understand that my account and what I wrote are erased for good.").check()
    page.get_by_role("button", name="Erase my account").click()
    page.wait_for_url("**/signin?done=erased")
    expect(page.get_by_text("You have been signed out.")).to_be_visible()

    shown = theirs.locator("#messages li.message").last
    expect(shown).to_contain_text("Message removed at the author's request.")
    expect(shown.locator(".author")).to_have_text("Former participant")
    assert words not in theirs.content()
    assert mentor.errors == [], mentor.errors


def test_the_erase_page_passes_axe(people, server):
    token = server.token("cagri")
    for lang in ["en", "nl"]:
        status, body = server.api("PATCH", "/api/v1/me", token, {"locale": lang})
        assert status == 200, body
        for width, height in [(1280, 900), (360, 780)]:
            person = people(lang=lang, width=width, height=height).sign_in("cagri")
            shots = WRITE_SCREENSHOTS and server.backend == "sqlite"
            person.goto("/settings/erase")
            check_page(person, "erase", lang, shots)
