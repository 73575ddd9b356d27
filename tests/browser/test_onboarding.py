"""Onboarding in the browser: a coordinator imports a list with two bad rows, fixes
them and confirms; an invitee accepts from the mailed link and is signed in; the
pages pass axe in English and Dutch (and are screenshotted with
MENTORPOST_SCREENSHOTS=1); the import and pairing work by keyboard alone."""

import re
import uuid

from playwright.sync_api import expect

from conftest import PASSWORD, WRITE_SCREENSHOTS
from test_accessibility import check_page

ANNEKE = "anneke@demo.mentorpost.localhost"

# Twenty people as coordinators have them: Dutch, Polish, Turkish and Portuguese names.
NAMES = [
    ("Anouk van den Berg", "mentor", "nl"), ("Małgorzata Wiśniewska", "mentee", "en"), ("Çağrı Öztürk", "mentor", "en"),
    ("João Gonçalves", "mentee", "en"), ("Henk Jansen", "mentor", "nl"), ("Zofia Łukasiewicz", "mentee", "en"),
    ("Şule Yılmaz", "mentee", "en"), ("Inês Conceição", "mentor", "en"), ("Pieter de Groot", "mentee", "nl"),
    ("Grzegorz Brzęczyszczykiewicz", "mentor", "en"), ("Gülşen Aydın", "mentor", "en"), ("Maria Açores", "mentee", "en"),
    ("Sanne Bakker", "mentee", "nl"), ("Wojciech Żółkiewski", "mentee", "en"), ("Emre Doğan", "mentee", "en"),
    ("Tomás Simões", "mentor", "en"), ("Femke IJzerman", "mentor", "nl"), ("Agnieszka Kowalczyk", "mentor", "en"),
    ("İlkay Güneş", "mentee", "en"), ("Luís Magalhães", "mentee", "en"),
]


def ascii_local(name):
    table = str.maketrans("łŁçÇğĞıİöÖşŞüÜãâáàéêíóôõúśŚźżŻńęąÉÓ", "lLcCgGiIoOsSuUaaaaeeiooousSzzZneaEO")
    return re.sub(r"[^a-z]", "", name.lower().translate(table))[:20]


def roster(run, bad=True):
    """The list as pasted: line 4 has no valid address, line 9 an unknown role."""
    lines = ["name,email,role,language"]
    for i, (name, role, lang) in enumerate(NAMES):
        email = f"{ascii_local(name)}.{run}@example.org"
        if bad and i == 2:
            email = f"{ascii_local(name)}.{run}-at-example.org"
        if bad and i == 7:
            role = "mentorin"
        lines.append(f"{name},{email},{role},{lang}")
    return "\n".join(lines) + "\n"


def programme_id(server):
    status, body = server.api("POST", "/api/v1/auth/login", body={"email": ANNEKE, "password": PASSWORD})
    assert status == 200, body
    status, programmes = server.api("GET", "/api/v1/programmes", token=body["access_token"])
    assert status == 200 and programmes, programmes
    return programmes[0]["id"]


def sign_in_anneke(person):
    page = person.goto("/signin")
    page.fill("#email", ANNEKE)
    page.fill("#password", PASSWORD)
    page.click("form[action='/signin'] button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/signin)"))
    return page


