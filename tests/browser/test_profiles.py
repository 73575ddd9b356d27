"""Profiles (G5) and the first-contact view in a real Chromium, on both backends: a
mentor writes "About you" on the settings page (a mistake first), the mentee of a new
pair finds it in front of the inbox and the mentorship page, reaches the suggested
subject by keyboard alone, and the form opens with it filled in; after the first
message the view is gone. axe-core, titles, landmarks and no sideways scrolling for
the settings page and the first-contact view in English and Dutch at two widths (with
MENTORPOST_SCREENSHOTS=1 the SQLite run writes the screenshots)."""

import re
from urllib.parse import quote

from playwright.sync_api import expect

from conftest import PASSWORD, WRITE_SCREENSHOTS
from test_accessibility import check_page

ANNEKE = "anneke@demo.mentorpost.localhost"
SUBJECT_EN = "Getting to know each other: who I am and what I hope to learn"
BACKGROUND = "Grew up in İzmir; now a developer in Rotterdam who teaches video calling on Saturdays."


def new_pair(server):
    """A new mentorship of Çağrı (mentor) and João (mentee), made by the coordinator
    through the API: nobody has written in it yet."""
    status, body = server.api("POST", "/api/v1/auth/login", body={"email": ANNEKE, "password": PASSWORD})
    assert status == 200, body
    coordinator = body["access_token"]
    status, programmes = server.api("GET", "/api/v1/programmes", token=coordinator)
    assert status == 200 and programmes, programmes
    ids = {}
    for who in ("cagri", "joao"):
        status, me = server.api("GET", "/api/v1/me", token=server.token(who))
        assert status == 200, me
        ids[who] = me["id"]
    members = [{"user_id": ids["cagri"], "role": "mentor"}, {"user_id": ids["joao"], "role": "mentee"}]
    status, body = server.api("POST", f"/api/v1/programmes/{programmes[0]['id']}/mentorships", token=coordinator,
                              body={"members": members, "status": "active"})
    assert status == 201, body
    return body["id"]


def set_language(server, who, lang):
    status, body = server.api("PATCH", "/api/v1/me", token=server.token(who), body={"locale": lang})
    assert status == 200, body


def write_about(page, background):
    page.fill("#background", background)
    page.fill("#experience", "Taught my grandparents to video call.")
    page.fill("#interests", "Football, Turkish cooking")
    page.fill("#hopes", "To make online tasks feel easy.")
    page.locator("form[action='/settings/about'] button[type=submit]").click()


def test_a_profile_greets_the_other_member_before_the_first_message(people, server):
    mentorship = new_pair(server)

    # Çağrı writes "About you": too long first, explained at the top and beside the field.
    cagri = people().sign_in("cagri")
    page = cagri.goto("/settings")
    expect(page.locator("#about-title")).to_have_text("About you")
    page.fill("#hopes", "x" * 2001)
    page.fill("#background", BACKGROUND)
    page.locator("form[action='/settings/about'] button[type=submit]").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".error-summary")).to_contain_text("What you hope to give or get: write at most 2,000 characters.")
    expect(page.locator("#hopes")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#background")).to_have_value(BACKGROUND)
    write_about(page, BACKGROUND)
    expect(page.locator(".notice")).to_have_text("‘About you’ is saved. The people in your mentorships read it.")
    expect(page.locator("#background")).to_have_value(BACKGROUND)

    # João, paired with Çağrı a moment ago: the view is in front of his inbox.
    joao = people().sign_in("joao")
    page = joao.page
    view = page.locator(f"section.first-contact[aria-labelledby='first-contact-{mentorship}-title']")
    expect(view.locator("h2")).to_have_text("Before your first message to Çağrı Yılmaz")
    expect(view).to_contain_text("About Çağrı Yılmaz (mentor)")
    expect(view).to_contain_text(BACKGROUND)
    expect(view).to_contain_text("Contact at least every 7 days")
    expect(view).to_contain_text(f"“{SUBJECT_EN}”")
    # And on the mentorship's page, in front of everything else.
    joao.goto(f"/mentorships/{mentorship}")
    expect(page.locator("main section").first).to_have_class("first-contact")
    expect(page.locator(".first-contact h2")).to_have_text("Before your first message")
    expect(page.locator(".first-contact")).to_contain_text(BACKGROUND)

    # By keyboard alone from the inbox to the suggested subject's link.
    joao.goto("/")
    link = f"/mentorships/{mentorship}/new?subject={quote(SUBJECT_EN, safe='')}"
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == link:
            break
    assert page.evaluate("document.activeElement.getAttribute('href')") == link, "the suggested subject is reachable by Tab"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none", "focus is visible"
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("New conversation")
    expect(page.locator("#subject")).to_have_value(SUBJECT_EN)

    # The first message: the view is gone for both; the profile stays one click away.
    page.fill("#body", "Hi Çağrı, nice to meet you! I work in support in Lisbon.")
    page.get_by_role("button", name="Send").click()
    page.wait_for_selector("h1.thread-subject")
    joao.goto("/")
    expect(page.locator(".first-contact")).to_have_count(0)
    cagri.goto(f"/mentorships/{mentorship}")
    expect(cagri.page.locator(".first-contact")).to_have_count(0)
    joao.goto(f"/mentorships/{mentorship}")
    details = page.locator("details.profile-details")
    expect(details.locator("summary")).to_have_text("About Çağrı Yılmaz")
    details.locator("summary").click()
    expect(details).to_contain_text(BACKGROUND)
    # The only console line is the answer to Çağrı's deliberate mistake (422).
    assert joao.errors == [] and all("422" in e for e in cagri.errors), joao.errors + cagri.errors


def test_profile_pages_in_english_and_dutch_at_two_widths(people, server):
    shots = WRITE_SCREENSHOTS and server.backend == "sqlite"
    mentorship = new_pair(server)
    cagri = people().sign_in("cagri")
    cagri.goto("/settings")
    write_about(cagri.page, BACKGROUND)
    for lang, title in [("en", "Before your first message"), ("nl", "Voor je eerste bericht")]:
        set_language(server, "cagri", lang)
        set_language(server, "joao", lang)
        for width, height in [(1280, 900), (360, 780)]:
            mentor = people(lang=lang, width=width, height=height).sign_in("cagri")
            mentor.goto("/settings")
            mentor.page.locator("#about-title").scroll_into_view_if_needed()
            check_page(mentor, "settings-profile", lang, shots)
            # The same section with an error in it.
            mentor.page.fill("#interests", "y" * 2001)
            mentor.page.locator("form[action='/settings/about'] button[type=submit]").click()
            expect(mentor.page).to_have_title(re.compile(r"^(Error|Fout): "))
            check_page(mentor, "settings-profile-error", lang, shots)

            mentee = people(lang=lang, width=width, height=height).sign_in("joao")
            expect(mentee.page.locator(".first-contact h2")).to_contain_text(title)
            check_page(mentee, "first-contact-inbox", lang, shots)
            mentee.goto(f"/mentorships/{mentorship}")
            expect(mentee.page.locator(".first-contact h2")).to_have_text(title)
            check_page(mentee, "first-contact-mentorship", lang, shots)
            mentee.page.locator(".first-contact a.button").click()
            expect(mentee.page.locator("#subject")).not_to_have_value("")
            check_page(mentee, "first-contact-compose", lang, shots)
