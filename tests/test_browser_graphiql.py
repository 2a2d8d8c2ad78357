"""GraphiQL in a real browser: headless Chromium opens ``/graphql``, runs the example query and
shows the same articles the API returns over HTTP.

The page loads React and GraphiQL from unpkg.com with subresource integrity. The tests have no
internet, so those requests are answered from tests/browser/node_modules (the same packages at the
same versions, installed by scripts/install-browser-deps); Chromium still checks every byte against
the page's integrity hashes. Any other request that leaves 127.0.0.1 is refused and fails the test.
Skipped without /usr/bin/chromium, the playwright package or the npm packages.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.browser.live_server import NODE_MODULES, ROOT, newsgraph_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Route

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = ROOT / "artifacts" / "graphiql.png"
CDN = re.compile(
    r"https://unpkg\.com/(?P<package>(?:@[^/@]+/)?[^/@]+)@(?P<version>[^/]+)/(?P<path>.+)"
)
# <script src=...> and <link href=...> of the page that name a CDN file and its integrity hash.
ASSET_TAG = re.compile(r"<(?:script|link)\b[^>]*>", re.S)
CONTENT_TYPES = {".js": "application/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


def _need_node_modules() -> None:
    if not NODE_MODULES.is_dir():
        pytest.skip(
            f"{NODE_MODULES.relative_to(ROOT)} is missing: run scripts/install-browser-deps"
        )


@pytest.fixture(scope="module")
def npm_packages() -> Path:
    """tests/browser/node_modules; skips the test when it is not installed."""
    _need_node_modules()
    return NODE_MODULES


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a ``newsgraph serve`` over the bundled sample."""
    with newsgraph_server(tmp_path_factory.mktemp("graphiql")) as base:
        yield base


@pytest.fixture(scope="module")
def page_html(server: str) -> str:
    response = httpx.get(f"{server}/graphql", headers={"Accept": "text/html"}, timeout=10)
    assert response.status_code == 200, response.text
    return response.text


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run scripts/install-browser-deps")
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="playwright is not installed: run scripts/install-browser-deps",
    )
    _need_node_modules()
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def cdn_assets(html: str) -> dict[str, str]:
    """CDN URL -> its integrity attribute, for every script and stylesheet of the page."""
    assets: dict[str, str] = {}
    for tag in ASSET_TAG.findall(html):
        url = re.search(r'\b(?:src|href)="(https://[^"]+)"', tag)
        if url is None:
            continue
        integrity = re.search(r'\bintegrity="([^"]+)"', tag)
        assets[url.group(1)] = integrity.group(1) if integrity else ""
    return assets


def local_file(url: str) -> Path:
    """The installed npm file that unpkg serves at ``url``, checked to be the same version."""
    match = CDN.fullmatch(url)
    assert match, f"not an unpkg URL: {url}"
    package_dir = NODE_MODULES / match["package"]
    manifest = package_dir / "package.json"
    assert manifest.exists(), f"{match['package']} is not in tests/browser/package.json"
    installed = json.loads(manifest.read_text(encoding="utf-8"))["version"]
    assert installed == match["version"], (
        f"{url} asks for {match['package']} {match['version']}; tests/browser has {installed}"
    )
    path = package_dir / match["path"]
    assert path.is_file(), f"{url}: the npm package has no {match['path']}"
    return path


def sri_matches(data: bytes, integrity: str) -> bool:
    """Whether ``data`` matches one of the hashes of an integrity attribute."""
    for token in integrity.split():
        algorithm, _, expected = token.partition("-")
        if algorithm in ("sha256", "sha384", "sha512"):
            digest = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
            if digest == expected:
                return True
    return False


def test_every_cdn_asset_of_the_page_is_installed_with_its_sri_hash(
    npm_packages: Path, page_html: str
) -> None:
    assets = cdn_assets(page_html)
    packages = {match["package"] for url in assets if (match := CDN.fullmatch(url))}
    assert packages >= {"react", "react-dom", "graphiql"}, assets
    for url, integrity in assets.items():
        assert integrity, f"{url} has no integrity attribute"
        data = local_file(url).read_bytes()
        assert sri_matches(data, integrity), f"{url}: local bytes do not match {integrity}"


