"""The whole mentoring journey on the web, in one connected test, on both backends,
with the server's test clock carrying one mentorship forward: the coordinator invites
a new mentee and a new mentor on the people page, each accepts in the browser with a
password, and she pairs them; the mentee writes the contract (goals, an end date nine
months on) and both confirm it with the charter (the mentor by keyboard); the mentor
logs a session with an action for the mentee, who ticks it off by keyboard and
answers the reflection the page prompts for, which the mentor reads; four months on
both answer the first review, four more and the mentee asks for a change in the
second, which the coordinator's dashboard marks (figures only); less than two weeks
before the end date the scheduler starts the closing step by itself, both fill in
their closing form (the mentee's thanks kept by the mentor) and the mentorship
closes, still readable; six months later the mentee gives the follow-up, once. Every
text the members write carries the marker "WJQ", which no page or mail of the
coordinator ever shows. The e-mail-only half is tests/tests/journey.rs."""

import re
import uuid
from datetime import datetime, timedelta

from playwright.sync_api import expect

from test_accessibility import check_page
from test_onboarding import invitation_link, programme_id, set_language, sign_in_anneke

MARK = "WJQ"
MENTEE_NAME = "Gülşen Yılmaz-Gonçalves"
MENTEE_PASSWORD = "Łódź-açúcar-Gülşen-2026"
MENTOR_NAME = "Inês Conceição"
MENTOR_PASSWORD = "Conceição-azul-Kraków-2026"
DAY = 24 * 3600

GOALS = f"Vóór de zomer presenteer ik zelfstandig in Łódź en Utrecht {MARK}1"
LEARNING_GOAL = f"Een sterke opening vinden voor mijn presentatie {MARK}2"
ACTION = f"Drie openingszinnen oefenen {MARK}3"
FELT = f"Zenuwachtig, daarna trots {MARK}4"
REVIEW_1 = f"Elke twee weken, zoals afgesproken {MARK}5"
REVIEW_1_MENTOR = f"Ja, het ritme houdt {MARK}6"
REVIEW_2 = f"Langzaam; we zien elkaar te weinig {MARK}7"
REVIEW_2_MENTOR = f"Het tempo zakt wat {MARK}8"
MOMENTS = f"De eerste presentatie voor het hele team {MARK}9"
THANKS = f"Obrigado, Inês — dank je wel voor je geduld {MARK}10"
MENTOR_MOMENTS = f"Haar eerste presentatie zonder spiekbriefje {MARK}11"
FOLLOW_UP = f"Goed: ik presenteer nu elke maand zelf {MARK}12"


def server_today(server, seconds=0):
    """The server's date after moving its clock `seconds` on (0: just read it)."""
    now = server.advance_clock(seconds)
    return datetime.fromisoformat(now.replace("Z", "+00:00")).date()


def sign_in_as(person, email, password):
    """Signs in on the sign-in page, starting from no session: after months on the
    server's clock a web session has run out, as it would for a real member."""
    person.context.clear_cookies()
    page = person.goto("/signin")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("form[action='/signin'] button[type=submit]")
    page.wait_for_url(person.server.base + "/")
    return page


def press_until_focused(page, text):
    for _ in range(300):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == text:
            return
    raise AssertionError(f"no focusable {text!r}")


def answer_review(page, text, score, choice):
    expect(page.locator("h1")).to_have_text(re.compile(r"^Your review after \d+ months$"))
    page.fill("#meetings", text)
    page.get_by_role("group", name="How satisfied are you with the mentorship?").get_by_label(score).check()
    page.get_by_role("group", name="Do you want to continue?").get_by_label(choice).check()
    page.get_by_role("button", name="Save the review").click()
    expect(page.locator("[role=status]")).to_have_text("Your review is saved. Thank you!")
    expect(page.locator(".reflection").first).to_contain_text(text)


def reload_until(page, locator, text, attempts=40):
    """Reloads until `locator` shows `text`: what a background round of the server
    writes appears on the next load of the page. Each look waits with expect; no sleep."""
    for _ in range(attempts):
        page.reload()
        try:
            expect(locator).to_contain_text(text, timeout=1_000)
            return True
        except AssertionError:
            continue
    return False


