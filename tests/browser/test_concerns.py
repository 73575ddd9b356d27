"""Sharing a concern with the coordinator (F4) and the privacy notice, in Chromium, on
both backends: João shares one message by keyboard through the confirmation page that
shows exactly what the coordinator will read; Małgorzata's mentorship page says that
something was shared, not what; Anneke reads only that message on her "Shared with
you" page and acknowledges it. After Anneke publishes a new privacy notice (with a
preview), João's next page is the notice, and after agreeing he goes on where he was
heading. axe finds nothing on the share pages, the coordinator's pages and the notice
page, in English and Dutch, at 1280 and 360 px."""

import re

from playwright.sync_api import expect

from conftest import PASSWORD, PEOPLE, WRITE_SCREENSHOTS
from test_accessibility import check_page

SHARED = "Ik voel me niet prettig bij hoe het laatste gesprek ging"
OTHER = "Een onderwerp dat niemand anders leest"


def demo_ids(server):
    status, mine = server.api("GET", "/api/v1/me/mentorships", token=server.token("joao"))
    assert status == 200 and mine, mine
    mentorship, programme = mine[0]["id"], mine[0]["programme_id"]
    # A thread the coordinator never sees, and the message João shares.
    status, other = server.api("POST", f"/api/v1/mentorships/{mentorship}/threads", server.token("malgorzata"),
                               {"subject": OTHER, "body": "Alleen voor ons tweeën."})
    assert status == 201, other
    status, created = server.api("POST", f"/api/v1/mentorships/{mentorship}/threads", server.token("joao"),
                                 {"subject": "Terugblik op ons gesprek", "body": SHARED})
    assert status == 201, created
    return programme, mentorship, created["thread"]["id"], created["message"]["id"]


def test_a_message_is_shared_by_keyboard_and_only_it_reaches_the_coordinator(people, server):
    programme, mentorship, thread, message = demo_ids(server)
    joao = people().sign_in("joao")
    page = joao.goto(f"/threads/{thread}")
    link = page.get_by_role("link", name="Share with the coordinator")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Share a message with the coordinator?")
    expect(page.locator(".shared-item")).to_contain_text(SHARED)
    expect(page.locator(".concern-facts")).to_contain_text("A copy is made now")
    page.locator("#note").fill("Kunnen we hierover bellen?")
    page.get_by_role("button", name="Share with the coordinator").click()
    expect(page.locator("[role=status]")).to_have_text("Shared with the coordinator. The others in your mentorship have been told.")
    expect(page.locator(".concern-lines")).to_contain_text("You shared a message with the coordinator")

    # Małgorzata is told that something was shared, not what.
    malgorzata = people().sign_in("malgorzata")
    page = malgorzata.goto(f"/mentorships/{mentorship}")
    expect(page.locator(".concern-lines")).to_contain_text("shared a message with the coordinator")
    assert SHARED not in page.content()

    # Anneke reads exactly that message, in Dutch, and acknowledges it.
    anneke = people(lang="nl").sign_in("anneke")
    page = anneke.goto(f"/coordinate/programmes/{programme}")
    page.get_by_role("link", name="Met jou gedeeld").click()
    expect(page.locator(".concern-list")).to_contain_text(SHARED)
    expect(page.locator(".concern-list")).to_contain_text("Kunnen we hierover bellen?")
    assert OTHER not in page.content() and "Alleen voor ons tweeën" not in page.content()
    page.get_by_role("button", name="Gezien").click()
    expect(page.locator("[role=status]")).to_have_text("Opgeslagen.")
    expect(page.locator(".concern-status").first).to_contain_text("Gezien op")


