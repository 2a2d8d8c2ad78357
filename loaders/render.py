"""Bodies and embeds as HTML a page can show as it is: rendered once, when a file is parsed.

A body is Markdown (CommonMark, with GitHub's tables and strikethrough) rendered
by markdown-it-py and sanitised by nh3 (the ammonia sanitiser): raw HTML in the
Markdown is allowed through the renderer and then cut down to an allow-list of
tags, attributes and URL schemes, so no script, event handler, ``style``,
``iframe``, ``javascript:`` or ``data:`` URL gets through, and every link gets
``rel="noopener nofollow"``.

``featuredContent`` is raw embed HTML (a video player's ``<iframe>``). Its safe
form holds only iframes whose ``src`` is ``https`` on a host of the embed
allow-list (:data:`core.config.DEFAULT_EMBED_HOSTS`, or the operator's), each
rebuilt from the few attributes a player needs, with the ``allow`` feature list
cut to features a player uses; everything else in it is dropped. The rebuilt
markup goes through nh3 once more, so a mistake here still cannot let a script
through.

Rendering happens in the parser processes (:mod:`loaders.parse`), so a request
only reads two columns.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt

from core.records import Article

URL_SCHEMES = frozenset({"http", "https", "mailto"})
"""What a link or picture in a body may point at (relative URLs stay)."""
LINK_REL = "noopener nofollow"
BODY_TAGS = frozenset(nh3.ALLOWED_TAGS)
"""ammonia's default tags: text markup, lists, tables, pictures; no iframe, form or style."""
IFRAME_ATTRIBUTES = (
    "src", "width", "height", "title", "allow", "allowfullscreen", "frameborder", "loading",
    "referrerpolicy",
)  # fmt: skip
PLAYER_FEATURES = frozenset(
    {
        "accelerometer", "autoplay", "clipboard-write", "encrypted-media", "fullscreen",
        "gyroscope", "picture-in-picture", "web-share",
    }
)  # fmt: skip
"""Features an embedded player may be allowed (``allow``); camera, microphone,
geolocation, payment and the like are dropped."""
_VALUES = {
    "width": re.compile(r"\d{1,5}%?"),
    "height": re.compile(r"\d{1,5}%?"),
    "frameborder": re.compile(r"[01]"),
    "loading": re.compile(r"lazy|eager"),
    "referrerpolicy": re.compile(
        r"no-referrer|no-referrer-when-downgrade|origin|origin-when-cross-origin|same-origin"
        r"|strict-origin|strict-origin-when-cross-origin|unsafe-url"
    ),
}

_markdown = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
# a Cleaner compiles its rules once: 17 us a body instead of 56 us with nh3.clean
_body_cleaner = nh3.Cleaner(tags=set(BODY_TAGS), url_schemes=set(URL_SCHEMES), link_rel=LINK_REL)


def rendered(art: Article, embed_hosts: Iterable[str]) -> Article:
    """The article with its body and featured content rendered as safe HTML."""
    body = body_html(art.body)
    embed = embed_html(art.featured_content, embed_hosts)
    if body is None and embed is None:
        return art
    return art._replace(body_html=body, featured_content_html=embed)


def body_html(markdown: str | None) -> str | None:
    """A Markdown body as sanitised HTML; None when nothing is left to show."""
    if not markdown or not markdown.strip():
        return None
    html = _body_cleaner.clean(_markdown.render(markdown)).strip()
    return html or None


def embed_html(raw: str | None, hosts: Iterable[str]) -> str | None:
    """The allowed iframes of an embed, rebuilt from safe attributes; None when none."""
    if not raw:
        return None
    allowed = frozenset(h.lower() for h in hosts)
    finder = _Iframes()
    finder.feed(raw)
    finder.close()
    frames = [_iframe(attrs) for attrs in finder.found if embed_allowed(attrs.get("src"), allowed)]
    if not frames:
        return None
    html = _embed_cleaner(allowed).clean("".join(frames)).strip()
    return html or None


def embed_allowed(src: str | None, hosts: frozenset[str]) -> bool:
    """Whether an iframe ``src`` is https on an allowed host (or a subdomain of one)."""
    if not src:
        return False
    try:
        parts = urlsplit(src.strip())
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return False
    if parts.scheme.lower() != "https" or parts.username or parts.password or not host:
        return False
    if port not in (None, 443):
        return False
    return any(host == h or host.endswith("." + h) for h in hosts)


def hosts_digest(hosts: Iterable[str]) -> str:
    """A short fingerprint of an allow-list: stored with what was rendered under it."""
    joined = "\n".join(sorted({h.lower() for h in hosts}))
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


class _Iframes(HTMLParser):
    """Collects the attributes of every ``<iframe>`` start tag (the rest is dropped)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "iframe":
            self.found.append({name.lower(): value for name, value in attrs})

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def _iframe(attrs: dict[str, str | None]) -> str:
    """One iframe written from its safe attributes only (values checked and escaped)."""
    parts = ["<iframe"]
    for name in IFRAME_ATTRIBUTES:
        if name not in attrs:
            continue
        value = _attribute(name, attrs[name])
        if value is None:
            continue
        parts.append(f' {name}="{escape(value, quote=True)}"' if value else f" {name}")
    return "".join(parts) + "></iframe>"


def _attribute(name: str, value: str | None) -> str | None:
    """A safe value for an iframe attribute ("" for a bare flag), or None to drop it."""
    if name == "allowfullscreen":
        return ""
    if value is None:
        return None
    value = value.strip()
    if name == "src":
        return value
    if name == "title":
        return " ".join(value.split())[:200]
    if name == "allow":
        names = [f.split()[0].lower() for f in value.split(";") if f.strip()]
        kept = list(dict.fromkeys(n for n in names if n in PLAYER_FEATURES))
        return "; ".join(kept) if kept else None
    pattern = _VALUES.get(name)
    return value.lower() if pattern is not None and pattern.fullmatch(value.lower()) else None


@lru_cache(maxsize=8)
def _embed_cleaner(hosts: frozenset[str]) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags={"iframe"},
        attributes={"iframe": set(IFRAME_ATTRIBUTES)},
        url_schemes={"https"},
        link_rel=None,
        attribute_filter=_guard(hosts),
    )


def _guard(hosts: frozenset[str]) -> Callable[[str, str, str], str | None]:
    """nh3's last word on an iframe's ``src`` (the same test as the rebuild's)."""

    def check(tag: str, attribute: str, value: str) -> str | None:
        if tag == "iframe" and attribute == "src" and not embed_allowed(value, hosts):
            return None
        return value

    return check
