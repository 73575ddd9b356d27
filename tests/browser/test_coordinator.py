"""The coordinator's pages in Chromium: axe-core finds nothing on any of them — the
programmes, the dashboard (with a filter applied), a mentorship, the settings (also
with a form error), the admin page — in English and Dutch, at 1280 and 360 px, light
and dark; and the demo coordinator's journey: the programme, a status filter, a
mentorship, a check-in; three weeks later (the server's test clock) a mentorship
shows as slowing or dormant in the table and in the chart's table."""

from playwright.sync_api import expect

from conftest import PEOPLE, WRITE_SCREENSHOTS
from test_accessibility import check_page


def programme_path(server):
    token = server.token("anneke")
    status, programmes = server.api("GET", "/api/v1/programmes", token)
    assert status == 200 and programmes, programmes
    return f"/coordinate/programmes/{programmes[0]['id']}"


def test_every_coordinator_page_passes_axe(people, server):
    shots = WRITE_SCREENSHOTS and server.backend == "sqlite"
    dashboard = programme_path(server)
    for scheme in ["light", "dark"]:
        for width, height in [(1280, 900), (360, 780)]:
            for lang in ["en", "nl"]:
                # The pages speak the profile's language (Anneke's is Dutch).
                for who in ["anneke", "admin"]:
                    status, body = server.api("PATCH", "/api/v1/me", server.token(who), {"locale": lang})
                    assert status == 200, body
                suffix = "" if scheme == "light" else "-dark"
                coordinator = people(lang=lang, width=width, height=height, color_scheme=scheme).sign_in("anneke")
                page = coordinator.page
                coordinator.goto("/coordinate")
                check_page(coordinator, "coordinate", lang, shots, suffix)
                coordinator.goto(dashboard)
                check_page(coordinator, "coordinate-dashboard", lang, shots, suffix)
                coordinator.goto(dashboard + "?status=on_track&sort=overdue")
                check_page(coordinator, "coordinate-dashboard-filtered", lang, False)
                page.locator(".health-table tbody th a").first.click()
                check_page(coordinator, "coordinate-mentorship", lang, shots, suffix)
                # A form error on the mentorship page: close without a reason.
                page.locator("form[action$='/close'] button[type=submit]").click()
                expect(page.locator(".error-summary")).to_be_visible()
                check_page(coordinator, "coordinate-mentorship-error", lang, False)
                coordinator.goto(dashboard + "/settings")
                check_page(coordinator, "coordinate-settings", lang, shots, suffix)
                page.fill("#contact_every_days", "0")
                page.locator("form[action$='/defaults'] button[type=submit]").click()
                expect(page.locator(".error-summary")).to_be_visible()
                check_page(coordinator, "coordinate-settings-error", lang, False)

                admin = people(lang=lang, width=width, height=height, color_scheme=scheme).sign_in("admin")
                admin.goto("/admin")
                check_page(admin, "admin", lang, shots, suffix)


def test_coordinator_journey_with_the_clock_moved(people, server):
    # Anneke's profile is Dutch: the pages are in Dutch.
    coordinator = people().sign_in("anneke")
    page = coordinator.page
    # She is in no mentorship: the inbox sends her on to the coordinator's pages.
    page.locator("main a[href='/coordinate']").click()
    expect(page.locator("h1")).to_have_text("Uw programma's")
    page.get_by_role("link", name="Demo").click()
    expect(page.locator("h1")).to_have_text("Overzicht van Demo")
    expect(page.locator(".health-table tbody tr")).to_have_count(2)

    # Filter by a status nobody has, then search by a name.
    page.locator("#status").select_option("dormant")
    page.locator(".table-filter button[type=submit]").click()
    expect(page.locator(".health-table")).to_have_count(0)
    expect(page.locator("#mentorships")).to_contain_text("Geen mentorrelatie past hierbij")
    page.locator("#status").select_option("")
    page.locator("#q").fill("henk")
    page.locator(".table-filter button[type=submit]").click()
    expect(page.locator(".health-table tbody tr")).to_have_count(1)
    expect(page.locator(".health-table tbody tr")).to_contain_text("Henk Jansen")

    # The mentorship: figures, no content; send a check-in.
    page.locator(".health-table tbody th a").first.click()
    expect(page.locator("h1")).to_contain_text("Henk Jansen")
    expect(page.locator("body")).not_to_contain_text("Kennismaking")
    page.locator("#check-in").click()
    expect(page.get_by_role("status")).to_have_text("De check-in is verstuurd.")
    expect(page.locator("#checkins")).to_contain_text("nog geen antwoord")
    server.wait_for_mail(PEOPLE["henk"], lambda m: "Check-in" in str(m["subject"]))

    # Three weeks later nobody has written: the table and the chart's table say so.
    server.advance_clock(21 * 24 * 3600)
    coordinator.goto(programme_path(server))
    statuses = page.locator(".health-table tbody .status").all_inner_texts()
    assert any(s in ("Vertraagt", "Stilgevallen") for s in statuses), statuses
    shares = page.locator("#shares-table")
    shares.locator("summary").click()
    cells = shares.locator("tbody tr").last.locator("td").all_inner_texts()
    # Columns: on track, slowing, dormant, not started, total.
    assert int(cells[1]) + int(cells[2]) >= 1, cells
    assert int(cells[4]) == 2, cells
