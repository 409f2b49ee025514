"""Open ``graph.html`` in headless Chromium, offline, and save a PNG (or inspect it in tests).

Optional at run time: it needs the ``playwright`` Python package and a
Chromium on the machine (Debian's ``chromium``; ``scripts/install-system-deps.sh``
installs it). Playwright's own browser download is never used: the browser
is started from ``CHROMIUM`` (or ``$KG_CHROMIUM``) with the network off, and
every request other than the page's own file is blocked and recorded.

    python -m kg.export.screenshot exports/graph.html exports/graph.png
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--mute-audio",
]


def chromium_path() -> str:
    """The Chromium binary: ``$KG_CHROMIUM``, else ``chromium`` on ``PATH``."""
    path = os.environ.get("KG_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("no Chromium found: run scripts/install-system-deps.sh (Debian package 'chromium')")
    return path


@dataclass
class PageLog:
    """What a page did: console errors, page errors and every request it tried."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


@contextmanager
def browser() -> Iterator[object]:
    """A headless Chromium (playwright ``Browser``) with networking services off."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - optional dependency
        raise RuntimeError(
            "screenshots need playwright: pip install playwright (no 'playwright install' needed)"
        ) from exc
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@contextmanager
def open_page(b, html_path: str | os.PathLike, width: int = 1280, height: int = 800, timeout_ms: int = 30000):
    """Open ``html_path`` from ``file://`` offline; yields ``(page, PageLog)`` once the graph is drawn."""
    url = Path(html_path).resolve().as_uri()
    context = b.new_context(viewport={"width": width, "height": height}, offline=True, service_workers="block")
    log = PageLog()
    page = context.new_page()
    page.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log.page_errors.append(str(e)))
    page.on("request", lambda r: log.requests.append(r.url))

    def route(r):
        if r.request.url == url:
            r.continue_()
        else:
            log.blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    try:
        page.goto(url, wait_until="load", timeout=timeout_ms)
        page.wait_for_selector("body[data-ready='1']", state="attached", timeout=timeout_ms)
        yield page, log
    finally:
        context.close()


def screenshot(
    html_path: str | os.PathLike, png_path: str | os.PathLike, width: int = 1280, height: int = 800
) -> PageLog:
    """Render ``html_path`` offline and save a PNG of the page to ``png_path``."""
    with browser() as b, open_page(b, html_path, width, height) as (page, log):
        page.wait_for_timeout(300)
        Path(png_path).parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(png_path))
    return log


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m kg.export.screenshot GRAPH.html OUT.png", file=sys.stderr)
        return 2
    log = screenshot(args[0], args[1])
    for problem in log.console_errors + log.page_errors + log.blocked:
        print(problem, file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