def test_a_mentorship_goes_the_whole_journey_on_the_web(people, server):
    run = uuid.uuid4().hex[:8]
    mentee_email = f"gulsen.{run}@example.org"
    mentor_email = f"ines.{run}@example.org"
    pid = programme_id(server)
    base = server.base

    # 1. The invitation: the coordinator invites a new mentee, and her mentor-to-be,
    # on the people page; each accepts from the mailed link with a password.
    coordinator = people()
    cpage = sign_in_anneke(coordinator)
    set_language(cpage, base, "en")
    mentee, mentor = people(), people()
    for name, email, role, person, password in [(MENTEE_NAME, mentee_email, "mentee", mentee, MENTEE_PASSWORD),
                                                (MENTOR_NAME, mentor_email, "mentor", mentor, MENTOR_PASSWORD)]:
        cpage.goto(f"{base}/coordinate/programmes/{pid}/people")
        cpage.fill("#name", name)
        cpage.fill("#email", email)
        cpage.select_option("#role", role)
        cpage.select_option("#language", "en")
        cpage.fill("#timezone", "Europe/Amsterdam")
        cpage.get_by_role("button", name="Send invitation").click()
        expect(cpage.locator(".error-summary")).to_have_count(0)
        expect(cpage.locator(".invitation", has_text=email)).to_contain_text("Invited")

        link = invitation_link(server, email)
        page = person.goto("/invite/" + link.rsplit("/invite/", 1)[1])
        page.fill("#password", password)
        page.fill("#confirm", password)
        page.get_by_role("button", name="Accept and sign in").click()
        page.wait_for_url(base + "/")
        expect(page.locator(".who")).to_contain_text(name.split()[0])
        cpage.reload()
        expect(cpage.locator(".invitation", has_text=email)).to_contain_text("Accepted (web app)")

    # The coordinator pairs them on the web.
    cpage.goto(f"{base}/coordinate/programmes/{pid}/pair")
    cpage.locator(f"#mentors .radio:has-text('{MENTOR_NAME}') input").check()
    cpage.locator(f"#mentees .radio:has-text('{MENTEE_NAME}') input").check()
    cpage.get_by_role("button", name="Create the mentorship").click()
    expect(cpage.locator(".notice")).to_be_visible()
    expect(cpage.locator(".error-summary")).to_have_count(0)
    # Her inbox now offers to write in the new mentorship: its address names it.
    page = mentee.goto("/")
    href = page.get_by_role("link", name="New conversation").get_attribute("href")
    mentorship = re.fullmatch(r"/mentorships/([\w-]+)/new", href).group(1)
    page_path = f"/mentorships/{mentorship}"

    # 2. The contract: the mentee writes the goals and an end date nine months on.
    today = server_today(server)
    end = today + timedelta(days=270)
    page = mentee.goto(page_path)
    expect(page.locator("h1")).to_have_text(f"Mentorship with {MENTOR_NAME}")
    page.fill("#goals", GOALS)
    page.fill("#end_date", end.isoformat())
    page.fill("#mentor_time", f"Twee uur per maand {MARK}0")
    page.get_by_role("button", name="Save the agreement").click()
    expect(page.locator("#agreement [role=status]")).to_have_text("The agreement has been saved.")
    expect(page.locator("#goals")).to_have_value(GOALS)
    page.get_by_label("I accept the netiquette and safety charter").check()
    page.get_by_role("button", name=re.compile(r"^Confirm version \d+$")).click()
    expect(page.locator("#agreement [role=status]")).to_have_text("Thank you: you confirmed the agreement.")
    expect(page.locator("#agreement-state")).to_contain_text(f"Waiting for {MENTOR_NAME}")

    mpage = mentor.goto(page_path)
    expect(mpage.locator("#goals")).to_have_value(GOALS)
    expect(mpage.locator("#end_date")).to_have_value(end.isoformat())
    # She confirms by keyboard: Tab to the charter's box, Space, Tab, Enter.
    mpage.get_by_role("button", name="Save the agreement").focus()
    for _ in range(10):
        mpage.keyboard.press("Tab")
        if mpage.evaluate("document.activeElement.id") == "charter":
            break
    expect(mpage.locator("#charter")).to_be_focused()
    mpage.keyboard.press("Space")
    expect(mpage.locator("#charter")).to_be_checked()
    mpage.keyboard.press("Tab")
    expect(mpage.locator("#confirm-agreement")).to_be_focused()
    mpage.keyboard.press("Enter")
    expect(mpage.locator("#agreement-state")).to_contain_text("Confirmed by everyone on")
    page.reload()
    expect(page.locator("#agreement-state")).to_contain_text("Confirmed by everyone on")

    # 3. A session: the mentor logs it, with an action for the mentee due in four days.
    mpage.fill("#date", today.isoformat())
    mpage.fill("#duration_minutes", "60")
    mpage.check("#mode")
    mpage.fill("#learning_goal", LEARNING_GOAL)
    mpage.fill("#action1_text", ACTION)
    mpage.select_option("#action1_owner", label=MENTEE_NAME)
    mpage.fill("#action1_due", (today + timedelta(days=4)).isoformat())
    mpage.get_by_role("button", name="Log the meeting").click()
    expect(mpage.locator("#meetings [role=status]")).to_have_text("The meeting has been logged.")
    expect(mpage.locator(".meeting").first).to_contain_text(LEARNING_GOAL)
    expect(mpage.locator(".meeting").first).to_contain_text(f"1. {ACTION} ({MENTEE_NAME}")

    # The mentee ticks the action off by keyboard on the mentorship page.
    page.reload()
    expect(page.locator("#open-actions .action-item")).to_have_count(1)
    expect(page.locator("#open-actions .action-item")).to_contain_text(ACTION)
    press_until_focused(page, "Mark action 1 done")
    page.keyboard.press("Enter")
    expect(page.locator("#open-actions [role=status]")).to_have_text("The action is ticked off.")
    expect(page.locator("#open-actions .actions-list .action-item:not(.is-done)")).to_have_count(0)

    # The page prompts her reflection on the session; she follows the prompt.
    reflections = page.locator("#reflections")
    expect(reflections).to_contain_text("You have not written a reflection on the session of")
    check_page(mentee, "journey-mentorship-reflect-prompt", "en", False)
    reflections.get_by_role("link", name="Write one now").click()
    expect(page).to_have_url(re.compile(r"\?reflect=[\w-]+#reflect-title$"))
    meeting = re.search(r"\?reflect=([\w-]+)", page.url).group(1)
    expect(page.locator("#meeting_id")).to_have_value(meeting)
    page.fill("#felt", FELT)
    page.get_by_role("button", name="Save the reflection").click()
    expect(page.locator("#reflections [role=status]")).to_have_text("Your reflection is saved.")
    expect(page.locator("#reflections")).not_to_contain_text("You have not written a reflection")
    # The mentor reads it.
    mpage.reload()
    expect(mpage.locator("#reflections .reflection").first).to_contain_text(FELT)

    # 4. Four months on (125 days: four calendar months from any start date): the
    # mentorship page prompts the first review, for both.
    server_today(server, 125 * DAY)
    page = sign_in_as(mentee, mentee_email, MENTEE_PASSWORD)
    page.goto(base + page_path)
    expect(page.locator("#review-prompt")).to_contain_text("Your review after 4 months is ready.")
    page.locator("#review-prompt a").click()
    answer_review(page, REVIEW_1, "4 – satisfied", "Yes, continue as we are")
    mpage = sign_in_as(mentor, mentor_email, MENTOR_PASSWORD)
    mpage.goto(base + page_path)
    expect(mpage.locator("#review-prompt")).to_contain_text("Your review after 4 months is ready.")
    mpage.locator("#review-prompt a").click()
    answer_review(mpage, REVIEW_1_MENTOR, "5 – very satisfied", "Yes, continue as we are")

    # Four more months: the second review; the mentee asks for a change.
    today = server_today(server, 124 * DAY)
    page = sign_in_as(mentee, mentee_email, MENTEE_PASSWORD)
    page.goto(base + page_path)
    expect(page.locator("#review-prompt")).to_contain_text("Your review after 8 months is ready.")
    page.locator("#review-prompt a").click()
    check_page(mentee, "journey-review-second", "en", False)
    answer_review(page, REVIEW_2, "2 – not very satisfied", "Continue, but something should change")
    mpage = sign_in_as(mentor, mentor_email, MENTOR_PASSWORD)
    mpage.goto(base + page_path)
    expect(mpage.locator("#review-prompt")).to_contain_text("Your review after 8 months is ready.")
    mpage.locator("#review-prompt a").click()
    answer_review(mpage, REVIEW_2_MENTOR, "3 – fairly satisfied", "Yes, continue as we are")

    # The coordinator's dashboard marks it, with the figures only.
    coordinator.context.clear_cookies()
    cpage = sign_in_anneke(coordinator)
    cpage.goto(f"{base}/coordinate/programmes/{pid}?q=Gülşen")
    rows = cpage.locator(".health-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("asks for a change")
    expect(rows.first).to_contain_text("mentor 3, mentee 2 (average 2.5); continue 1, stop 0, change 1")
    assert MARK not in cpage.content()

    # 5. Less than two weeks before the end date the scheduler starts the closing
    # step by itself (its round runs when the clock moves).
    left = (end - today).days
    assert left > 13, left
    server_today(server, (left - 13) * DAY)
    page = sign_in_as(mentee, mentee_email, MENTEE_PASSWORD)
    page.goto(base + page_path)
    started = reload_until(page, page.locator("#closing"), "The closing step has started.")
    assert started, "the scheduler did not start the closing step two weeks before the end date"
    expect(page.locator("#closing")).to_contain_text("0 of 2 closing forms are in")
    page.locator("#closing").get_by_role("link", name="Fill in your closing form").click()
    expect(page.locator("h1")).to_have_text("Closing the mentorship")
    expect(page.locator("main")).to_contain_text("(the end date came near)")
    page.fill("#key_moments", MOMENTS)
    page.fill("#thanks", THANKS)
    page.get_by_role("button", name="Save my closing form").click()
    expect(page.locator("[role=status]")).to_have_text(re.compile("Your closing form is saved"))

    # The mentor reads the moments and keeps the thanks; her form closes it.
    mpage = sign_in_as(mentor, mentor_email, MENTOR_PASSWORD)
    mpage.goto(f"{base}{page_path}/closing")
    expect(mpage.locator("main")).to_contain_text(MOMENTS)
    expect(mpage.locator("main")).to_contain_text(THANKS)
    mpage.fill("#key_moments", MENTOR_MOMENTS)
    mpage.get_by_role("button", name="Save my closing form").click()
    expect(mpage.locator("#closing [role=status]")).to_have_text("The mentorship is closed. Thank you both.")
    expect(mpage.locator("#closed-banner")).to_contain_text("This mentorship closed on")

    # The record stays readable for the mentee; nothing new can be written.
    page.goto(base + page_path)
    expect(page.locator("#closed-banner")).to_contain_text("This mentorship closed on")
    expect(page.locator("#goals")).to_have_count(0)
    expect(page.locator("main")).to_contain_text(GOALS)
    expect(page.locator(".meeting").first).to_contain_text(LEARNING_GOAL)
    expect(page.locator("#reflections .reflection").first).to_contain_text(FELT)
    expect(page.get_by_role("button", name="Log the meeting")).to_have_count(0)
    expect(page.locator("#review-prompt")).to_have_count(0)
    # The follow-up is not offered yet: it opens months after closing.
    expect(page.get_by_role("link", name="Tell us how it is going now")).to_have_count(0)
    page.goto(f"{base}{page_path}/follow-up")
    expect(page.locator("main")).to_contain_text("The follow-up opens on")
    expect(page.locator("#how_it_goes")).to_have_count(0)

    # 6. Six months on: the follow-up is offered to the mentee, who gives it.
    server_today(server, 185 * DAY)  # six calendar months are at most 184 days
    page = sign_in_as(mentee, mentee_email, MENTEE_PASSWORD)
    page.goto(base + page_path)
    page.get_by_role("link", name="Tell us how it is going now").click()
    expect(page.locator("h1")).to_have_text("Follow-up")
    page.fill("#how_it_goes", FOLLOW_UP)
    page.get_by_role("button", name="Save my follow-up").click()
    expect(page.locator("[role=status]")).to_have_text("Thank you. Your follow-up is saved.")
    # Given once: shown back, no form any more.
    expect(page.locator("main dl.facts")).to_contain_text(FOLLOW_UP)
    expect(page.locator("#how_it_goes")).to_have_count(0)
    check_page(mentee, "journey-follow-up-given", "en", False)

    # 7. Nothing the members wrote reached the coordinator's pages.
    coordinator.context.clear_cookies()
    cpage = sign_in_anneke(coordinator)
    cpage.goto(f"{base}/coordinate/mentorships/{mentorship}")
    expect(cpage.locator("h1")).to_contain_text("Gülşen")
    check_page(coordinator, "journey-coordinator-mentorship", "en", False)
    main = cpage.locator("main")
    expect(main).to_contain_text("(the end date came near)")
    expect(main.locator("tr", has_text="Closing forms in")).to_contain_text("2 of 2")
    expect(main.locator("tr", has_text="Meetings logged")).to_contain_text("1")
    expect(main.locator("tr", has_text="Reflection forms filled in")).to_contain_text("mentors 0, mentees 1")
    expect(main.locator("tr", has_text="Continue, stop, change")).to_contain_text("continue 1, stop 0, change 1")
    for path in [f"/coordinate/mentorships/{mentorship}", f"/coordinate/programmes/{pid}", f"/coordinate/programmes/{pid}/people"]:
        cpage.goto(base + path)
        assert MARK not in cpage.content(), path
    for mail in server.mails_to("anneke@demo.mentorpost.localhost"):
        assert MARK not in mail.get_body(("plain",)).get_content()
