"""The reference frontend (examples/frontend) in a real browser, against a real server.

The app is built as a user builds it (``npm run build``: codegen, ``tsc``, Vite) and served on
its own origin; ``newsgraph serve --watch`` serves generated content on another, allowing only
that origin (``--cors-origin``). Headless Chromium then checks what a reader sees against what
the API answers over HTTP: the home page's cards and infinite scroll, a topic page's facet
toggles and counts, a search's snippets, an article's related coverage, the trending list, and
the "new articles" banner when a file appears in the content folder. Every page must load with
no console error and no failed request; the pictures of the generated content (on hosts that do
not exist here) are answered with a stand-in image, and any other request that leaves
127.0.0.1 fails the test. Screenshots go to artifacts/frontend-*.png.

Skipped without /usr/bin/chromium, the playwright package, npm or examples/frontend/node_modules
(scripts/install-browser-deps installs them all).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import yaml

from bench.corpus import generate
from tests.browser.live_server import ROOT, free_port, newsgraph_server
from tests.browser.static_site import static_site
from tests.conftest import Raw, front_matter, item_fields
from tests.test_browser_graphiql import CHROMIUM, CHROMIUM_ARGS

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Request, Response, Route, WebSocket

FRONTEND = ROOT / "examples" / "frontend"
ARTIFACTS = ROOT / "artifacts"
ARTICLES = 150
WAIT = 15.0  # seconds a page may take to show what the API answered (a slow CI machine)
SAMPLE_SLUG = "2019-11-02-frontend-fixture-with-a-body"
LIVE_TITLE = "Breaking: a file appeared while the frontend was open"


@dataclass
class Site:
    api: str
    app: str
    content: Path

    def query(self, document: str, variables: dict[str, Any] | None = None) -> Any:
        body = httpx.post(
            f"{self.api}/graphql",
            json={"query": document, "variables": variables or {}},
            timeout=30,
        ).json()
        assert "errors" not in body, body
        return body["data"]


@dataclass
class Watcher:
    """What went wrong on a page: console errors, uncaught errors, failed requests."""

    origins: tuple[str, ...]
    problems: list[str] = field(default_factory=list)
    stand_ins: list[str] = field(default_factory=list)
    graphql: list[str] = field(default_factory=list)
    frames: list[str] = field(default_factory=list)

    def route(self, route: Route) -> None:
        request = route.request
        if request.url.startswith(self.origins):
            route.continue_()
        elif request.resource_type == "image":
            self.stand_ins.append(request.url)
            digest = hashlib.sha256(request.url.encode()).hexdigest()
            svg = (
                '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="9">'
                f'<rect width="16" height="9" fill="#{digest[:6]}"/></svg>'
            )
            route.fulfill(status=200, body=svg, headers={"Content-Type": "image/svg+xml"})
        else:
            self.problems.append(f"left 127.0.0.1: {request.url}")
            route.abort("blockedbyclient")

    def attach(self, page: Page) -> None:
        page.route("**/*", self.route)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        page.on("websocket", self._socket)

    def _failed(self, request: Request) -> None:
        if not request.url.startswith(self.origins):
            return  # refused above, already counted
        self.problems.append(f"request failed: {request.url} {request.failure}")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")
        if "/graphql" in response.url:
            self.graphql.append(f"{response.request.method} {response.url}")

    def _socket(self, socket: WebSocket) -> None:
        socket.on("framesent", lambda payload: self.frames.append(f"sent {payload!s}"))
        socket.on("framereceived", lambda payload: self.frames.append(f"received {payload!s}"))


def write_fixture_article(content: Path) -> None:
    """An article with a Markdown body and related coverage: one item that names an article of
    the corpus by its address (the API links it) and one from elsewhere."""
    target = yaml.safe_load(
        sorted((content / "_news").rglob("*.md"))[-1].read_text("utf-8").split("---")[1]
    )
    fields = item_fields(
        1,
        title="Frontend fixture with a body",
        publishedDateTime=Raw("2019-11-02T10:00:00Z"),
        topics=["Security"],
        related=[
            {"title": target["title"], "webUrl": target["webUrl"],
             "provider": {"name": "Elsewhere", "domain": "elsewhere.example"}},
            {"title": "Coverage the corpus does not have",
             "webUrl": "https://elsewhere.example/not-here",
             "provider": {"name": "Elsewhere", "domain": "elsewhere.example"}},
        ],
    )  # fmt: skip
    body = "A body in **Markdown**, with a [link](https://example.com/more).\n"
    (content / "_news" / f"{SAMPLE_SLUG}.md").write_text(front_matter(fields) + body, "utf-8")


def _skip_unless_installed() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run scripts/install-browser-deps")
    pytest.importorskip(
        "playwright.sync_api",
        reason="playwright is not installed: run scripts/install-browser-deps",
    )
    if shutil.which("npm") is None or shutil.which("node") is None:
        pytest.skip("node/npm are not on the PATH")
    if not (FRONTEND / "node_modules" / ".bin" / "vite").exists():
        pytest.skip("examples/frontend/node_modules is missing: run scripts/install-browser-deps")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app as ``npm run build`` makes it (codegen, tsc, vite), in a temporary folder."""
    _skip_unless_installed()
    out = tmp_path_factory.mktemp("frontend-dist")
    npm = shutil.which("npm")
    assert npm is not None
    result = subprocess.run(
        [npm, "run", "--silent", "build", "--", "--outDir", str(out), "--emptyOutDir"],
        cwd=FRONTEND, env={**os.environ, "CI": "true", "NO_COLOR": "1"}, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert "warn" not in log.lower(), f"the build warns:\n{log}"
    assert (out / "index.html").is_file()
    return out


@pytest.fixture(scope="module")
def site(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    workdir = tmp_path_factory.mktemp("frontend-site")
    content = workdir / "content"
    generate(content, ARTICLES, seed=3)
    write_fixture_article(content)
    app_port = free_port()
    app_origin = f"http://127.0.0.1:{app_port}"
    args = ("--content", str(content), "--watch", "--cors-origin", app_origin)
    with (
        newsgraph_server(workdir, *args) as api,
        static_site(built, app_port, {"api": f"{api}/graphql"}) as app,
    ):
        yield Site(api=api, app=app, content=content)


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser, site: Site) -> Iterator[tuple[Page, Watcher]]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    watcher = Watcher(origins=(f"{site.app}/", f"{site.api}/"))
    try:
        tab = context.new_page()
        watcher.attach(tab)
        yield tab, watcher
    finally:
        context.close()
    assert not watcher.problems, "\n".join(watcher.problems)


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"frontend-{name}.png"))


