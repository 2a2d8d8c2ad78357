"""Turn parsed front matter into typed records, refusing values of the wrong type.

Real files are messy: fields go missing, numbers arrive as strings, a
timestamp may be a date or carry an offset. We accept what has one obvious
meaning (``"12"`` for a number, a date for a timestamp, one topic instead of a
list) and refuse what does not (``quality: "high"``, ``images: 3``) with the
key, its line and what to write instead. Unknown keys are kept as JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time
from pathlib import PurePosixPath
from typing import Any, TypeVar
from urllib.parse import urlsplit

from core.errors import ContentError
from core.records import Article, Image, Provider, RelatedItem, TopicInfo
from loaders.frontmatter import Parsed

T = TypeVar("T")

ARTICLE_KEYS = frozenset(
    (
        "category", "title", "excerpt", "publishedDateTime", "originalUrl", "webUrl",
        "ampWebUrl", "cdnAmpWebUrl", "type", "quality", "heat", "published",
        "featuredContent", "provider", "topics", "images", "related", "secured",
    )
)  # fmt: skip
RELATED_KEYS = frozenset(
    (
        "title", "excerpt", "publishedDateTime", "webUrl", "ampWebUrl", "cdnAmpWebUrl",
        "type", "provider", "quality", "images",
    )
)  # fmt: skip
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


class _Bad(Exception):
    """A wrong value deep inside a field; becomes a ContentError with its key's line."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")


def slug_for(path: str) -> str:
    """The slug of an item: its file name without the extension, lower-cased."""
    stem = PurePosixPath(path).stem.lower()
    return re.sub(r"[^a-z0-9._-]+", "-", stem).strip("-") or "item"


def article(path: str, parsed: Parsed) -> Article:
    """Build the :class:`Article` of one file, or raise :class:`ContentError`."""
    data = parsed.data

    def field(key: str, convert: Callable[[Any, str], T]) -> T | None:
        value = data.get(key)
        if value is None:
            return None
        try:
            return convert(value, key)
        except _Bad as exc:
            raise ContentError(path, str(exc), parsed.line_of(key)) from None

    body = parsed.body if parsed.body.strip() else None
    try:
        unknown = extra(data, ARTICLE_KEYS)
    except _Bad as exc:
        raise ContentError(path, str(exc), parsed.yaml_line) from None
    return Article(
        path=path,
        slug=slug_for(path),
        category=field("category", text),
        title=field("title", text),
        excerpt=field("excerpt", text),
        body=body,
        published_at=field("publishedDateTime", timestamp),
        original_url=field("originalUrl", text),
        web_url=field("webUrl", text),
        amp_web_url=field("ampWebUrl", text),
        cdn_amp_web_url=field("cdnAmpWebUrl", text),
        type=field("type", text),
        quality=field("quality", integer),
        heat=field("heat", integer),
        published=field("published", boolean),
        featured_content=field("featuredContent", text),
        secured=field("secured", text),
        provider=field("provider", _provider_or(data.get("originalUrl") or data.get("webUrl"))),
        topics=field("topics", topics) or (),
        images=field("images", images) or (),
        related=field("related", related) or (),
        extra=unknown,
    )


def text(value: Any, where: str) -> str:
    """A string field; numbers and dates are written out, lists and maps refused."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise _Bad(where, f"expected text, got {str(value).lower()}; put it in quotes")
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise _Bad(where, f"expected text, got a {_kind(value)}")


def integer(value: Any, where: str) -> int:
    """A whole number; numeric strings are accepted, anything else refused."""
    if isinstance(value, bool):
        raise _Bad(where, f"expected a whole number, got {str(value).lower()}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d+\s*", value):
        return int(value)
    raise _Bad(where, f"expected a whole number, got {_show(value)}")


def boolean(value: Any, where: str) -> bool:
    """true/false; also yes/no, on/off, 1/0 as text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _Bad(where, f"expected true or false, got {_show(value)}")


def timestamp(value: Any, where: str) -> str:
    """A point in time as UTC ISO-8601 (``2021-02-04T12:52:00Z``); naive means UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise _Bad(
                where, f"expected a date-time like 2021-02-04T12:52:00Z, got {_show(value)}"
            ) from None
    else:
        raise _Bad(where, f"expected a date-time like 2021-02-04T12:52:00Z, got {_show(value)}")
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if moment.microsecond else "%Y-%m-%dT%H:%M:%SZ"
    return moment.strftime(fmt)


def topics(value: Any, where: str) -> tuple[str, ...]:
    """A list of topic names (one name alone is a list of one); blanks dropped."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise _Bad(where, f"expected a list of topic names, got {_show(value)}")
    names: dict[str, None] = {}
    for i, item in enumerate(items):
        if item is None:
            continue
        name = " ".join(text(item, f"{where}[{i}]").split())
        if name and name.casefold() not in {n.casefold() for n in names}:
            names[name] = None
    return tuple(names)


def images(value: Any, where: str) -> tuple[Image, ...]:
    """A list of images, each a mapping with at least a ``url``."""
    return tuple(image(item, f"{where}[{i}]") for i, item in enumerate(_listof(value, where)))


