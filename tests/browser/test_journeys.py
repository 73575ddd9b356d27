"""Journeys through the web app in a real Chromium, on both backends."""

import re
import smtplib
import time
import uuid
from email.message import EmailMessage

from playwright.sync_api import expect

from conftest import PEOPLE


def open_thread(person, subject):
    person.goto("/")
    person.page.get_by_role("link", name=subject).click()
    person.page.wait_for_selector("h1.thread-subject")
    return person.page


def test_sign_in_with_password_back_to_the_page_asked_for_and_out(people, server):
    p = people()
    page = p.goto("/")
    expect(page).to_have_url(re.compile(r"/signin$"))
    # A wrong password is explained at the top, with a link to the field.
    page.fill("#email", PEOPLE["cagri"])
    page.fill("#password", "not the password")
    page.click("form[action='/signin'] button[type=submit]")
    expect(page.locator(".error-summary")).to_contain_text("The e-mail address or password is not right")
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator("#email")).to_have_value(PEOPLE["cagri"])
    # Asked for a page while signed out: back to it afterwards.
    page.goto(server.base + "/?mentorship=")
    page.fill("#email", PEOPLE["cagri"])
    page.fill("#password", "mentorpost-demo")
    page.click("form[action='/signin'] button[type=submit]")
    expect(page).to_have_url(server.base + "/?mentorship=")
    expect(page.locator("h1")).to_have_text("Inbox")
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".notice")).to_have_text("You have signed out.")
    page.goto(server.base + "/")
    expect(page).to_have_url(re.compile(r"/signin$"))


def test_sign_in_with_a_link_from_the_mail(people, server):
    p = people(lang="nl")
    page = p.goto("/signin")
    page.fill("#link-email", PEOPLE["henk"])
    page.get_by_role("button", name="Mail mij een inloglink").click()
    expect(page.locator(".notice")).to_contain_text("inloglink")
    mail = server.wait_for_mail(PEOPLE["henk"], lambda m: "/login/magic?token=" in m.get_body(("plain",)).get_content())
    link = re.search(r"https?://\S+/login/magic\?token=[\w-]+", mail.get_body(("plain",)).get_content()).group(0)
    page.goto(link)
    page.get_by_role("button", name="Log mij in").click()
    expect(page.locator("h1")).to_have_text("Postvak")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    # A link works once.
    page.context.clear_cookies()
    page.goto(link)
    page.get_by_role("button", name="Log mij in").click()
    expect(page.locator(".notice")).to_contain_text("verlopen of al gebruikt")


def test_two_people_see_each_other_live_and_reading_clears_the_count(people, server):
    mentor = people().sign_in("malgorzata")
    mentee = people().sign_in("joao")
    subject = "Preparing for my first one-on-one as a team lead"
    thread = open_thread(mentor, subject)
    mentor.live()
    inbox = mentee.goto("/")
    mentee.live()

    # The mentee replies in the thread (in a second tab); the mentor sees it arrive.
    tab = mentee.context.new_page()
    tab.goto(server.base + "/")
    tab.get_by_role("link", name=subject).click()
    words = f"Tot donderdag! Ik neem mijn cv mee. {uuid.uuid4().hex[:6]}"
    tab.fill("#body", words)
    tab.get_by_role("button", name="Send reply").click()
    expect(tab.locator("#messages li.message").last).to_contain_text(words)
    expect(thread.locator("#messages li.message").last).to_contain_text(words)

    # The mentor answers; the mentee's inbox shows a new message without a reload...
    thread.fill("#body", "Prima, tot dan.")
    thread.get_by_role("button", name="Send reply").click()
    row = inbox.locator("#threads li", has_text=subject)
    expect(row.locator(".unread-count")).to_have_text("1 new")
    # ...and reading it clears the count there too.
    tab.bring_to_front()
    arrived = tab.locator("#messages li.message").last
    expect(arrived).to_contain_text("Prima, tot dan.")
    arrived.scroll_into_view_if_needed()
    expect(row.locator(".unread-count")).to_be_hidden()
    assert mentor.errors == [] and mentee.errors == [], (mentor.errors, mentee.errors)