def set_language(page, base, lang):
    """Anneke's pages are in her own language, not the browser's: set it."""
    page.goto(f"{base}/settings")
    page.check(f"input[name=locale][value={lang}]")
    page.locator("form[action='/settings/profile'] button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def invitation_link(server, address):
    mail = server.wait_for_mail(address, lambda m: "/invite/" in m.get_body(("plain",)).get_content())
    return re.search(r"https?://\S+/invite/[\w-]+", mail.get_body(("plain",)).get_content()).group(0)


def test_import_with_two_bad_rows_fixed_then_an_invitee_accepts(people, server):
    run = uuid.uuid4().hex[:8]
    pid = programme_id(server)
    coordinator = people()
    page = sign_in_anneke(coordinator)
    set_language(page, server.base, "en")
    page.goto(f"{server.base}/coordinate/programmes/{pid}/import")
    page.fill("#csv", roster(run))
    page.get_by_role("button", name="Check the list").click()
    expect(page.locator("h1")).to_have_text("Check the list")
    assert page.title().startswith("Error:")
    bad = page.locator(".preview-row.has-problems")
    expect(bad).to_have_count(2)
    expect(bad.nth(0)).to_contain_text("Line 4")
    expect(bad.nth(0).locator(".row-problems")).to_contain_text("not a valid e-mail address")
    expect(bad.nth(1)).to_contain_text("Line 9")
    expect(bad.nth(1).locator(".row-problems")).to_contain_text("mentor or mentee")
    expect(page.get_by_role("button", name="Invite 18 people")).to_be_visible()

    # Fixed in the box the list stays in, checked again: nothing wrong, 20 to invite.
    page.fill("#csv", roster(run, bad=False))
    page.get_by_role("button", name="Check the list").click()
    expect(page.locator(".preview-row.has-problems")).to_have_count(0)
    assert not page.title().startswith("Error:")
    page.get_by_role("button", name="Invite 20 people").click()
    expect(page).to_have_url(re.compile(r"/people\?done=imported"))
    expect(page.locator(".notice")).to_contain_text("20")
    first = f"{ascii_local(NAMES[1][0])}.{run}@example.org"
    expect(page.locator(".invitation", has_text=first)).to_contain_text("Invited")

    # Małgorzata opens the link from her mail and chooses the web app.
    invitee = people()
    link = invitation_link(server, first)
    tab = invitee.goto("/invite/" + link.rsplit("/invite/", 1)[1])
    expect(tab.locator("h1")).to_contain_text("Demo")
    tab.fill("#password", "Łódź-zielona-herbata-42")
    tab.fill("#confirm", "Łódź-zielona-herbata-42")
    tab.get_by_role("button", name="Accept and sign in").click()
    tab.wait_for_url(server.base + "/")
    expect(tab.locator(".who")).to_contain_text("Małgorzata")
    # The coordinator sees her accepted.
    page.reload()
    expect(page.locator(".invitation", has_text=first).locator(".badge")).not_to_have_text("Invited")


def test_onboarding_pages_pass_axe_in_english_and_dutch(people, server):
    pid = programme_id(server)
    run = uuid.uuid4().hex[:8]
    setup = people()
    page = sign_in_anneke(setup)
    for lang in ["en", "nl"]:
        set_language(page, server.base, lang)
        # One open invitation in this language, for the accept page.
        page.goto(f"{server.base}/coordinate/programmes/{pid}/people")
        address = f"ines.{lang}.{run}@example.org"
        page.fill("#name", "Inês Conceição")
        page.fill("#email", address)
        page.select_option("#role", "mentee")
        page.select_option("#language", lang)
        page.locator("form[action$='/people'] button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"done=invited"))
        link = invitation_link(server, address)
        accept = "/invite/" + link.rsplit("/invite/", 1)[1]
        for width, height in [(1280, 900), (360, 740)]:
            for scheme in ["light", "dark"]:
                suffix = "" if scheme == "light" else "-dark"
                shots = WRITE_SCREENSHOTS and server.backend == "sqlite" and (scheme == "light" or width == 360)
                p = people(lang=lang, width=width, height=height, color_scheme=scheme)
                q = sign_in_anneke(p)
                q.goto(f"{server.base}/coordinate/programmes/{pid}/people")
                check_page(p, "people", lang, shots, suffix)
                q.goto(f"{server.base}/coordinate/programmes/{pid}/import")
                check_page(p, "import", lang, shots, suffix)
                q.fill("#csv", roster(run))
                q.locator("form[action$='/import'] button[type=submit]").click()
                expect(q.locator(".preview-row.has-problems")).to_have_count(2)
                check_page(p, "import-errors", lang, shots, suffix)
                q.fill("#csv", roster(run, bad=False))
                q.locator("form[action$='/import'] button[type=submit]").click()
                expect(q.locator("form[action$='/import/confirm']")).to_be_visible()
                check_page(p, "import-valid", lang, shots, suffix)
                q.goto(f"{server.base}/coordinate/programmes/{pid}/pair")
                check_page(p, "pair", lang, shots, suffix)
                stranger = people(lang=lang, width=width, height=height, color_scheme=scheme)
                stranger.goto(accept)
                check_page(stranger, "invite", lang, shots, suffix)


def test_import_and_pairing_by_keyboard_alone(people, server):
    pid = programme_id(server)
    run = uuid.uuid4().hex[:8]
    p = people()
    page = sign_in_anneke(p)
    set_language(page, server.base, "en")
    page.goto(f"{server.base}/coordinate/programmes/{pid}/import")
    # Tab from the top of the page to the box, skipping nothing on the way that would trap.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "csv":
            break
    assert page.evaluate("document.activeElement.id") == "csv"
    page.keyboard.insert_text(roster(run, bad=False))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Check the list"
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Check the list")
    confirm = page.get_by_role("button", name="Invite 20 people")
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Invite 20 people":
            break
    expect(confirm).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"done=imported"))

    # Two of them accept by e-mail only, so there is someone to pair.
    for name, _, _ in (NAMES[0], NAMES[3]):
        link = invitation_link(server, f"{ascii_local(name)}.{run}@example.org")
        invitee = people()
        tab = invitee.goto("/invite/" + link.rsplit("/invite/", 1)[1])
        tab.locator("form[action$='/email'] button[type=submit]").click()
        expect(tab.locator(".notice")).to_be_visible()

    # Pairing by keyboard: Tab to Anouk as mentor and João as mentee, Space, Enter.
    page.goto(f"{server.base}/coordinate/programmes/{pid}/pair")

    def tab_to(locator):
        target = locator.get_attribute("id")
        for _ in range(200):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == target:
                return
        raise AssertionError(f"Tab never reached #{target}")

    mentor = page.locator(f"#mentors .radio:has-text('{NAMES[0][0]}') input")
    mentee = page.locator(f"#mentees .radio:has-text('{NAMES[3][0]}') input")
    tab_to(mentor)
    page.keyboard.press("Space")
    expect(mentor).to_be_checked()
    tab_to(mentee)
    page.keyboard.press("Space")
    expect(mentee).to_be_checked()
    button = page.get_by_role("button", name="Create the mentorship")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".notice")).to_be_visible()
    expect(page.locator(".error-summary")).to_have_count(0)
