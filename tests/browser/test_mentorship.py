"""The mentorship page in a real Chromium, on both backends: opened from the inbox,
the agreement changed (a mistake first), a meeting logged, a check-in answered — all
by plain forms, and the API agrees afterwards; without the script too. axe-core,
titles, landmarks and no sideways scrolling in English and Dutch at two widths (with
MENTORPOST_SCREENSHOTS=1 the SQLite run writes the screenshots)."""

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from conftest import PASSWORD, WRITE_SCREENSHOTS
from test_accessibility import check_page, sign_in_by_link

ANNEKE = "anneke@demo.mentorpost.localhost"


def coordinator_token(server):
    status, body = server.api("POST", "/api/v1/auth/login", body={"email": ANNEKE, "password": PASSWORD})
    assert status == 200, body
    return body["access_token"]


def mentorship_of(server, who):
    status, body = server.api("GET", "/api/v1/me/mentorships", token=server.token(who))
    assert status == 200 and len(body) == 1, body
    return body[0]["id"]


def ask_how_it_goes(server, who):
    """The coordinator sends a check-in to `who`'s mentorship, as the API lets them."""
    mentorship = mentorship_of(server, who)
    status, body = server.api("POST", f"/api/v1/mentorships/{mentorship}/check-ins", token=coordinator_token(server), body={})
    assert status == 201, body
    return mentorship, body["id"]


def open_from_inbox(person):
    page = person.goto("/")
    page.locator("#threads a.with").first.click()
    page.wait_for_selector("#agreement-title")
    return page


def test_a_mentee_keeps_the_agreement_logs_a_meeting_and_answers_a_check_in(people, server):
    mentorship, checkin = ask_how_it_goes(server, "joao")
    joao = people().sign_in("joao")
    page = open_from_inbox(joao)
    expect(page).to_have_url(f"{server.base}/mentorships/{mentorship}")
    expect(page.locator("h1")).to_have_text("Mentorship with Małgorzata Kowalska")
    expect(page.locator(".people")).to_contain_text("João")
    expect(page.locator(".people")).to_contain_text("mentor")

    # The agreement: a mistake is explained at the top and beside the field, and kept.
    page.fill("#contact_every_days", "every week")
    page.get_by_role("button", name="Save the agreement").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".error-summary")).to_contain_text("Enter the number of days as a whole number")
    expect(page.locator("#contact_every_days")).to_have_value("every week")
    expect(page.locator("#contact_every_days")).to_have_attribute("aria-invalid", "true")
    page.locator(".error-summary a").first.click()
    expect(page.locator("#contact_every_days")).to_be_focused()
    page.fill("#contact_every_days", "10")
    page.fill("#goals", "Een eerste sollicitatie in maart.\nMijn netwerk in Utrecht uitbreiden.")
    page.get_by_role("button", name="Save the agreement").click()
    expect(page.locator("#agreement [role=status]")).to_have_text("The agreement has been saved.")
    expect(page.locator("#contact_every_days")).to_have_value("10")
    status, agreement = server.api("GET", f"/api/v1/mentorships/{mentorship}/agreement", token=server.token("malgorzata"))
    assert status == 200 and agreement["rhythm"]["contact_every_days"] == 10, agreement
    assert agreement["content"]["goals"] == "Een eerste sollicitatie in maart.\nMijn netwerk in Utrecht uitbreiden.", agreement
    expect(page.locator(".figures")).to_contain_text("Periods of 10 days with contact")

    # A meeting: logged, listed, counted.
    page.fill("#duration_minutes", "45")
    page.get_by_label("Phone call").check()
    page.fill("#note", "Over mijn cv gesproken.")
    page.get_by_role("button", name="Log the meeting").click()
    expect(page.locator("#meetings [role=status]")).to_have_text("The meeting has been logged.")
    expect(page.locator(".meeting").first).to_contain_text("Phone call · 45 minutes")
    expect(page.locator(".meeting").first).to_contain_text("Over mijn cv gesproken.")
    expect(page.locator(".figures")).to_contain_text("Meetings logged")
    status, meetings = server.api("GET", f"/api/v1/mentorships/{mentorship}/meetings", token=server.token("malgorzata"))
    assert status == 200 and len(meetings) == 1 and meetings[0]["mode"] == "phone", meetings

    # The check-in: one of three answers; only the choice reaches the coordinator.
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator(".error-summary")).to_contain_text("Choose how it is going")
    page.locator(".error-summary a").first.click()
    expect(page.locator("#status")).to_be_focused()
    page.get_by_label("I need help").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator("#checkins [role=status]")).to_contain_text("Your answer has been sent")
    expect(page.locator("#checkins")).to_contain_text("you answered “I need help”")
    expect(page.get_by_role("button", name="Send my answer")).to_have_count(0)
    status, checkins = server.api("GET", f"/api/v1/mentorships/{mentorship}/check-ins", token=coordinator_token(server))
    answers = [c for c in checkins if c["id"] == checkin][0]["answers"]
    assert [a["status"] for a in answers] == ["need_help"], checkins

    # The thread's "With …" line leads back here.
    page.goto(server.base + "/")
    page.locator("#threads a.subject").first.click()
    page.locator(".thread-with a").click()
    expect(page).to_have_url(f"{server.base}/mentorships/{mentorship}")


