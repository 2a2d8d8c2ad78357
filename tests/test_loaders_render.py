"""Safe HTML from bodies and embeds: what a hostile file cannot get into a page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from core.config import DEFAULT_EMBED_HOSTS, parse_embed_hosts
from core.errors import ConfigError
from loaders.render import body_html, embed_allowed, embed_html, hosts_digest

YOUTUBE = (
    '<iframe width="800" height="500" frameborder="0" '
    'src="https://www.youtube.com/embed/rigZ1FvrgSY" allow="accelerometer; autoplay; '
    'encrypted-media; gyroscope; picture-in-picture" allowfullscreen></iframe>'
)
HOSTS = frozenset(DEFAULT_EMBED_HOSTS)
BAD_TAGS = {"script", "style", "iframe", "object", "embed", "form", "input", "svg", "math"}


class Danger(HTMLParser):
    """What a browser would act on in a piece of HTML: tags, handlers, styles, URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BAD_TAGS:
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                self.found.append(name)
            if name in ("href", "src", "action", "cite") and value is not None:
                # as a browser reads a URL: control characters and spaces do not count, and
                # a "scheme" with other characters (java%09script:) makes a relative URL
                scheme = re.sub(r"[\x00-\x20]", "", value).split(":", 1)[0].lower()
                is_scheme = ":" in value and re.fullmatch(r"[a-z][a-z0-9+.-]*", scheme)
                if is_scheme and scheme not in ("http", "https", "mailto"):
                    self.found.append(f"{name}={value}")


def danger(html: str) -> list[str]:
    parser = Danger()
    parser.feed(html)
    parser.close()
    return parser.found


@pytest.mark.parametrize(
    "markdown",
    [
        "Hello <script>alert(1)</script> world",
        "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](java&#x09;script:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        '<img src="x" onerror="alert(1)">',
        "<img src=x onerror=alert(1)//",
        "![pixel](data:image/png;base64,iVBORw0KGgo=)",
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
        '<p style="position:fixed;top:0">cover</p>',
        "<style>body { display: none }</style>text",
        '<iframe src="https://www.youtube.com/embed/x"></iframe>',
        '<iframe src="https://evil.example/"></iframe>',
        '<svg onload="alert(1)"><circle/></svg>',
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        '<form action="https://evil.example"><input name=p></form>',
        '<object data="x.swf"></object><embed src="x.swf">',
        '<div onclick="alert(1)" onmouseover="alert(2)">hover</div>',
        '<a href="vbscript:msgbox(1)">x</a>',
        "<!-- <script>alert(1)</script> -->ok",
        '<a href="https://ok.example" target="_blank" onfocus="x()">fine</a>',
    ],
)
def test_hostile_markdown_comes_out_harmless(markdown: str) -> None:
    html = body_html(markdown)
    assert html is None or not danger(html), html


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("# Title\n\n## Sub", "<h1>Title</h1>\n<h2>Sub</h2>"),
        (
            "Some *emphasis* and **strong**.",
            "<p>Some <em>emphasis</em> and <strong>strong</strong>.</p>",
        ),
        (
            "[a link](https://example.com/x?a=1&b=2)",
            '<p><a href="https://example.com/x?a=1&amp;b=2" rel="noopener nofollow">a link</a></p>',
        ),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("1. first\n2. second", "<ol>\n<li>first</li>\n<li>second</li>\n</ol>"),
        ("Use `code` here", "<p>Use <code>code</code> here</p>"),
        ("```python\nx = 1 < 2\n```", "<pre><code>x = 1 &lt; 2\n</code></pre>"),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
        ("~~gone~~", "<p><s>gone</s></p>"),
        (
            "a | b\n--|--\n1 | 2",
            "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n"
            "<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>",
        ),
        (
            "![alt text](https://img.example.com/a.jpg)",
            '<p><img src="https://img.example.com/a.jpg" alt="alt text"></p>',
        ),
        (
            "[mail](mailto:news@example.com)",
            '<p><a href="mailto:news@example.com" rel="noopener nofollow">mail</a></p>',
        ),
        ("text <sub>2</sub>", "<p>text <sub>2</sub></p>"),
    ],
)
def test_commonmark_basics_render(markdown: str, expected: str) -> None:
    assert body_html(markdown) == expected


def test_links_get_noopener_nofollow_and_lose_other_rel_and_target() -> None:
    html = body_html('<a href="https://x.example" rel="opener" target="_top">x</a>')
    assert html == '<p><a href="https://x.example" rel="noopener nofollow">x</a></p>'


def test_the_script_goes_and_the_text_stays() -> None:
    assert body_html("Hello <script>alert(1)</script>world") == "<p>Hello world</p>"
    assert body_html("[click](javascript:alert(1))") == "<p>[click](javascript:alert(1))</p>"


