"""`mkdocs serve` keeps serving through every kind of hostile save, and recovers.

A real ``mkdocs serve`` on a free loopback port; each hostile input is written while it
runs, the server must go on answering, and the next good save must show on the page.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator

import pytest

from tests.conftest import Site, report_text
from tests.hostile import CORPUS

WAIT = 90.0
"""Seconds a rebuild may take to show (a normal one takes one or two here)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return None


def wait_for(url: str, found: Callable[[str], bool], server: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        assert server.poll() is None, "mkdocs serve stopped"
        page = fetch(url)
        if page is not None and found(page):
            return page
        time.sleep(0.3)
    raise AssertionError(f"{url} never showed what was expected")


@pytest.fixture
def served(site: Site) -> Iterator[tuple[Site, str, subprocess.Popen[str]]]:
    site.add("2024/report.md", report_text("INC-2024-001", title="First words"))
    site.add("2024/other.md", report_text("INC-2024-002", title="Another report"))
    site.configure("build_date: 2024-06-30")
    site.write_config()
    port = free_port()
    log = open(site.root / "serve.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=site.root,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    try:
        yield site, f"http://127.0.0.1:{port}/", server
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def corpus(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


HOSTILE = {
    "a due date in year 9999": ("PM037", lambda: corpus("34-action-due-in-year-9999.md")),
    "billion laughs": ("PM041", lambda: corpus("36-billion-laughs.md")),
    "600 nested list items": ("PM039", lambda: corpus("37-600-nested-list-items.md")),
    "50 KB of '['": ("PM040", lambda: corpus("38-50-kb-of-open-brackets.md")),
    "3,000 nested '>'": ("PM039", lambda: corpus("39-3000-nested-quotes.md")),
    "tags as a !!set": ("PM042", lambda: corpus("43-tags-as-a-set.md")),
}


def test_serve_survives_hostile_saves_and_recovers(
    served: tuple[Site, str, subprocess.Popen[str]],
) -> None:
    site, base, server = served
    page_url = base + "2024/report/"
    wait_for(page_url, lambda page: "First words" in page, server)
    report = site.docs / "2024" / "report.md"
    for number, (code, text) in enumerate(HOSTILE.values()):
        report.write_text(text(), encoding="utf-8")
        # The rebuild shows the problem on the page: serving went on.
        wait_for(page_url, lambda page, code=code: code in page, server)
        good = f"Recovered {number}"
        report.write_text(report_text("INC-2024-001", title=good), encoding="utf-8")
        wait_for(
            page_url, lambda page, good=good, code=code: good in page and code not in page, server
        )
    # Files the gate refuses, added while serving: a FIFO, links leading out and in.
    os.mkfifo(site.docs / "2024" / "pipe.md")
    (site.docs / "env.txt").symlink_to("/proc/self/environ")
    (site.docs / "loop").symlink_to(site.docs, target_is_directory=True)
    report.write_text(report_text("INC-2024-001", title="After the links"), encoding="utf-8")
    wait_for(page_url, lambda page: "After the links" in page, server)
    assert fetch(base + "env.txt") is None  # never published
    assert "Another report" in (fetch(base + "2024/other/") or "")
    log = (site.root / "serve.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log and "PM030 special-file" in log and "PM031" in log
