"""The export of one's data (GDPR right of access) in Chromium, on both backends: the
settings page's "Your data" section passes axe in English and Dutch at 1280 and
360 px; its button downloads a zip; unzipped, its index.html opens offline (file://)
in the reader's language, shows their conversations, and every link on it opens a
file of the folder."""

import json
import zipfile
from urllib.parse import unquote

from playwright.sync_api import expect

from conftest import SCREENSHOTS, WRITE_SCREENSHOTS
from test_accessibility import check_page

TITLES = {"en": "Your data from mentorpost", "nl": "Jouw gegevens uit mentorpost"}
BUTTONS = {"en": "Download my data", "nl": "Mijn gegevens downloaden"}


def set_language(server, who, lang):
    status, body = server.api("PATCH", "/api/v1/me", token=server.token(who), body={"locale": lang})
    assert status == 200, body


def test_the_settings_button_downloads_a_zip_that_reads_offline(people, server, tmp_path):
    shots = WRITE_SCREENSHOTS and server.backend == "sqlite"
    for lang in ["en", "nl"]:
        set_language(server, "joao", lang)
        for width in [1280, 360]:
            person = people(lang=lang, width=width).sign_in("joao")
            page = person.goto("/settings")
            section = page.locator("section[aria-labelledby=export-title]")
            expect(section.locator("h2")).to_be_visible()
            check_page(person, "settings", lang, False)
            if shots:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                name = "phone" if width < 500 else "desktop"
                section.scroll_into_view_if_needed()
                section.screenshot(path=str(SCREENSHOTS / f"export-button-{lang}-{name}.png"))
            if width != 1280:
                continue

            # By keyboard: the button takes focus and Enter sends the form.
            button = page.get_by_role("button", name=BUTTONS[lang])
            button.focus()
            with page.expect_download() as info:
                page.keyboard.press("Enter")
            download = info.value
            assert download.suggested_filename.startswith("mentorpost-export-"), download.suggested_filename
            folder = tmp_path / lang
            with zipfile.ZipFile(download.path()) as z:
                z.extractall(folder)
            account = json.loads((folder / "data" / "account.json").read_text())
            assert account["account"]["email"] == "joao@demo.mentorpost.localhost", account
            messages = (folder / "data" / "messages.json").read_text()
            assert json.loads(messages)["mentorships"], messages[:500]

            # The index, opened from the folder without any server.
            index = folder / "index.html"
            page.goto(index.as_uri())
            expect(page.locator("html")).to_have_attribute("lang", lang)
            expect(page.locator("h1")).to_have_text(TITLES[lang])
            expect(page.locator(".message").first).to_be_visible()
            hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
            assert len(hrefs) >= 7, hrefs
            for href in hrefs:
                assert "://" not in href and not href.startswith("/"), href
                assert (folder / unquote(href)).is_file(), f"{href} is not in the folder"
            # A link opens its file.
            page.locator("a[href='data/account.json']").click()
            expect(page.locator("body")).to_contain_text("joao@demo.mentorpost.localhost")
            if shots:
                page.goto(index.as_uri())
                page.screenshot(path=str(SCREENSHOTS / f"export-index-{lang}-desktop.png"))
    set_language(server, "joao", "en")