@pytest.mark.parametrize("body", [None, "", "   \n\t\n", "<script>alert(1)</script>"])
def test_empty_missing_or_nothing_left_is_null(body: str | None) -> None:
    assert body_html(body) is None


def test_the_real_youtube_embed_is_kept_with_its_safe_attributes() -> None:
    html = embed_html(YOUTUBE, HOSTS)
    assert html == (
        '<iframe src="https://www.youtube.com/embed/rigZ1FvrgSY" width="800" height="500" '
        'allow="accelerometer; autoplay; encrypted-media; gyroscope; picture-in-picture" '
        'allowfullscreen="" frameborder="0"></iframe>'
    )


@pytest.mark.parametrize(
    "raw",
    [
        '<iframe src="https://evil.example/embed/x"></iframe>',
        '<iframe src="http://www.youtube.com/embed/x"></iframe>',  # not https
        '<iframe src="//www.youtube.com/embed/x"></iframe>',  # no scheme
        '<iframe src="https://www.youtube.com.evil.example/embed/x"></iframe>',
        '<iframe src="https://evilyoutube.com/embed/x"></iframe>',
        '<iframe src="https://user@evil.example@www.youtube.com/x"></iframe>',
        '<iframe src="https://www.youtube.com:8443/embed/x"></iframe>',
        '<iframe src="javascript:alert(1)"></iframe>',
        '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
        '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
        "<iframe></iframe>",
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "just some text",
    ],
)
def test_embeds_from_elsewhere_are_dropped(raw: str) -> None:
    assert embed_html(raw, HOSTS) is None


def test_unsafe_iframe_attributes_and_nested_html_are_dropped() -> None:
    raw = (
        '<div onclick="x()"><iframe src="https://player.vimeo.com/video/1?a=1&b=2" '
        'onload="alert(1)" style="position:fixed" srcdoc="<b>x</b>" sandbox="" name="t" '
        'width="640px" height="100%" loading="lazy" referrerpolicy="origin" '
        'title="A  &quot;film&quot;" allow="camera; microphone; autoplay; fullscreen *">'
        "<script>alert(1)</script><b>fallback</b></iframe><p>caption</p></div>"
    )
    assert embed_html(raw, HOSTS) == (
        '<iframe src="https://player.vimeo.com/video/1?a=1&amp;b=2" height="100%" '
        'title="A &quot;film&quot;" allow="autoplay; fullscreen" loading="lazy" '
        'referrerpolicy="origin"></iframe>'
    )


def test_only_the_allowed_iframes_of_several_stay() -> None:
    raw = (
        '<iframe src="https://evil.example/a"></iframe>'
        '<iframe src="https://www.youtube-nocookie.com/embed/b"></iframe>'
    )
    assert embed_html(raw, HOSTS) == (
        '<iframe src="https://www.youtube-nocookie.com/embed/b"></iframe>'
    )


def test_the_allow_list_decides() -> None:
    assert embed_html(YOUTUBE, frozenset({"player.vimeo.com"})) is None
    assert embed_html(YOUTUBE, frozenset()) is None
    assert embed_allowed("https://www.youtube.com/embed/x", frozenset({"youtube.com"}))
    assert embed_allowed("https://YOUTUBE.com/embed/x", frozenset({"youtube.com"}))
    assert not embed_allowed("https://www.youtube.com/x", frozenset({"m.youtube.com"}))
    assert not embed_allowed("https://[::1/x", frozenset({"youtube.com"}))


def test_the_digest_follows_the_list_not_its_order() -> None:
    assert hosts_digest(["a.com", "b.com"]) == hosts_digest(["B.com", "a.com"])
    assert hosts_digest(["a.com"]) != hosts_digest(["a.com", "b.com"])


def test_embed_hosts_come_from_flags_then_the_environment_then_the_defaults() -> None:
    assert parse_embed_hosts(None, {}) == DEFAULT_EMBED_HOSTS
    env = {"NEWSGRAPH_EMBED_HOSTS": "player.vimeo.com, Example.COM"}
    assert parse_embed_hosts(None, env) == ("player.vimeo.com", "example.com")
    assert parse_embed_hosts(["a.example.com", "b.example.com"], env) == (
        "a.example.com",
        "b.example.com",
    )
    assert parse_embed_hosts(["none"], env) == ()


@pytest.mark.parametrize(
    "bad", ["https://youtube.com", "youtube.com/embed", "localhost", "a b.com"]
)
def test_a_bad_embed_host_says_what_to_write(bad: str) -> None:
    with pytest.raises(ConfigError, match=r"write one like player\.vimeo\.com"):
        parse_embed_hosts([bad], {})
