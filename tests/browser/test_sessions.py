"""Sessions (F5) in Chromium, on both backends: a mentor logs a session with its
learning goal and an action for the mentee (a row left half-filled first), the action
shows among the open ones and is ticked off by keyboard; axe finds nothing on the
mentorship page with open actions and the session form, in English and Dutch, at 1280
and 360 px, light and dark (with MENTORPOST_SCREENSHOTS=1 the SQLite run writes the
screenshots)."""

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from conftest import WRITE_SCREENSHOTS
from test_accessibility import check_page


def mentorship_of(server, who):
    status, body = server.api("GET", "/api/v1/me/mentorships", token=server.token(who))
    assert status == 200 and body, body
    return body[0]["id"]


def test_a_session_with_an_action_logged_and_ticked_off_by_keyboard(people, server):
    mentorship = mentorship_of(server, "cagri")
    cagri = people().sign_in("cagri")
    page = cagri.goto(f"/mentorships/{mentorship}")
    # The demo pair's last session left two open actions.
    expect(page.locator("#open-actions .action-item")).to_have_count(2)

    yesterday = (date.today() - timedelta(days=1)).isoformat()
    page.fill("#date", yesterday)
    page.fill("#duration_minutes", "40")
    page.check("#mode")
    page.fill("#learning_goal", "Henk betaalt zelf een rekening via internetbankieren")
    page.fill("#action1_due", (date.today() + timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Log the meeting").click()
    # A date without a text: the form comes back, nothing lost.
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".error-summary")).to_contain_text("Say what the action is")
    expect(page.locator("#learning_goal")).to_have_value("Henk betaalt zelf een rekening via internetbankieren")

    page.fill("#action1_text", "De bankapp samen installeren")
    page.select_option("#action1_owner", label="Henk Jansen")
    page.get_by_role("button", name="Log the meeting").click()
    expect(page.locator("#meetings [role=status]")).to_have_text("The meeting has been logged.")
    expect(page.locator(".meeting").first).to_contain_text("Henk betaalt zelf een rekening via internetbankieren")
    expect(page.locator(".meeting").first).to_contain_text("3. De bankapp samen installeren (Henk Jansen")
    expect(page.locator("#open-actions .action-item")).to_have_count(3)

    # Tick action 3 off by keyboard: Tab to its button, Enter.
    button = page.get_by_role("button", name="Mark action 3 done")
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Mark action 3 done":
            break
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#open-actions [role=status]")).to_have_text("The action is ticked off.")
    expect(page.locator("#open-actions .actions-list").first.locator(".action-item")).to_have_count(2)
    status, actions = server.api("GET", f"/api/v1/mentorships/{mentorship}/actions", token=server.token("cagri"))
    assert status == 200, actions
    done = [a for a in actions if a["number"] == 3]
    assert done and done[0]["done_at"], actions


def test_the_page_with_actions_passes_axe(people, server):
    shots = WRITE_SCREENSHOTS and server.backend == "sqlite"
    mentorship = mentorship_of(server, "cagri")
    for lang in ["en", "nl"]:
        status, body = server.api("PATCH", "/api/v1/me", server.token("cagri"), {"locale": lang})
        assert status == 200, body
        for width, height in [(1280, 900), (360, 780)]:
            for scheme in ["light", "dark"]:
                person = people(lang=lang, width=width, height=height, color_scheme=scheme).sign_in("cagri")
                person.goto(f"/mentorships/{mentorship}#open-actions")
                suffix = "" if scheme == "light" else "-dark"
                check_page(person, "sessions", lang, shots and (scheme == "light" or width == 360), suffix)