def image(value: Any, where: str) -> Image:
    """One image mapping: url, width, height, isCached, title, attribution."""
    if isinstance(value, str):
        return Image(url=value)
    if not isinstance(value, Mapping):
        raise _Bad(where, f"expected an image with a url, got {_show(value)}")
    url = value.get("url")
    if url is None:
        raise _Bad(where, "image has no url")

    def opt(key: str, convert: Callable[[Any, str], T]) -> T | None:
        raw = value.get(key)
        return None if raw is None else convert(raw, f"{where}.{key}")

    return Image(
        url=text(url, f"{where}.url"),
        width=opt("width", integer),
        height=opt("height", integer),
        is_cached=opt("isCached", boolean),
        title=opt("title", text),
        attribution=opt("attribution", text),
    )


def _provider_or(url: Any) -> Callable[[Any, str], Provider | None]:
    def convert(value: Any, where: str) -> Provider | None:
        return provider(value, where, url if isinstance(url, str) else None)

    return convert


def provider(value: Any, where: str, fallback_url: str | None = None) -> Provider | None:
    """A provider mapping; its domain falls back to the host of the item's URL."""
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, Mapping):
        raise _Bad(where, f"expected a provider with a name and domain, got {_show(value)}")
    domain_raw = value.get("domain")
    domain = text(domain_raw, f"{where}.domain") if domain_raw is not None else None
    domain = (domain or _host(fallback_url) or "").strip().lower()
    name_raw = value.get("name")
    name = text(name_raw, f"{where}.name") if name_raw is not None else None
    if not domain:
        if not name:
            return None
        raise _Bad(where, "provider has no domain and the item has no URL to take one from")
    return Provider(
        domain=domain, name=name, images=images(value.get("images") or [], f"{where}.images")
    )


def related(value: Any, where: str) -> tuple[RelatedItem, ...]:
    """The list of related stories under an item."""
    out = []
    for i, item in enumerate(_listof(value, where)):
        at = f"{where}[{i}]"
        if not isinstance(item, Mapping):
            raise _Bad(at, f"expected a related item (a mapping), got {_show(item)}")

        prov = item.get("provider")
        out.append(
            RelatedItem(
                title=_opt(item, "title", text, at),
                excerpt=_opt(item, "excerpt", text, at),
                published_at=_opt(item, "publishedDateTime", timestamp, at),
                web_url=_opt(item, "webUrl", text, at),
                amp_web_url=_opt(item, "ampWebUrl", text, at),
                cdn_amp_web_url=_opt(item, "cdnAmpWebUrl", text, at),
                type=_opt(item, "type", text, at),
                quality=_opt(item, "quality", integer, at),
                provider=None
                if prov is None
                else provider(prov, f"{at}.provider", item.get("webUrl")),
                images=images(item.get("images") or [], f"{at}.images"),
                extra=extra(item, RELATED_KEYS),
            )
        )
    return tuple(out)


def topic_info(path: str, data: Any) -> TopicInfo:
    """A topic of the taxonomy (``_data/topics/*.yaml``)."""
    if not isinstance(data, Mapping) or not data.get("name"):
        raise ContentError(path, "a topic file needs a mapping with a 'name'", 1)
    try:
        return TopicInfo(
            name=" ".join(text(data["name"], "name").split()),
            slug=text(data["_id"], "_id") if data.get("_id") else None,
            parent=text(data["parent"], "parent") if data.get("parent") else None,
            keywords=tuple(
                text(k, "keywords") for k in _listof(data.get("keywords") or [], "keywords")
            ),
            hashtags=tuple(
                text(h, "hashtags") for h in _listof(data.get("hashtags") or [], "hashtags")
            ),
            extra=extra(data, frozenset({"name", "_id", "parent", "keywords", "hashtags"})),
        )
    except _Bad as exc:
        raise ContentError(path, str(exc)) from None


def organization(path: str, data: Any) -> Provider:
    """A provider record (``_data/organizations/*.md``): name, domain, logos."""
    if not isinstance(data, Mapping):
        raise ContentError(path, "an organization file needs a mapping with a 'domain'", 1)
    fallback = data.get("_id") if isinstance(data.get("_id"), str) else None
    try:
        found = provider(dict(data, domain=data.get("domain") or fallback), "organization")
    except _Bad as exc:
        raise ContentError(path, str(exc)) from None
    if found is None:
        raise ContentError(path, "an organization file needs a 'domain'", 1)
    return found


def extra(data: Mapping[str, Any], known: frozenset[str]) -> str | None:
    """Unknown keys as JSON text (dates as ISO strings), or None when there are none."""
    rest = {str(k): v for k, v in data.items() if k not in known}
    if not rest:
        return None
    try:
        return json.dumps(rest, default=_jsonable, ensure_ascii=False, sort_keys=True)
    except (ValueError, RecursionError) as exc:
        raise _Bad("front matter", f"extra keys cannot be kept: {exc}") from None


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return value.decode("utf-8", "replace")
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def _opt(m: Mapping[str, Any], key: str, convert: Callable[[Any, str], T], at: str) -> T | None:
    raw = m.get(key)
    return None if raw is None else convert(raw, f"{at}.{key}")


def _texts(value: Any, where: str) -> tuple[str, ...]:
    return tuple(text(v, where) for v in _listof(value or [], where))


def _listof(value: Any, where: str) -> list[Any]:
    if isinstance(value, Mapping):
        return [value]
    if not isinstance(value, list):
        raise _Bad(where, f"expected a list, got {_show(value)}")
    return value


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host.removeprefix("www.")


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "mapping"
    if isinstance(value, list):
        return "list"
    return type(value).__name__


def _show(value: Any) -> str:
    if isinstance(value, Mapping | list):
        return f"a {_kind(value)}"
    shown = repr(value) if isinstance(value, str) else str(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."
