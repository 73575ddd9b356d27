"""Editing and deleting one's own message in Chromium, on both backends: the author
reaches Edit by keyboard, saves a new text, and the other member's open thread shows
it marked as edited without a reload; then the author deletes it and the other page
shows the deletion in its place. axe finds nothing on the edit and delete pages, in
English and Dutch, at 1280 and 360 px."""

import uuid

from playwright.sync_api import expect

from conftest import SCREENSHOTS, WRITE_SCREENSHOTS
from test_accessibility import check_page
from test_journeys import open_thread

SUBJECT = "Preparing for my first one-on-one as a team lead"


def test_an_edit_and_a_deletion_reach_the_other_page_live(people, server):
    mentor = people().sign_in("malgorzata")
    mentee = people().sign_in("joao")
    theirs = open_thread(mentee, SUBJECT)
    mentee.live()
    mine = open_thread(mentor, SUBJECT)
    mentor.live()

    words = f"Zullen we vrijdag bellen? {uuid.uuid4().hex[:6]}"
    mine.fill("#body", words)
    mine.get_by_role("button", name="Send reply").click()
    sent = mine.locator("#messages li.message.mine").last
    expect(sent).to_contain_text(words)
    expect(theirs.locator("#messages li.message").last).to_contain_text(words)

    # Edit, by keyboard: the link is labelled with the message it belongs to.
    edit = sent.get_by_role("link", name="Edit your message of")
    edit.focus()
    mine.keyboard.press("Enter")
    mine.wait_for_url("**/edit")
    expect(mine.locator("#body")).to_have_value(words)
    mine.fill("#body", "Zaterdag past beter, om tien uur in Łódź.")
    mine.get_by_role("button", name="Save changes").click()
    expect(mine.locator("#messages li.message.mine").last).to_contain_text("Zaterdag past beter")

    shown = theirs.locator("#messages li.message").last
    expect(shown).to_contain_text("Zaterdag past beter, om tien uur in Łódź.")
    expect(shown.locator(".edited")).to_have_text("edited")
    assert words not in theirs.content()
    expect(shown.get_by_role("link", name="Edit your message of")).to_have_count(0)

    # Delete: a confirmation page that says what happens, then a tombstone everywhere.
    mine.locator("#messages li.message.mine").last.get_by_role("link", name="Delete your message of").click()
    expect(mine.locator("h1")).to_have_text("Delete this message?")
    mine.get_by_role("button", name="Delete message").click()
    expect(mine.locator("#messages li.message").last).to_contain_text("This message was deleted by its author.")
    expect(theirs.locator("#messages li.message").last).to_contain_text("This message was deleted by its author.")
    assert "Zaterdag past beter" not in theirs.content()
    assert mentor.errors == [] and mentee.errors == [], (mentor.errors, mentee.errors)


def test_the_edit_and_delete_pages_pass_axe(people, server):
    token = server.token("malgorzata")
    for lang in ["en", "nl"]:
        status, body = server.api("PATCH", "/api/v1/me", token, {"locale": lang})
        assert status == 200, body
        status, threads = server.api("GET", "/api/v1/me/threads", token)
        assert status == 200, threads
        thread = next(t for t in threads if t["subject"] == SUBJECT)
        status, posted = server.api("POST", f"/api/v1/threads/{thread['id']}/messages", token,
                                    {"body": "Ik stuur je morgen de agenda voor ons gesprek.", "client_msg_id": str(uuid.uuid4())})
        assert status == 201, posted
        for width, height in [(1280, 900), (360, 780)]:
            person = people(lang=lang, width=width, height=height).sign_in("malgorzata")
            shots = WRITE_SCREENSHOTS and server.backend == "sqlite"
            page = person.goto(f"/threads/{thread['id']}")
            page.locator(f"#m-{posted['id']}").scroll_into_view_if_needed()
            if shots:
                width_name = "phone" if width < 500 else "desktop"
                page.locator(f"#m-{posted['id']}").screenshot(path=str(SCREENSHOTS / f"message-actions-{lang}-{width_name}.png"))
            person.goto(f"/messages/{posted['id']}/edit")
            expect(page.locator("#body")).to_have_value("Ik stuur je morgen de agenda voor ons gesprek.")
            check_page(person, "message-edit", lang, shots)
            person.goto(f"/messages/{posted['id']}/delete")
            check_page(person, "message-delete", lang, shots)
