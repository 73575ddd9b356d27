"""A programme from the first list to the first slowdown, in one journey: the
coordinator sets the programme's defaults, imports twenty people with two bad rows
and fixes them; one invitee accepts in the browser with a password, another by
replying "yes" to the invitation through the SMTP listener; the coordinator pairs
them; the pair shows as not started, they exchange a message (web and mail) and it
shows as on track; three weeks later (the server's test clock) it is slowing in the
table, in the chart's table and in the weekly summary mail. No message text ever
reaches a coordinator's page."""

import re
import smtplib
import uuid
from email.message import EmailMessage

from playwright.sync_api import expect

from test_onboarding import NAMES, ascii_local, invitation_link, programme_id, roster, set_language, sign_in_anneke

ANNEKE = "anneke@demo.mentorpost.localhost"
SUBJECT = "Kennismaking: wat wil je dit jaar leren?"
FIRST_WORDS = "Welkom Zofia! Vertel eens waar je over twee maanden wilt staan."
ANSWER = "Dank je, Inês. Ik wil leren presenteren voor een groot publiek."


def send_mail(server, sender, to, subject, text, in_reply_to=None):
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = f"<{uuid.uuid4()}@example.org>"
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
    mail.set_content(text)
    with smtplib.SMTP("127.0.0.1", server.smtp_port, timeout=20) as smtp:
        smtp.send_message(mail)


def status_of(page, base, pid, name):
    """The status the dashboard's table gives the mentorship found by a member's name."""
    page.goto(f"{base}/coordinate/programmes/{pid}?q={name}")
    rows = page.locator(".health-table tbody tr")
    expect(rows).to_have_count(1)
    return rows.first.locator(".status").inner_text()


