"""The browser suite's harness: the real `mentorpost` binary on a free port with a
fresh database (SQLite, and PostgreSQL when MENTORPOST_TEST_POSTGRES_URL is set),
demo data, mail written to files, and Debian's Chromium driven by Playwright."""

import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import uuid
import email
import email.policy
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from playwright.sync_api import expect, sync_playwright

BIN = os.environ.get("MENTORPOST_BIN", "")
PG = os.environ.get("MENTORPOST_TEST_POSTGRES_URL", "")
CHROMIUM = os.environ.get("MENTORPOST_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WRITE_SCREENSHOTS = os.environ.get("MENTORPOST_SCREENSHOTS") == "1"
PASSWORD = "mentorpost-demo"
PEOPLE = {
    "cagri": "cagri@demo.mentorpost.localhost",
    "malgorzata": "malgorzata@demo.mentorpost.localhost",
    "joao": "joao@demo.mentorpost.localhost",
    "henk": "henk@demo.mentorpost.localhost",
    "anneke": "anneke@demo.mentorpost.localhost",
    "admin": "admin@demo.mentorpost.localhost",
}


# What a page shows after a live event can wait behind a busy machine (CI shares two
# cores with the build); a generous bound, never a delay: expect returns as soon as it holds.
expect.set_options(timeout=15_000)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One running service. `restart()` stops it and starts it again on the same port
    with the same database, as a deployment would."""

    def __init__(self, backend):
        self.backend = backend
        self.dir = tempfile.mkdtemp(prefix="mentorpost-browser-")
        self.port = free_port()
        self.smtp_port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.database_url = None
        self.db_name = None
        if backend == "postgres":
            self.db_name = "mp_browser_" + uuid.uuid4().hex[:12]
            parts = urlsplit(PG)
            admin = urlunsplit(parts._replace(path="/" + parts.path.lstrip("/")))
            subprocess.run(["psql", "-q", admin, "-c", f'CREATE DATABASE "{self.db_name}"'], check=True, capture_output=True)
            self.database_url = urlunsplit(parts._replace(path="/" + self.db_name, query=""))
        self.proc = None
        self.log_path = Path(self.dir) / "server.log"
        self.start()

    def start(self):
        cmd = [BIN, "--data-dir", self.dir]
        if self.database_url:
            cmd += ["--database-url", self.database_url]
        cmd += ["serve", "--demo", "--http", f"127.0.0.1:{self.port}", "--smtp-listen", f"127.0.0.1:{self.smtp_port}", "--drain-seconds", "0",
                "--test-clock"]
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "RUST_LOG": "info"})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mentorpost exited: {self.log_path.read_text(errors='replace')}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mentorpost did not start within 60 s")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def restart(self):
        self.stop()
        self.start()

    def close(self):
        self.stop()
        if self.db_name:
            parts = urlsplit(PG)
            subprocess.run(["psql", "-q", PG, "-c", f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)'], capture_output=True)

    def advance_clock(self, seconds):
        """Moves the server's clock (it runs with --test-clock) and returns its new time."""
        status, body = self.api("POST", "/test/clock/advance", body={"seconds": seconds})
        assert status == 200, body
        return body["now"]

    def mails_to(self, address):
        """Every mail written for `address`, oldest first, parsed."""
        folder = Path(self.dir) / "mail"
        out = []
        for path in sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns) if folder.exists() else []:
            msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if address in str(msg.get("To", "")):
                out.append(msg)
        return out

    def wait_for_mail(self, address, predicate=lambda m: True, timeout=20, after=0):
        """The newest mail for `address` that fits, among those after the first `after`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.mails_to(address)[after:] if predicate(m)]
            if found:
                return found[-1]
            time.sleep(0.1)
        raise AssertionError(f"no mail for {address} within {timeout} s")

    def api(self, method, path, token=None, body=None):
        import json
        import urllib.request
        req = urllib.request.Request(self.base + path, method=method)
        if token:
            req.add_header("authorization", f"Bearer {token}")
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            req.add_header("content-type", "application/json")
        try:
            with urllib.request.urlopen(req, data=data, timeout=20) as resp:
                text = resp.read().decode()
                return resp.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read().decode() or "null")

    def token(self, who):
        status, body = self.api("POST", "/api/v1/auth/login", body={"email": PEOPLE[who], "password": PASSWORD})
        assert status == 200, body
        return body["access_token"]


def backends():
    out = ["sqlite"]
    if PG:
        out.append("postgres")
    return out


@pytest.fixture(params=backends())
def server(request):
    if not BIN or not Path(BIN).exists():
        pytest.fail("MENTORPOST_BIN must name the built mentorpost binary (scripts/test sets it)")
    s = Server(request.param)
    yield s
    s.close()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


# Records every Content-Security-Policy violation the page reports.
CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


class Person:
    """One browser window, as one person."""

    def __init__(self, browser, server, lang="en", width=1280, height=900, javascript=True, color_scheme="light"):
        self.server = server
        self.context = browser.new_context(viewport={"width": width, "height": height}, locale=lang, color_scheme=color_scheme,
                                           extra_http_headers={"accept-language": lang}, java_script_enabled=javascript)
        self.context.add_init_script(CSP_WATCH)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.errors = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def goto(self, path):
        self.page.goto(self.server.base + path)
        return self.page

    def sign_in(self, who):
        self.goto("/signin")
        self.page.fill("#email", PEOPLE[who])
        self.page.fill("#password", PASSWORD)
        self.page.click("form[action='/signin'] button[type=submit]")
        self.page.wait_for_url(self.server.base + "/")
        return self

    def live(self):
        """Waits until the page's socket is connected and caught up."""
        self.page.wait_for_selector("body[data-live]", state="attached")
        return self

    def eventually(self, expression, timeout=15):
        """Polls a JavaScript expression until it is true (a condition, not a delay).
        Not `wait_for_function`: that compiles its predicate with `eval`, which the
        pages' policy rightly forbids."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.page.evaluate(expression):
                return
            time.sleep(0.05)
        raise AssertionError(f"not true within {timeout} s: {expression}")

    def csp_violations(self):
        try:
            return self.page.evaluate("window.__csp || []")
        except Exception:
            return []

    def close(self):
        assert self.csp_violations() == [], self.csp_violations()
        self.context.close()


@pytest.fixture
def people(browser, server):
    opened = []

    def open_person(**kw):
        p = Person(browser, server, **kw)
        opened.append(p)
        return p

    yield open_person
    for p in opened:
        p.close()
