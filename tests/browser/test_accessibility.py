"""Accessibility, keyboard use and layout of every page, in English and Dutch:
axe-core's WCAG 2.1 A and AA rules with zero violations, titles and landmarks, no
horizontal scrolling at 360 px (what 200 % zoom gives a 720 px window), a journey by
keyboard alone. With MENTORPOST_SCREENSHOTS=1 the SQLite run also writes the
screenshots in docs/screenshots."""

import re
import uuid

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from conftest import PEOPLE, SCREENSHOTS, WRITE_SCREENSHOTS

AXE = Axe()
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, "resultTypes": ["violations"]}


def sign_in_by_link(person, who):
    """Henk takes part by e-mail; for the Dutch pages he signs in with a mailed link."""
    page = person.goto("/signin")
    before = len(person.server.mails_to(PEOPLE[who]))
    page.fill("#link-email", PEOPLE[who])
    page.locator("form[action='/signin/link'] button[type=submit]").click()
    mail = person.server.wait_for_mail(PEOPLE[who], lambda m: "/login/magic?token=" in m.get_body(("plain",)).get_content(), after=before)
    link = re.search(r"https?://\S+/login/magic\?token=[\w-]+", mail.get_body(("plain",)).get_content()).group(0)
    page.goto(link)
    return link


def check_page(person, name, lang, shots, scheme=""):
    page = person.page
    page.wait_for_load_state("load")
    results = AXE.run(page, options=RULES)
    assert results.violations_count == 0, f"{name} ({lang}):\n{results.generate_report()}"
    assert page.title().endswith("– mentorpost") and len(page.title()) > len(" – mentorpost"), page.title()
    assert page.locator("main").count() == 1 and page.locator("h1").count() == 1, name
    assert page.locator("header.site-header").count() == 1, name
    if shots:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        width = "phone" if page.viewport_size["width"] < 500 else "desktop"
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{lang}-{width}{scheme}.png"), full_page=True)
    if page.viewport_size["width"] < 500:
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} ({lang}) scrolls sideways by {overflow} px at 360 px"


def visit_all(person, lang, shots):
    page = person.page
    check_page(person, "inbox", lang, shots)
    first = page.locator("#threads li a.subject").first
    first.click()
    page.wait_for_selector("h1.thread-subject")
    check_page(person, "thread", lang, shots)
    # The same page with a form error (an empty reply) in it.
    page.locator("#body").fill("")
    page.evaluate("document.querySelector('form.compose-form').noValidate = true")
    page.goto(person.server.base + "/")
    page.locator(".start-list a").first.click()
    check_page(person, "compose", lang, shots)
    page.goto(person.server.base + "/threads/00000000-0000-0000-0000-000000000000")
    check_page(person, "not-found", lang, shots)


def test_every_page_in_english_and_dutch_at_two_widths(people, server):
    shots = WRITE_SCREENSHOTS and server.backend == "sqlite"
    for width, height in [(1280, 900), (360, 780)]:
        en = people(lang="en", width=width, height=height)
        en.goto("/signin")
        check_page(en, "signin", "en", shots)
        en.page.fill("#email", PEOPLE["cagri"])
        en.page.fill("#password", "wrong")
        en.page.click("form[action='/signin'] button[type=submit]")
        check_page(en, "signin-error", "en", shots)
        en.sign_in("cagri")
        visit_all(en, "en", shots)

        nl = people(lang="nl", width=width, height=height)
        nl.goto("/signin")
        check_page(nl, "signin", "nl", shots)
        sign_in_by_link(nl, "henk")
        check_page(nl, "link", "nl", shots)
        nl.page.get_by_role("button", name="Log mij in").click()
        expect(nl.page.locator("h1")).to_have_text("Postvak")
        visit_all(nl, "nl", shots)


def test_dark_mode_keeps_every_contrast(people, server):
    """Every page under `prefers-color-scheme: dark`: axe's contrast rules then judge
    the dark colours, so dark text on a dark ground fails here."""
    shots = WRITE_SCREENSHOTS and server.backend == "sqlite"
    for lang, width, height in [("en", 1280, 900), ("nl", 360, 780)]:
        person = people(lang=lang, width=width, height=height, color_scheme="dark")
        page = person.page
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        person.goto("/signin")
        check_page(person, "signin", lang, shots, "-dark")
        if lang == "en":
            person.sign_in("cagri")
        else:
            sign_in_by_link(person, "henk")
            page.get_by_role("button", name="Log mij in").click()
            expect(page.locator("h1")).to_have_text("Postvak")
        check_page(person, "inbox", lang, shots, "-dark")
        page.locator("#threads li a.subject").first.click()
        page.wait_for_selector("h1.thread-subject")
        check_page(person, "thread", lang, shots, "-dark")
        page.locator(".thread-with a").click()
        page.wait_for_selector("main h1")
        check_page(person, "mentorship", lang, shots, "-dark")
        person.goto("/settings")
        check_page(person, "settings", lang, shots, "-dark")


def test_a_keyboard_alone_gets_through_and_live_updates_keep_focus(people, server):
    mentee = people().sign_in("joao")
    page = mentee.page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = page.locator(".skip-link").bounding_box()
    assert box and box["y"] >= 0, "the skip link shows when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Tab on to the first conversation and open it.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('#threads')"):
            break
    assert page.evaluate("!!document.activeElement.closest('#threads')"), "a conversation is reachable by Tab"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "focus is visible"
    page.keyboard.press("Enter")
    page.wait_for_selector("h1.thread-subject")
    mentee.live()
    page.locator("#body").focus()
    page.keyboard.type("Ik denk er nog even over na")
    # A message arrives while the mentee is typing: it shows, focus and text stay.
    thread_id = page.evaluate("document.body.dataset.thread")
    status, body = server.api("POST", f"/api/v1/threads/{thread_id}/messages", server.token("malgorzata"),
                              {"body": "Neem gerust de tijd.", "client_msg_id": str(uuid.uuid4())})
    assert status == 201, body
    expect(page.locator("#messages li.message").last).to_contain_text("Neem gerust de tijd.")
    assert page.evaluate("document.activeElement.id") == "body"
    expect(page.locator("#body")).to_have_value("Ik denk er nog even over na")
    # Shift+Tab goes back through the page: focus never lands on nothing.
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement !== document.body")
