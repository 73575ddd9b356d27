"""The agreement as a contract in a real Chromium, on both backends: a mentee fills in
the contract (goals, action plan, end date, topics left out, the mentor's time, how to
end early) and confirms it with the charter's checkbox (a missing tick first), the
mentor confirms too, both see it confirmed, the coordinator's API says only that; the
earlier versions' page. axe-core in English and Dutch at 1280 and 360 px with the form
and the charter on the page; the checkbox and the button reached and used by keyboard
alone (with MENTORPOST_SCREENSHOTS=1 the SQLite run writes the screenshots)."""

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from conftest import WRITE_SCREENSHOTS
from test_accessibility import check_page, sign_in_by_link
from test_mentorship import coordinator_token, mentorship_of, open_from_inbox

CHARTER = "I accept the netiquette and safety charter"
GOALS = "Vóór 1 maart solliciteer ik bij drie teams in Łódź of Utrecht.\nIk oefen twee gesprekken."


def fill_the_contract(page):
    page.fill("#goals", GOALS)
    page.fill("#action_plan", "15 januari: cv af\n1 februari: drie vacatures gekozen")
    page.fill("#end_date", (date.today() + timedelta(days=180)).isoformat())
    page.fill("#topics_excluded", "Mijn gezondheid")
    page.fill("#mentor_time", "Twee uur per maand")
    page.fill("#ending_early", "We zeggen het eerlijk, of vragen Anneke om raad.")
    page.get_by_role("button", name="Save the agreement").click()
    expect(page.locator("#agreement [role=status]")).to_have_text("The agreement has been saved.")


def test_both_confirm_the_contract_and_see_it_confirmed(people, server):
    mentorship = mentorship_of(server, "joao")
    joao = people().sign_in("joao")
    page = open_from_inbox(joao)
    fill_the_contract(page)
    expect(page.locator("#goals")).to_have_value(GOALS)
    expect(page.locator("#agreement-state")).to_contain_text("Not confirmed yet")

    # Without the tick: said at the top and beside the box, which the summary's link focuses.
    page.get_by_role("button", name=re.compile(r"^Confirm version \d+$")).click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".error-summary")).to_contain_text("Tick the box")
    page.locator(".error-summary a").first.click()
    expect(page.locator("#charter")).to_be_focused()
    expect(page.locator("#charter")).to_have_attribute("aria-invalid", "true")
    page.get_by_label(CHARTER).check()
    page.get_by_role("button", name=re.compile(r"^Confirm version \d+$")).click()
    expect(page.locator("#agreement [role=status]")).to_have_text("Thank you: you confirmed the agreement.")
    expect(page.locator("#agreement-state")).to_contain_text("You confirmed this version. Waiting for Małgorzata Kowalska.")
    expect(page.get_by_label(CHARTER)).to_have_count(0)

    # The mentor reads the same contract and confirms it by keyboard alone.
    malgorzata = people().sign_in("malgorzata")
    mpage = open_from_inbox(malgorzata)
    expect(mpage.locator("#mentor_time")).to_have_value("Twee uur per maand")
    mpage.get_by_role("button", name="Save the agreement").focus()
    for _ in range(6):
        mpage.keyboard.press("Tab")
        if mpage.evaluate("document.activeElement.id") == "charter":
            break
    assert mpage.evaluate("document.activeElement.id") == "charter", "the charter's box is reachable by Tab"
    mpage.keyboard.press("Space")
    expect(mpage.locator("#charter")).to_be_checked()
    mpage.keyboard.press("Tab")
    assert mpage.evaluate("document.activeElement.id") == "confirm-agreement", "the button follows the box"
    mpage.keyboard.press("Enter")
    expect(mpage.locator("#agreement-state")).to_contain_text("Confirmed by everyone on")

    page.reload()
    expect(page.locator("#agreement-state")).to_contain_text("Confirmed by everyone on")
    status, m = server.api("GET", f"/api/v1/mentorships/{mentorship}", token=coordinator_token(server))
    assert status == 200 and m["agreement_confirmed"] is True and m["agreement_confirmed_at"], m
    assert "Łódź" not in str(m)

    # The earlier versions, each with who confirmed it.
    page.get_by_role("link", name="Earlier versions of the agreement").click()
    expect(page.locator("h1")).to_have_text("Earlier versions of your agreement")
    expect(page.locator("section.panel").first).to_contain_text("Confirmed by")
    expect(page.locator("section.panel").first).to_contain_text("Twee uur per maand")


def test_the_contract_in_english_and_dutch_at_two_widths(people, server):
    shots = WRITE_SCREENSHOTS and server.backend == "sqlite"
    # The demo's Çağrı and Henk confirmed theirs; a change asks them again, so Henk's
    # Dutch page shows the charter and its box.
    cagri_mentorship = mentorship_of(server, "cagri")
    status, body = server.api("PUT", f"/api/v1/mentorships/{cagri_mentorship}/agreement/content", token=server.token("cagri"),
                              body={"goals": "Henk belt vóór 1 maart zelf met zijn kleinkinderen in Lissabon.",
                                    "action_plan": "Week 2: een gesprek opzetten\nWeek 4: zelf bellen",
                                    "mentor_time": "Een uur per week", "ending_early": "Eerlijk zeggen",
                                    "end_date": (date.today() + timedelta(days=90)).isoformat()})
    assert status == 200 and body["confirmed"] is False, body
    for width, height in [(1280, 900), (360, 780)]:
        en = people(lang="en", width=width, height=height).sign_in("joao")
        page = open_from_inbox(en)
        expect(page.get_by_label(CHARTER)).to_be_visible()
        check_page(en, "contract", "en", shots)
        page.get_by_role("button", name=re.compile(r"^Confirm version \d+$")).click()
        expect(page.locator(".error-summary")).to_be_visible()
        check_page(en, "contract-error", "en", False)
        en.goto(f"/mentorships/{mentorship_of(server, 'joao')}/agreement/versions")
        check_page(en, "contract-versions", "en", shots)

        nl = people(lang="nl", width=width, height=height)
        sign_in_by_link(nl, "henk")
        nl.page.get_by_role("button", name="Log mij in").click()
        expect(nl.page.locator("h1")).to_have_text("Postvak")
        page = open_from_inbox(nl)
        expect(page.get_by_label("Ik aanvaard het netiquette- en veiligheidshandvest")).to_be_visible()
        expect(page.locator("#agreement-state")).to_contain_text("De overeenkomst is veranderd sinds je haar bevestigde")
        check_page(nl, "contract", "nl", shots)
        nl.goto(f"/mentorships/{cagri_mentorship}/agreement/versions")
        expect(nl.page.locator("h1")).to_have_text("Eerdere versies van jullie overeenkomst")
        check_page(nl, "contract-versions", "nl", shots)