def test_everything_works_without_the_script(people, server):
    mentorship, _ = ask_how_it_goes(server, "malgorzata")
    mentor = people(javascript=False).sign_in("malgorzata")
    page = open_from_inbox(mentor)
    page.fill("#meeting_rhythm", "Elke donderdag om 19:00, video")
    page.get_by_role("button", name="Save the agreement").click()
    expect(page.locator("#agreement [role=status]")).to_be_visible()
    expect(page.locator("#meeting_rhythm")).to_have_value("Elke donderdag om 19:00, video")
    page.fill("#duration_minutes", "30")
    page.get_by_label("In person").check()
    page.get_by_role("button", name="Log the meeting").click()
    expect(page.locator(".meeting").first).to_contain_text("In person · 30 minutes")
    page.get_by_label("It is going well").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator("#checkins")).to_contain_text("you answered “It is going well”")
    status, health = server.api("GET", f"/api/v1/mentorships/{mentorship}/health", token=coordinator_token(server))
    assert status == 200 and health["meetings"] == 1, health


def test_the_mentorship_page_in_english_and_dutch_at_two_widths(people, server):
    shots = WRITE_SCREENSHOTS and server.backend == "sqlite"
    # Çağrı's mentorship (with Henk) has a meeting and an open check-in to show.
    mentorship, _ = ask_how_it_goes(server, "cagri")
    status, body = server.api("POST", f"/api/v1/mentorships/{mentorship}/meetings", token=server.token("cagri"),
                              body={"date": (date.today() - timedelta(days=10)).isoformat(), "time": "19:30", "duration_minutes": 50, "mode": "video",
                                    "note": "Kennismaking; Henk wil zijn cv opnieuw opzetten."})
    assert status == 201, body
    for width, height in [(1280, 900), (360, 780)]:
        en = people(lang="en", width=width, height=height).sign_in("cagri")
        open_from_inbox(en)
        check_page(en, "mentorship", "en", shots)
        # The same page with the error summary in it.
        en.page.fill("#response_within_hours", "0")
        en.page.get_by_role("button", name="Save the agreement").click()
        expect(en.page.locator(".error-summary")).to_be_visible()
        check_page(en, "mentorship-error", "en", False)

        nl = people(lang="nl", width=width, height=height)
        sign_in_by_link(nl, "henk")
        nl.page.get_by_role("button", name="Log mij in").click()
        expect(nl.page.locator("h1")).to_have_text("Postvak")
        page = open_from_inbox(nl)
        expect(page.locator("h1")).to_have_text(re.compile(r"^Mentorrelatie met "))
        check_page(nl, "mentorship", "nl", shots)