def test_a_programme_from_import_to_the_first_slowdown(people, server):
    run = uuid.uuid4().hex[:8]
    pid = programme_id(server)
    base = server.base
    coordinator = people()
    page = sign_in_anneke(coordinator)
    set_language(page, base, "en")

    # The programme's defaults: contact every two weeks, "not started" after a day.
    page.goto(f"{base}/coordinate/programmes/{pid}/settings")
    page.fill("#contact_every_days", "14")
    page.fill("#not_started_days", "1")
    page.locator("form[action$='/defaults'] button[type=submit]").click()
    expect(page.locator(".error-summary")).to_have_count(0)
    expect(page.locator("#contact_every_days")).to_have_value("14")

    # Twenty people, two bad rows; fixed and confirmed.
    page.goto(f"{base}/coordinate/programmes/{pid}/import")
    page.fill("#csv", roster(run))
    page.get_by_role("button", name="Check the list").click()
    expect(page.locator(".preview-row.has-problems")).to_have_count(2)
    page.fill("#csv", roster(run, bad=False))
    page.get_by_role("button", name="Check the list").click()
    page.get_by_role("button", name="Invite 20 people").click()
    expect(page).to_have_url(re.compile(r"/people\?done=imported"))

    # Inês (line 9, the row whose role was wrong) accepts in the browser with a password.
    ines_name, zofia_name = NAMES[7][0], NAMES[5][0]
    ines = f"{ascii_local(ines_name)}.{run}@example.org"
    zofia = f"{ascii_local(zofia_name)}.{run}@example.org"
    mentor = people()
    link = invitation_link(server, ines)
    tab = mentor.goto("/invite/" + link.rsplit("/invite/", 1)[1])
    tab.fill("#password", "Conceição-azul-2026")
    tab.fill("#confirm", "Conceição-azul-2026")
    tab.get_by_role("button", name="Accept and sign in").click()
    tab.wait_for_url(base + "/")

    # Zofia takes part by e-mail only: she answers the invitation with "yes".
    invitation = server.wait_for_mail(zofia, lambda m: "/invite/" in m.get_body(("plain",)).get_content())
    send_mail(server, zofia, str(invitation["Reply-To"]), "Re: " + str(invitation["Subject"]), "Yes, gladly.\n\nZofia")
    page.goto(f"{base}/coordinate/programmes/{pid}/people")
    row = page.locator(".invitation", has_text=zofia)
    for _ in range(100):
        if "e-mail only" in row.inner_text():
            break
        page.wait_for_timeout(100)  # the mail is taken in by the listener's own task: look again
        page.reload()
    expect(row).to_contain_text("Accepted (e-mail only)")
    expect(page.locator(".invitation", has_text=ines)).to_contain_text("Accepted (web app)")

    # The pair: Inês mentors Zofia. Both are told; Zofia's mail suggests a subject.
    page.goto(f"{base}/coordinate/programmes/{pid}/pair")
    page.locator(f"#mentors .radio:has-text('{ines_name}') input").check()
    page.locator(f"#mentees .radio:has-text('{zofia_name}') input").check()
    page.get_by_role("button", name="Create the mentorship").click()
    expect(page.locator(".notice")).to_be_visible()
    expect(page.locator(".error-summary")).to_have_count(0)
    server.wait_for_mail(zofia, lambda m: ines_name in m.get_body(("plain",)).get_content() and "/invite/" not in m.get_body(("plain",)).get_content())

    # Two days on, nobody has written: not started.
    server.advance_clock(2 * 24 * 3600)
    assert status_of(page, base, pid, "Zofia") == "Not started"

    # Inês writes in the web app; Zofia answers the mail she gets.
    compose = mentor.goto("/")
    compose.get_by_role("link", name="New conversation").click()
    compose.fill("#subject", SUBJECT)
    compose.fill("#body", FIRST_WORDS)
    compose.get_by_role("button", name="Send").click()
    expect(compose.locator("h1.thread-subject")).to_have_text(SUBJECT)
    mentor.live()
    note = server.wait_for_mail(zofia, lambda m: "Vertel eens" in m.get_body(("plain",)).get_content())
    send_mail(server, zofia, str(note["Reply-To"]), "Re: " + str(note["Subject"]), ANSWER, in_reply_to=str(note["Message-ID"]))
    expect(compose.locator("#messages li.message").last).to_contain_text("presenteren voor een groot publiek")
    assert status_of(page, base, pid, "Zofia") == "On track"

    # Three weeks of silence: slowing (the agreement asks for contact every 14 days).
    server.advance_clock(21 * 24 * 3600)
    assert status_of(page, base, pid, "Zofia") == "Slowing"
    row = page.locator(".health-table tbody tr").first
    expect(row).to_contain_text(ines_name)
    # The chart's table: this week counts a slowing mentorship.
    page.goto(f"{base}/coordinate/programmes/{pid}")
    shares = page.locator("#shares-table")
    shares.locator("summary").click()
    cells = shares.locator("tbody tr").last.locator("td").all_inner_texts()
    assert int(cells[1]) >= 1, cells
    assert page.locator("#shares-chart svg title, svg title").count() >= 1
    # The weekly mail names the pair as slowing, with the days since the last contact.
    summary = server.wait_for_mail(
        ANNEKE, lambda m: "summary" in str(m["Subject"]).lower() and re.search(r"Zofia[^\n]*: slowing", m.get_body(("plain",)).get_content())
    )
    assert "days since the last contact" in summary.get_body(("plain",)).get_content()

    # Figures only: neither the subject nor a word of the messages reached her.
    for path in [f"/coordinate/programmes/{pid}", f"/coordinate/programmes/{pid}/people"]:
        page.goto(base + path)
        content = page.content()
        assert "Kennismaking" not in content and "presenteren" not in content
    page.goto(f"{base}/coordinate/programmes/{pid}?q=Zofia")
    page.locator(".health-table tbody th a").first.click()
    expect(page.locator("h1")).to_contain_text("Zofia")
    assert "Kennismaking" not in page.content() and "presenteren" not in page.content()
    for mail in server.mails_to(ANNEKE):
        text = mail.get_body(("plain",)).get_content()
        assert "Kennismaking" not in text and "presenteren" not in text
