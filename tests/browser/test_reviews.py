"""Periodic reviews (F8) in Chromium, on both backends: the mentorship page prompts a
mentee whose review is due, the review form comes back with a GOV.UK error when
nothing is answered, the score and the choice are picked by keyboard in their
fieldsets, the saved answers show on the page, and the coordinator's dashboard marks
the mentorship that asks for a change, without any of the words; axe finds nothing on
the review page, in English and Dutch, at 1280 and 360 px (with an error too)."""

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from conftest import WRITE_SCREENSHOTS
from test_accessibility import check_page

WORDS = "We zien elkaar elke twee weken; solliciteren in Łódź gaat beter"


def reviewed_mentorship(server, days_ago=130):
    """A new mentorship of Małgorzata and João that started `days_ago`: its review
    after 4 months is due."""
    ids = {}
    for who in ["malgorzata", "joao"]:
        status, me = server.api("GET", "/api/v1/me", token=server.token(who))
        assert status == 200, me
        ids[who] = me["id"]
    status, mine = server.api("GET", "/api/v1/me/mentorships", token=server.token("malgorzata"))
    assert status == 200 and mine, mine
    programme = mine[0]["programme_id"]
    start = (date.today() - timedelta(days=days_ago)).isoformat()
    status, body = server.api(
        "POST",
        f"/api/v1/programmes/{programme}/mentorships",
        server.token("anneke"),
        {"members": [{"user_id": ids["malgorzata"], "role": "mentor"}, {"user_id": ids["joao"], "role": "mentee"}],
         "status": "active", "start_date": start},
    )
    assert status == 201, body
    return programme, body["id"]


def test_a_due_review_is_prompted_and_answered_by_keyboard(people, server):
    programme, mentorship = reviewed_mentorship(server)
    joao = people().sign_in("joao")
    page = joao.goto(f"/mentorships/{mentorship}")
    expect(page.locator("#review-prompt")).to_contain_text("Your review after 4 months is ready.")
    page.locator("#review-prompt a").click()
    expect(page.locator("h1")).to_have_text("Your review after 4 months")

    # Nothing answered: the form comes back with the error summary on top.
    page.get_by_role("button", name="Save the review").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".error-summary")).to_contain_text("Answer at least one question")

    page.fill("#meetings", WORDS)
    # The score by keyboard: focus the first radio of its group, arrow to 4.
    page.locator("#satisfaction").focus()
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="4 – satisfied")).to_be_checked()
    expect(page.get_by_role("group", name="How satisfied are you with the mentorship?")).to_be_visible()
    page.get_by_role("group", name="Do you want to continue?").get_by_label("Continue, but something should change").check()
    page.get_by_role("button", name="Save the review").click()
    expect(page.locator("[role=status]")).to_have_text("Your review is saved. Thank you!")
    expect(page.locator(".reflection").first).to_contain_text(WORDS)
    expect(page.locator(".reflection").first).to_contain_text("4 – satisfied")

    status, reviews = server.api("GET", f"/api/v1/mentorships/{mentorship}/reviews", token=server.token("joao"))
    assert status == 200 and len(reviews) == 1, reviews
    assert reviews[0]["answers"]["satisfaction"] == 4 and reviews[0]["answers"]["continue_choice"] == "change", reviews

    # The prompt is gone; the answers are one link away.
    page = joao.goto(f"/mentorships/{mentorship}")
    expect(page.locator("#review-prompt")).to_have_count(0)
    expect(page.get_by_role("link", name="Your reviews")).to_be_visible()

    # The coordinator (who reads Dutch): the mentorship comes first, marked; none of
    # the words.
    anneke = people(lang="nl").sign_in("anneke")
    page = anneke.goto(f"/coordinate/programmes/{programme}")
    first = page.locator(".health-table tbody tr").first
    expect(first).to_contain_text("vraagt om een verandering")
    expect(first).to_contain_text("mentee 4 (gemiddeld 4,0); doorgaan 0, stoppen 0, veranderen 1")
    assert WORDS not in page.content()


def test_the_review_page_passes_axe(people, server):
    _, mentorship = reviewed_mentorship(server)
    for lang in ["en", "nl"]:
        status, body = server.api("PATCH", "/api/v1/me", server.token("joao"), {"locale": lang})
        assert status == 200, body
        for width, height in [(1280, 900), (360, 780)]:
            person = people(lang=lang, width=width, height=height).sign_in("joao")
            page = person.goto(f"/mentorships/{mentorship}/review")
            expect(page.locator("input[name=round]")).to_have_value("1")
            check_page(person, "review", lang, WRITE_SCREENSHOTS and server.backend == "sqlite")
            # With an error in it.
            page.locator("form[action$='/review'] button[type=submit]").click()
            expect(page.locator(".error-summary")).to_be_visible()
            check_page(person, "review-error", lang, WRITE_SCREENSHOTS and server.backend == "sqlite")
