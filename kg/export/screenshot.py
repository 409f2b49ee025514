"""Open ``graph.html`` in headless Chromium, offline, and save a PNG (or inspect it in tests).

Optional at run time: it needs the ``playwright`` Python package and a
Chromium on the machine (Debian's ``chromium``; ``scripts/install-system-deps.sh``
installs it). Playwright's own browser download is never used: the browser
is started from ``CHROMIUM`` (or ``$KG_CHROMIUM``) with the network off, and
every request other than the page's own file is blocked and recorded.

    python -m kg.export.screenshot exports/graph.html exports/graph.png
    python -m kg.export.screenshot exports/graph.html exports/graph-selected.png --select 河北省科学技术厅 --hops 1
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


def click_node(page, label: str, hops: int = 0) -> str:
    """Click the node called ``label`` (its name or an alias) as a user would; return its id.

    With ``hops`` > 0, double-click it instead: the page then draws only its
    ``hops``-hop neighbourhood, laid out again. A label the page does not hold
    is a ``ValueError``.
    """
    node_id = page.evaluate(
        "(label) => { var n = kg.nodes.get({filter: function (n) { return n.label === label; }});"
        " if (!n.length) n = kg.nodes.get({filter: function (n) { return n.aliases.indexOf(label) >= 0; }});"
        " return n.length ? n[0].id : null; }",
        label,
    )
    if node_id is None:
        raise ValueError(f"no node called {label!r} in the page")
    if page.evaluate("(id) => kg.nodesView.get(id) === null", node_id):
        page.evaluate("(id) => kg.select(id)", node_id)  # not drawn yet (a big graph): drawn as a search would
    page.evaluate("(id) => kg.network.focus(id, {scale: 1.0, animation: false})", node_id)
    page.wait_for_timeout(50)
    xy = page.evaluate("(id) => kg.network.canvasToDOM(kg.network.getPosition(id))", node_id)
    box = page.locator("#net").bounding_box()
    x, y = box["x"] + xy["x"], box["y"] + xy["y"]
    if hops > 0:
        layouts = int(page.evaluate("document.body.getAttribute('data-layouts') || '0'"))
        page.select_option("#hops", str(hops))
        page.mouse.dblclick(x, y)
        page.wait_for_selector(f"body[data-layouts='{layouts + 1}']", state="attached")
    else:
        page.mouse.click(x, y)
    page.mouse.move(box["x"] + 2, box["y"] + 2)  # off the node: no tooltip over the picture
    return str(node_id)


def screenshot(
    html_path: str | os.PathLike,
    png_path: str | os.PathLike,
    width: int = 1280,
    height: int = 800,
    select: str | None = None,
    hops: int = 0,
) -> PageLog:
    """Render ``html_path`` offline and save a PNG of the page to ``png_path``.

    ``select``: click the node with that label first (details panel open,
    neighbours highlighted); with ``hops``, show only its neighbourhood.
    """
    with browser() as b, open_page(b, html_path, width, height) as (page, log):
        page.wait_for_timeout(300)
        if select:
            click_node(page, select, hops)
            page.wait_for_timeout(300)
        Path(png_path).parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(png_path))
    return log


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m kg.export.screenshot",
        description="Open graph.html in headless Chromium, offline, and save a PNG of it.",
        epilog="example: python -m kg.export.screenshot exports/graph.html exports/graph-selected.png "
        "--select 河北省科学技术厅 --hops 1",
    )
    parser.add_argument("html", help="the page (graph.html)")
    parser.add_argument("png", help="the PNG to write")
    parser.add_argument("--select", metavar="LABEL", help="click the node with this name or alias first")
    parser.add_argument("--hops", type=int, default=0, help="with --select: show only its N-hop neighbourhood")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if not Path(args.html).is_file():
        print(f"kg: error: no page at {args.html}", file=sys.stderr)
        return 2
    try:
        log = screenshot(args.html, args.png, args.width, args.height, select=args.select, hops=args.hops)
    except (ValueError, RuntimeError) as exc:
        print(f"kg: error: {exc}", file=sys.stderr)
        return 2
    for problem in log.console_errors + log.page_errors + log.blocked:
        print(problem, file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