def test_a_reply_by_mail_appears_in_the_open_thread(people, server):
    mentor = people().sign_in("cagri")
    subject = "Vraag over het formulier van de gemeente"
    thread = open_thread(mentor, subject)
    mentor.live()
    thread.fill("#body", "Zullen we het dinsdag samen invullen?")
    thread.get_by_role("button", name="Send reply").click()
    # Henk takes part by e-mail only: he gets the message and answers it.
    mail = server.wait_for_mail(PEOPLE["henk"], lambda m: "dinsdag samen invullen" in m.get_body(("plain",)).get_content())
    answer = EmailMessage()
    answer["From"] = PEOPLE["henk"]
    answer["To"] = str(mail["Reply-To"] or mail["From"])
    answer["Subject"] = "Re: " + str(mail["Subject"])
    answer["In-Reply-To"] = str(mail["Message-ID"])
    answer["Message-ID"] = f"<{uuid.uuid4()}@henk.example>"
    answer.set_content("Dinsdag is goed, om tien uur?\n\nGroet, Henk")
    with smtplib.SMTP("127.0.0.1", server.smtp_port, timeout=20) as smtp:
        smtp.send_message(answer)
    last = thread.locator("#messages li.message").last
    expect(last).to_contain_text("Dinsdag is goed, om tien uur?")
    expect(last).to_contain_text("Henk Jansen")


def test_a_file_attached_to_a_reply_arrives_live_and_downloads(people, server):
    mentor = people().sign_in("malgorzata")
    mentee = people().sign_in("joao")
    subject = "Preparing for my first one-on-one as a team lead"
    theirs = open_thread(mentee, subject)
    mentee.live()
    mine = open_thread(mentor, subject)
    # Past the limit, the page says so at once and sends nothing.
    mine.set_input_files("#files", files=[{"name": "film.mp4", "mimeType": "video/mp4", "buffer": b"0" * (10 * 1024 * 1024 + 1)}])
    expect(mine.locator("#files-error")).to_contain_text("too large together")
    expect(mine.locator("#files")).to_have_attribute("aria-invalid", "true")
    content = "Agenda: 1. doelen 2. feedback 3. volgende stap\n".encode()
    mine.set_input_files("#files", files=[{"name": "Łódź agenda.txt", "mimeType": "text/plain", "buffer": content}])
    expect(mine.locator("#files-error")).to_have_count(0)
    mine.fill("#body", "Hier is het schema dat ik gebruik.")
    mine.get_by_role("button", name="Send reply").click()
    # Sent without a reload: the form is empty again, the file listed with the message.
    sent = mine.locator("#messages li.message").last
    expect(sent).to_contain_text("Hier is het schema dat ik gebruik.")
    expect(sent.get_by_role("link", name="Łódź agenda.txt")).to_be_visible()
    expect(mine.locator("#body")).to_have_value("")
    assert mine.locator("#files").evaluate("input => input.files.length") == 0
    # The mentee's open page shows it live, with a link that downloads the same bytes.
    arrived = theirs.locator("#messages li.message").last
    expect(arrived).to_contain_text("Hier is het schema dat ik gebruik.")
    link = arrived.get_by_role("link", name="Łódź agenda.txt")
    expect(link).to_be_visible()
    with theirs.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "Łódź agenda.txt"
    with open(download.path(), "rb") as f:
        assert f.read() == content
    assert mentor.errors == [] and mentee.errors == [], (mentor.errors, mentee.errors)


def test_everything_works_without_javascript(people, server):
    mentor = people(javascript=False).sign_in("malgorzata")
    mentee = people(javascript=False).sign_in("joao")
    page = mentee.page
    # A new thread, by form and redirect.
    page.get_by_role("link", name="New conversation").click()
    page.fill("#subject", "Sollicitatiebrief nakijken")
    page.fill("#body", "Wil je naar mijn brief kijken? Hier is de eerste versie.")
    page.set_input_files("#files", files=[{"name": "brief v1.txt", "mimeType": "text/plain", "buffer": b"Geachte heer, mevrouw,"}])
    page.get_by_role("button", name="Send").click()
    expect(page.locator("h1.thread-subject")).to_have_text("Sollicitatiebrief nakijken")
    expect(page.locator("#messages li.message").last.get_by_role("link", name="brief v1.txt")).to_be_visible()
    # The mentor sees it after a reload, unread, and opening it marks it read.
    inbox = mentor.goto("/")
    row = inbox.locator("#threads li", has_text="Sollicitatiebrief nakijken")
    expect(row.locator(".unread-count")).to_have_text("1 new")
    row.get_by_role("link", name="Sollicitatiebrief nakijken").click()
    expect(inbox.locator("#unread")).to_be_visible()
    inbox.fill("#body", "Graag! Stuur maar.")
    inbox.get_by_role("button", name="Send reply").click()
    expect(inbox.locator("#messages li.message").last).to_contain_text("Graag! Stuur maar.")
    mentor.goto("/")
    expect(inbox.locator("#threads li", has_text="Sollicitatiebrief nakijken").locator(".unread-count")).to_be_hidden()
    page.reload()
    expect(page.locator("#messages li.message").last).to_contain_text("Graag! Stuur maar.")