def titles(page: Page, scope: str = "main") -> list[str]:
    found = page.locator(f"{scope} .card h2").all_inner_texts()
    return [t.strip() for t in found]


def eventually(check: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
    """Poll ``check`` until it returns something true; fail with ``what`` and its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what} (last: {value!r})")
        time.sleep(0.1)


def test_home_shows_the_first_page_and_scrolls_through_pages_2_and_3(
    site: Site, page: tuple[Page, Watcher]
) -> None:
    tab, watcher = page
    expected = [n["title"] for n in site.query("{ articles(first: 60) { nodes { title } } }")[
        "articles"]["nodes"]]  # fmt: skip
    tab.goto(site.app)
    tab.locator(".card").nth(19).wait_for(timeout=WAIT * 1000)
    assert titles(tab) == expected[:20], "the home page shows the API's first page"
    shot(tab, "home")
    for shown in (40, 60):
        tab.mouse.wheel(0, 50_000)
        eventually(lambda n=shown: tab.locator(".card").count() >= n, f"{shown} cards")
    cards = titles(tab)
    assert cards[:60] == expected, "pages 2 and 3 follow page 1, in the API's order"
    ids = tab.locator("main .card").evaluate_all("cards => cards.map(c => c.dataset.id)")
    assert len(ids) == len(set(ids)), "no card twice"
    pages = [u for u in watcher.graphql if "operationName=Home" in u and "after%22%3A%22" in u]
    assert len(pages) >= 2, watcher.graphql
    assert all(u.startswith("GET ") for u in pages), "pages are persisted queries over GET"
    assert not any("query=" in u for u in pages), "the server already knows the document"


def sidebar_state(page: Page) -> dict[str, dict[str, tuple[int, bool]]]:
    """group -> value -> (count, selected), as the sidebar shows it."""
    rows = page.locator("aside .facet").evaluate_all(
        "links => links.map(a => [a.dataset.group, a.dataset.value,"
        " Number(a.querySelector('.count').textContent), a.getAttribute('aria-pressed') === 'true'])"
    )
    state: dict[str, dict[str, tuple[int, bool]]] = {}
    for group, value, count, selected in rows:
        state.setdefault(group, {})[value] = (count, selected)
    return state


TOPIC_PAGE = """
query($slug: String!, $filter: ArticleFilter) {
  topic(slug: $slug) { articles(filter: $filter, first: 20) {
    totalCount nodes { title }
    facets(disjunctive: true) {
      topics(first: 12) { value count selected } providers(first: 10) { value count selected }
      types(first: 6) { value count selected } years(first: 10) { value count selected }
      months(first: 12) { value count selected }
    }
  } }
}
"""


def test_topic_page_facet_toggles_change_the_list_and_counts_as_the_api_says(
    site: Site, page: tuple[Page, Watcher]
) -> None:
    tab, _ = page
    topics = site.query("{ topics(first: 100) { nodes { slug articleCount } } }")
    slug = max(topics["topics"]["nodes"], key=lambda t: t["articleCount"])["slug"]
    tab.goto(f"{site.app}/topic/{slug}")
    tab.locator("aside .facet").first.wait_for(timeout=WAIT * 1000)

    def api_state() -> tuple[list[str], dict[str, dict[str, tuple[int, bool]]], int]:
        query = parse_qs(urlsplit(tab.url).query)
        filter_ = json.loads(query["filter"][0]) if "filter" in query else None
        listing = site.query(TOPIC_PAGE, {"slug": slug, "filter": filter_})["topic"]["articles"]
        facets = {
            group: {v["value"]: (v["count"], v["selected"]) for v in values
                    if not (group == "topics" and v["value"] == slug)}
            for group, values in listing["facets"].items()
        }  # fmt: skip
        return (
            [n["title"] for n in listing["nodes"]],
            {g: v for g, v in facets.items() if v},
            (listing["totalCount"]),
        )

    def matches() -> bool:
        names, facets, _ = api_state()
        return titles(tab)[:20] == names and sidebar_state(tab) == facets

    eventually(matches, "the topic page shows the API's list and facets")
    totals = [api_state()[2]]
    clicks = [("topics", 0), ("topics", 1), ("providers", 0)]
    for group, nth in clicks:
        unselected = tab.locator(f"aside .facet[data-group={group}][aria-pressed=false]").nth(nth)
        value = unselected.get_attribute("data-value")
        unselected.click()
        eventually(
            lambda g=group, v=value: tab.locator(
                f"aside .facet[data-group={g}][data-value='{v}'][aria-pressed=true]"
            ).count(),
            f"{group} {value} shows as selected",
        )
        eventually(matches, f"after ticking {group} {value}, the list and counts are the API's")
        totals.append(api_state()[2])
        status = tab.locator(".page-head .status").inner_text()
        assert status.startswith(f"{totals[-1]} article"), status
    filter_ = json.loads(parse_qs(urlsplit(tab.url).query)["filter"][0])
    assert len(filter_["topicsAny"]) == 2 and len(filter_["providerIn"]) == 1, filter_
    assert len(set(totals)) > 1, f"the toggles changed the list: {totals}"
    shot(tab, "topic")
    tab.go_back()  # the previous selection again, from the normalised cache
    eventually(lambda: "providerIn" not in tab.url, "Back leaves the provider out")
    eventually(matches, "after Back, the list and counts are the API's again")


def test_search_shows_snippets_with_marks(site: Site, page: tuple[Page, Watcher]) -> None:
    tab, _ = page
    search = """query($text: String!) { articles(filter: {text: $text}, first: 20) {
        totalCount edges { snippet(tokens: 24) node { title } } } }"""
    nodes = site.query("{ articles(first: 20) { nodes { title } } }")["articles"]["nodes"]
    words = sorted({w for n in nodes for w in n["title"].split() if w.isalpha() and len(w) > 4})
    word, found = "", {}
    for word in words:
        found = site.query(search, {"text": word})["articles"]
        if found["totalCount"] >= 3:
            break
    assert found["totalCount"] >= 3, "a word of the corpus matches several articles"
    tab.goto(site.app)
    tab.locator(".card").first.wait_for(timeout=WAIT * 1000)
    tab.locator(".search-box input").fill(word)
    tab.locator(".search-box input").press("Enter")
    tab.locator(".snippet mark").first.wait_for(timeout=WAIT * 1000)
    expected = [e["node"]["title"] for e in found["edges"]]
    eventually(lambda: titles(tab)[:20] == expected, "search results in the API's order")
    first = tab.locator(".card .snippet").first.inner_html()
    as_parsed = tab.evaluate(
        "html => { const p = document.createElement('p'); p.innerHTML = html; return p.innerHTML }",
        found["edges"][0]["snippet"],
    )
    assert first == as_parsed, "the snippet as the API made it"
    marks = tab.locator(".snippet mark").all_inner_texts()
    assert marks and all(m.lower().startswith(word.lower()[:4]) for m in marks), marks
    assert tab.locator("aside .facet").count() > 0, "the search has the sidebar"
    shot(tab, "search")


def test_article_page_shows_body_related_coverage_and_more_like_this(
    site: Site, page: tuple[Page, Watcher]
) -> None:
    tab, _ = page
    data = site.query(
        """query($slug: String!) { article(slug: $slug) {
             filedProvider { name }
             related { title article { slug title } filedProvider { name } }
             similar(first: 6) { title } } }""",
        {"slug": SAMPLE_SLUG},
    )["article"]
    linked = [r["article"] for r in data["related"] if r["article"]]
    assert len(linked) == 1, data
    tab.goto(f"{site.app}/article/{SAMPLE_SLUG}")
    tab.locator(".related").wait_for(timeout=WAIT * 1000)
    assert tab.locator("h1").inner_text() == "Frontend fixture with a body"
    assert tab.locator(".body strong").inner_text() == "Markdown"
    assert tab.locator(".body a").get_attribute("rel") == "noopener nofollow"
    assert tab.locator(".page-head .provider").inner_text() == data["filedProvider"]["name"]
    items = tab.locator(".related-item .meta")
    assert [t.split()[0] for t in items.all_inner_texts()] == [
        r["filedProvider"]["name"] for r in data["related"]
    ], "related coverage names its provider as filed"
    internal = tab.locator(".related-item a[data-internal]")
    assert internal.get_attribute("href") == f"/article/{linked[0]['slug']}"
    assert titles(tab, ".similar") == [a["title"] for a in data["similar"]]
    assert data["similar"], "more like this has articles"
    shot(tab, "article")
    internal.click()
    eventually(lambda: tab.url.endswith(f"/article/{linked[0]['slug']}"), "the related link")
    eventually(
        lambda: tab.locator("main h1").inner_text() == linked[0]["title"],
        "the related article's page",
    )


def test_trending_lists_the_api_trending_order(site: Site, page: tuple[Page, Watcher]) -> None:
    tab, _ = page
    query = "{ articles(orderBy: {field: TRENDING}, first: 20) { nodes { title } } }"
    expected = [n["title"] for n in site.query(query)["articles"]["nodes"]]
    tab.goto(f"{site.app}/trending")
    tab.locator(".card").nth(19).wait_for(timeout=WAIT * 1000)
    assert titles(tab)[:20] == expected
    shot(tab, "trending")


def test_a_new_file_makes_the_new_articles_banner_appear(
    site: Site, page: tuple[Page, Watcher]
) -> None:
    """Last in this module: it changes the content."""
    tab, watcher = page
    tab.goto(site.app)
    tab.locator(".card").nth(19).wait_for(timeout=WAIT * 1000)
    eventually(
        lambda: any(f.startswith("sent") and '"subscribe"' in f for f in watcher.frames),
        "the home page subscribes to contentChanged over WebSocket",
    )
    time.sleep(0.5)  # the server starts following the change feed
    assert tab.locator(".banner").is_hidden()
    fields = item_fields(
        7, title=LIVE_TITLE, publishedDateTime=Raw("2026-07-01T08:00:00Z"), topics=["Security"]
    )
    (site.content / "_news" / "2026-07-01-live.md").write_text(front_matter(fields), "utf-8")
    banner = tab.locator(".banner")
    banner.wait_for(state="visible", timeout=30_000)
    assert banner.inner_text().startswith("1 new article"), banner.inner_text()
    shot(tab, "banner")
    banner.click()
    eventually(lambda: titles(tab)[:1] == [LIVE_TITLE], "the new article first after the banner")
    assert tab.locator(".banner").is_hidden()
    ids = tab.locator("main .card").evaluate_all("cards => cards.map(c => c.dataset.id)")
    assert len(ids) == len(set(ids)), "no card twice"