class LocalCdn:
    """Answers the page's requests: 127.0.0.1 goes to the server, the page's own unpkg.com assets
    come from tests/browser/node_modules (``tamper`` names one to serve altered), anything else is
    refused and remembered."""

    def __init__(self, server: str, page_html: str, tamper: str = "") -> None:
        self.server = server
        self.assets = cdn_assets(page_html)
        self.tamper = tamper
        self.served: list[str] = []
        self.refused: list[str] = []

    def __call__(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(f"{self.server}/"):
            route.continue_()
        elif url in self.assets:
            path = local_file(url)
            body = path.read_bytes() + (b"\n" if url == self.tamper else b"")
            self.served.append(url)
            route.fulfill(
                status=200,
                body=body,
                headers={
                    "Content-Type": CONTENT_TYPES.get(path.suffix, "application/octet-stream"),
                    # the tags are crossorigin: without this header the browser drops the file
                    "Access-Control-Allow-Origin": "*",
                },
            )
        else:
            self.refused.append(url)
            route.abort("blockedbyclient")


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


def watch(page: Page) -> list[str]:
    """Collects the page's uncaught errors and console errors."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console error: {message.text}")

    page.on("console", console)
    return problems


def test_graphiql_runs_the_example_query_in_chromium(
    browser: Browser, page: Page, server: str, page_html: str
) -> None:
    from playwright.sync_api import Error as PlaywrightError

    cdn = LocalCdn(server, page_html)
    problems = watch(page)
    page.route("**/*", cdn)
    page.goto(f"{server}/graphql", wait_until="load")
    run = page.locator("button.graphiql-execute-button")
    try:
        run.wait_for(state="visible", timeout=10_000)
    except PlaywrightError as error:
        pytest.fail(f"GraphiQL did not render: {error}\n{problems}\nrefused: {cdn.refused}")
    assert sorted(cdn.served) == sorted(cdn.assets), "every CDN asset was loaded once"

    query = editor_text(page, ".graphiql-query-editor")
    assert "query Homepage" in query, query
    over_http = httpx.post(f"{server}/graphql", json={"query": query}, timeout=10).json()
    assert "errors" not in over_http, over_http
    titles = [node["title"] for node in over_http["data"]["articles"]["nodes"]]
    assert titles, "the sample has articles"

    run.click()
    first = json.dumps(titles[0], ensure_ascii=False)[1:-1]  # as the JSON result shows it
    page.locator(".graphiql-response").get_by_text(first).first.wait_for(timeout=10_000)
    shown: dict[str, Any] = json.loads(editor_text(page, ".graphiql-response"))
    assert "errors" not in shown, shown
    assert [node["title"] for node in shown["data"]["articles"]["nodes"]] == titles
    assert shown == over_http

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000
    assert not problems, problems
    assert not cdn.refused, f"the page tried to leave 127.0.0.1: {cdn.refused}"


def test_chromium_refuses_an_asset_that_does_not_match_its_integrity_hash(
    browser: Browser, page: Page, server: str, page_html: str
) -> None:
    """What makes the test above a check of the bytes: one altered byte and the page breaks."""
    (tampered,) = (url for url in cdn_assets(page_html) if "/js-cookie@" in url)
    problems = watch(page)
    page.route("**/*", LocalCdn(server, page_html, tamper=tampered))
    page.goto(f"{server}/graphql", wait_until="load")
    page.wait_for_function("() => document.readyState === 'complete'")
    assert page.evaluate("() => typeof Cookies") == "undefined"
    assert any("integrity" in p and tampered in p for p in problems), problems
    assert page.locator("button.graphiql-execute-button").count() == 0


def editor_text(page: Page, pane: str) -> str:
    """The whole text of the CodeMirror editor inside ``pane`` (not just its rendered lines)."""
    text = page.evaluate(
        "(pane) => document.querySelector(pane + ' .CodeMirror').CodeMirror.getValue()", pane
    )
    assert isinstance(text, str)
    return text
