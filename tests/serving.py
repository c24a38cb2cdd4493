"""A real ``mkdocs serve`` for the tests: on a free loopback port, its log kept."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

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


@contextmanager
def mkdocs_serve(
    root: Path, *options: str, port: int | None = None
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``mkdocs serve`` in ``root`` (its log in ``root/serve.log``): the base URL and
    the process."""
    port = port or free_port()
    log = open(root / "serve.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}", *options],
        cwd=root,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    try:
        yield f"http://127.0.0.1:{port}/", server
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
