"""Live delivery as people see it: a message posted in one headless Chromium appears in
another one's open thread. Reports p50/p90/max over N messages, beside the same
path without the sender's browser (posted through the API). Writes its section of
docs/benchmarks.md with --write-docs.

    export CARGO_TARGET_DIR=$HOME/.cache/mentorpost-target
    cargo build --release -p mentorpost-server
    MENTORPOST_BIN=$CARGO_TARGET_DIR/release/mentorpost \
      ~/.cache/mentorpost-browser-venv/bin/python crates/bench/browser/live_latency.py --write-docs
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from conftest import Person, Server  # noqa: E402  (the browser suite's harness)
from playwright.sync_api import sync_playwright  # noqa: E402

HEADING = "## Web app: live in the browser"
SUBJECT = "Preparing for my first one-on-one as a team lead"
# Records, in the receiving page, when each new message's element appears.
WATCH = """
window.__arrived = {};
new MutationObserver(() => {
  for (const li of document.querySelectorAll('#messages li.message')) {
    const text = li.querySelector('.body')?.textContent ?? '';
    const m = text.match(/probe-([0-9a-f]{8})/);
    if (m && !(m[1] in window.__arrived)) window.__arrived[m[1]] = Date.now();
  }
}).observe(document.getElementById('messages'), { childList: true, subtree: true });
"""


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def wait_arrived(page, probe, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        at = page.evaluate(f"window.__arrived['{probe}']")
        if at:
            return at
        time.sleep(0.005)
    raise AssertionError(f"message {probe} did not arrive within {timeout} s")


def machine():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=40)
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    server = Server("sqlite")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=os.environ.get("MENTORPOST_CHROMIUM", "/usr/bin/chromium"),
                                        args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                                              "--disable-background-networking", "--disable-component-update", "--disable-sync"])
            receiver = Person(browser, server).sign_in("malgorzata")
            sender = Person(browser, server).sign_in("joao")
            for person in (receiver, sender):
                person.page.get_by_role("link", name=SUBJECT).click()
                person.page.wait_for_selector("h1.thread-subject")
                person.live()
            receiver.page.evaluate(WATCH)
            # The moment the person's click submits the form (not Playwright's own
            # checks before it clicks).
            sender.page.evaluate("document.querySelector('form.compose-form').addEventListener('submit', () => { window.__sentAt = Date.now(); }, { capture: true })")
            thread_id = receiver.page.evaluate("document.body.dataset.thread")
            token = server.token("joao")

            browser_ms, api_ms = [], []
            for k in range(args.messages):
                probe = uuid.uuid4().hex[:8]
                # Browser to browser: from the click on "Send reply" to the element in the other page.
                sender.page.fill("#body", f"Bericht {k} probe-{probe}")
                sender.page.get_by_role("button", name="Send reply").click()
                arrived = wait_arrived(receiver.page, probe)
                browser_ms.append(arrived - sender.page.evaluate("window.__sentAt"))
                sender.page.wait_for_selector(f"#messages li.message:has-text('probe-{probe}')")
                # The API beside it: from sending the POST to the element in the page.
                probe = uuid.uuid4().hex[:8]
                start = receiver.page.evaluate("Date.now()")
                status, body = server.api("POST", f"/api/v1/threads/{thread_id}/messages", token,
                                          {"body": f"API {k} probe-{probe}", "client_msg_id": str(uuid.uuid4())})
                assert status == 201, body
                api_ms.append(wait_arrived(receiver.page, probe) - start)
            receiver.close()
            sender.close()
            browser.close()
    finally:
        server.close()

    rows = [("browser → browser (the form submitted → the message in the other page)", browser_ms),
            ("API → browser (POST from a script → the message in the page)", api_ms)]
    target = "Target (issue 22, Speed): a message posted in one browser shows in the other: p50 ≤ 50 ms end to end, measured in headless Chromium (with the API-only figure beside it)."
    method = (f"Method: `crates/bench/browser/live_latency.py` starts the release binary (SQLite, demo data) and two headless "
              f"Debian Chromium pages (Playwright), Małgorzata and João, on the same open thread, both live on their sockets. "
              f"{args.messages} times, João's page sends a reply through its form (the page's script posts it, the server "
              f"publishes it, Małgorzata's page fetches the new message's HTML and inserts it); a submit listener in his page stamps the "
              f"moment the click submits the form, a MutationObserver in her page the moment the element appears. Beside it, the same number of messages posted through the API from the "
              f"script. Times are the pages' clocks (Date.now(), 1 ms) in one browser process. Machine: {machine()}.")
    out = [HEADING, "", target, "", method, "", "| path | p50 ms | p90 ms | max ms | target |", "|---|---:|---:|---:|---|"]
    for name, values in rows:
        p50 = statistics.median(values)
        verdict = ("met" if p50 <= 50 else "**missed**") if name.startswith("browser") else "beside it"
        out.append(f"| {name} | {p50:.0f} | {percentile(values, 0.9):.0f} | {max(values):.0f} | {verdict} |")
    section = "\n".join(out) + "\n"
    print(section)
    if args.write_docs:
        path = ROOT / "docs" / "benchmarks.md"
        text = path.read_text()
        if HEADING in text:
            start = text.index(HEADING)
            rest = text[start + len(HEADING):]
            nxt = rest.find("\n## ")
            end = len(text) if nxt < 0 else start + len(HEADING) + nxt + 1
            text = text[:start] + section + ("\n" if end < len(text) else "") + text[end:]
        else:
            text = text.rstrip("\n") + "\n\n" + section
        path.write_text(text)
        print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