def test_a_dropped_connection_resumes_without_loss_or_duplicates(people, server):
    mentor = people().sign_in("malgorzata")
    subject = "Preparing for my first one-on-one as a team lead"
    thread = open_thread(mentor, subject)
    mentor.live()
    token = server.token("joao")
    thread_id = thread.evaluate("document.body.dataset.thread")
    server.restart()
    # Written while the page was away: it must appear once the page is back.
    status, body = server.api("POST", f"/api/v1/threads/{thread_id}/messages", token,
                              {"body": "Geschreven terwijl je weg was.", "client_msg_id": str(uuid.uuid4())})
    assert status == 201, body
    expect(thread.locator("#messages li.message", has_text="Geschreven terwijl je weg was.")).to_have_count(1, timeout=30000)
    mentor.live()
    status, body = server.api("POST", f"/api/v1/threads/{thread_id}/messages", token,
                              {"body": "En nu weer live.", "client_msg_id": str(uuid.uuid4())})
    assert status == 201, body
    expect(thread.locator("#messages li.message", has_text="En nu weer live.")).to_have_count(1)
    ids = thread.locator("#messages li.message").evaluate_all("els => els.map(e => e.id)")
    assert len(ids) == len(set(ids)), ids


def test_a_draft_survives_a_reload_and_a_double_click_posts_once(people, server):
    mentee = people().sign_in("joao")
    thread = open_thread(mentee, "Preparing for my first one-on-one as a team lead")
    mentee.live()
    thread.fill("#body", "Een half bericht dat ik morgen afmaak…")
    mentee.eventually("Object.keys(localStorage).some((k) => k.startsWith('mentorpost.draft.reply:'))")
    thread.reload()
    expect(thread.locator("#body")).to_have_value("Een half bericht dat ik morgen afmaak…")
    count = thread.locator("#messages li.message").count()
    thread.get_by_role("button", name="Send reply").dblclick()
    expect(thread.locator("#messages li.message")).to_have_count(count + 1)
    thread.reload()
    expect(thread.locator("#body")).to_have_value("")
    expect(thread.locator("#messages li.message")).to_have_count(count + 1)


def test_a_vague_subject_gets_a_gentle_hint_and_still_sends(people, server):
    mentee = people().sign_in("joao")
    page = mentee.page
    page.get_by_role("link", name="New conversation").click()
    page.fill("#subject", "Vraag")
    page.fill("#body", "Mag ik je bellen? Mijn nummer is 06-12345678.")
    vague = page.locator(".hint-card[data-code=subject_vague]")
    expect(vague).to_contain_text("Your subject could say more")
    phone = page.locator(".hint-card[data-code=personal_data_phone]")
    expect(phone).to_contain_text("06-12345678")
    # Dismissed, it stays away while writing on.
    phone.get_by_role("button", name="Dismiss").click()
    expect(phone).to_have_count(0)
    page.locator("#body").press("End")
    page.keyboard.type(" Groet!")
    expect(vague).to_be_visible()
    expect(phone).to_have_count(0)
    # A hint never stops a message.
    page.get_by_role("button", name="Send").click()
    expect(page.locator("h1.thread-subject")).to_have_text("Vraag")
    expect(page.locator("#messages li.message").last).to_contain_text("Groet!")


def test_a_foreign_thread_is_not_found_and_a_form_without_its_token_is_refused(people, server):
    # João's thread, opened by Çağrı, who is in another mentorship: not found, and
    # nothing of it on the page.
    mentee = people().sign_in("joao")
    mentee.page.locator("#threads li a.subject").first.click()
    mentee.page.wait_for_selector("h1.thread-subject")
    foreign = mentee.page.evaluate("document.body.dataset.thread")
    subject = mentee.page.locator("h1.thread-subject").inner_text()
    other = people().sign_in("cagri")
    response = other.page.goto(f"{server.base}/threads/{foreign}")
    assert response.status == 404
    expect(other.page.locator("h1")).to_have_text("This page does not exist, or it is not yours to see")
    assert subject not in other.page.content()
    # The CSP is sent with every page, and the pages run under it.
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    # A reply posted without the CSRF token (as another site's form would) is refused
    # and posts nothing.
    other.goto("/")
    other.page.locator("#threads li a.subject").first.click()
    other.page.wait_for_selector("h1.thread-subject")
    own = other.page.evaluate("document.body.dataset.thread")
    count = other.page.locator("#messages li.message").count()
    status = other.page.evaluate(
        """async (thread) => (await fetch(`/threads/${thread}/reply`, {method: 'POST',
             headers: {'content-type': 'application/x-www-form-urlencoded'},
             body: new URLSearchParams({body: 'Zonder token', client_msg_id: crypto.randomUUID()})})).status""",
        own,
    )
    assert status == 403, status
    other.page.reload()
    expect(other.page.locator("#messages li.message")).to_have_count(count)