def test_a_new_privacy_notice_is_asked_before_going_on(people, server):
    programme, mentorship, _, _ = demo_ids(server)
    joao = people().sign_in("joao")
    # Anneke reads Dutch (her profile's language).
    anneke = people(lang="nl").sign_in("anneke")
    page = anneke.goto(f"/coordinate/programmes/{programme}/notice")
    page.locator("#text_en").fill("We keep what you write for the programme.\n\nAsk Anneke about your data.")
    page.locator("#text_nl").fill("We bewaren wat je schrijft voor het programma.\n\nVraag Anneke naar je gegevens.")
    page.get_by_role("button", name="Voorbeeld bekijken").click()
    expect(page.locator("#preview-title")).to_have_text("Voorbeeld van versie 1")
    expect(page.locator("#preview-title + p + h3 + .body")).to_contain_text("Ask Anneke about your data.")
    page.get_by_role("button", name="Versie 1 publiceren").click()
    expect(page.locator("[role=status]")).to_contain_text("De nieuwe versie is gepubliceerd.")

    page = joao.goto(f"/mentorships/{mentorship}")
    expect(page).to_have_url(re.compile(r"/privacy\?next="))
    expect(page.locator("h1")).to_have_text("Before you go on: the privacy notice has changed")
    expect(page.locator(".notice-text")).to_contain_text("Ask Anneke about your data.")
    button = page.get_by_role("button", name="I have read this and agree")
    button.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"/mentorships/{mentorship}$"))
    status, records = server.api("GET", "/api/v1/me/consents", token=server.token("joao"))
    assert status == 200 and any(r["notice_version"] == "1" and r["via"] == "web" for r in records), records


def test_the_share_and_notice_pages_pass_axe(people, server):
    programme, mentorship, thread, message = demo_ids(server)
    shots = WRITE_SCREENSHOTS and server.backend == "sqlite"
    # Shared once, so the coordinator's page and the members' lines have something.
    status, body = server.api("POST", f"/api/v1/mentorships/{mentorship}/concerns", server.token("joao"),
                              {"kind": "message", "message_id": message, "note": "Kunnen we bellen?"})
    assert status == 201, body
    for lang in ["en", "nl"]:
        for who in ["joao", "anneke"]:
            status, body = server.api("PATCH", "/api/v1/me", server.token(who), {"locale": lang})
            assert status == 200, body
        for width, height in [(1280, 900), (360, 780)]:
            joao = people(lang=lang, width=width, height=height).sign_in("joao")
            joao.goto(f"/threads/{thread}/share?message={message}")
            check_page(joao, "share-confirm", lang, shots)
            page = joao.goto(f"/mentorships/{mentorship}/share")
            check_page(joao, "share-note", lang, shots)
            page.get_by_role("button").last.click()
            expect(page.locator(".error-summary")).to_be_visible()
            check_page(joao, "share-note-error", lang, shots)
            page.locator("#note").fill("Ik wil graag iets met je bespreken.")
            page.locator("form button[type=submit]").last.click()
            expect(page.locator(".shared-note")).to_contain_text("Ik wil graag iets met je bespreken.")
            check_page(joao, "share-note-confirm", lang, shots)
            joao.goto(f"/mentorships/{mentorship}#coordinator")
            check_page(joao, "mentorship-shared", lang, shots)
            anneke = people(lang=lang, width=width, height=height).sign_in("anneke")
            anneke.goto(f"/coordinate/programmes/{programme}/concerns")
            check_page(anneke, "coordinate-concerns", lang, shots)
            anneke.goto(f"/coordinate/programmes/{programme}/notice")
            check_page(anneke, "coordinate-notice", lang, shots)
    # The notice page, as it asks (a new version) in both languages.
    status, body = server.api("POST", f"/api/v1/programmes/{programme}/privacy-notices", server.token("anneke"),
                              {"text_en": "We keep what you write.\n\nAsk your coordinator.",
                               "text_nl": "We bewaren wat je schrijft.\n\nVraag het je coördinator."})
    assert status == 201, body
    for lang in ["en", "nl"]:
        status, body = server.api("PATCH", "/api/v1/me", server.token("joao"), {"locale": lang})
        assert status == 200, body
        for width, height in [(1280, 900), (360, 780)]:
            joao = people(lang=lang, width=width, height=height)
            joao.goto("/signin")
            joao.page.fill("#email", PEOPLE["joao"])
            joao.page.fill("#password", PASSWORD)
            joao.page.click("form[action='/signin'] button[type=submit]")
            expect(joao.page).to_have_url(re.compile(r"/privacy\?next="))
            check_page(joao, "privacy-notice", lang, shots)
