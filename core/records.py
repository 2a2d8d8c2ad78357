"""Typed records that leave the loaders: what a content file *means*.

Resolvers and the database layer never see raw YAML; they see these. Every
field is optional where real files may omit it (``None`` = missing), and
``extra`` keeps unknown front-matter keys as JSON text so nothing is lost.

The records that cross from parser processes to the writer are named tuples:
they are immutable like frozen dataclasses, but pickle and unpickle about four
times faster, and the loader moves one of each per file between processes.
"""

from __future__ import annotations

import copyreg
from dataclasses import dataclass, field
from typing import Any, NamedTuple

_new_tuple = tuple.__new__


def compact_reduce(self: tuple[Any, ...]) -> tuple[Any, ...]:
    """How the named tuples that cross processes pickle: ``tuple.__new__(cls, values)``.

    A named tuple pickles by default as a call of its Python ``__new__``: one
    Python frame per record when unpickled, about 25 us per article in the
    loading process (and 36 us to pickle in a parser). ``tuple.__new__`` is a C
    call: 18 us and 24 us.
    """
    return (_new_tuple, (type(self), tuple(self)))


class Image(NamedTuple):
    """One picture: an article's, a related item's or a provider's logo."""

    url: str
    width: int | None = None
    height: int | None = None
    is_cached: bool | None = None
    title: str | None = None
    attribution: str | None = None


class Provider(NamedTuple):
    """The publisher of an item; one database row per ``domain``."""

    domain: str
    name: str | None = None
    images: tuple[Image, ...] = ()


class RelatedItem(NamedTuple):
    """Another story listed under an article ("related coverage")."""

    title: str | None = None
    excerpt: str | None = None
    published_at: str | None = None
    web_url: str | None = None
    amp_web_url: str | None = None
    cdn_amp_web_url: str | None = None
    type: str | None = None
    quality: int | None = None
    provider: Provider | None = None
    images: tuple[Image, ...] = ()
    extra: str | None = None
    url_key: str | None = None
    """The matching key of its address (:mod:`core.urls`), to find its article."""


class Article(NamedTuple):
    """One news item, normalised: UTC ISO-8601 timestamps, ``None`` for missing."""

    path: str
    slug: str
    category: str | None = None
    title: str | None = None
    excerpt: str | None = None
    body: str | None = None
    published_at: str | None = None
    original_url: str | None = None
    web_url: str | None = None
    amp_web_url: str | None = None
    cdn_amp_web_url: str | None = None
    type: str | None = None
    quality: int | None = None
    heat: int | None = None
    published: bool | None = None
    featured_content: str | None = None
    secured: str | None = None
    provider: Provider | None = None
    topics: tuple[str, ...] = ()
    images: tuple[Image, ...] = ()
    related: tuple[RelatedItem, ...] = ()
    extra: str | None = None
    body_html: str | None = None
    """The body as sanitised HTML (rendered by the parser, :mod:`loaders.render`)."""
    featured_content_html: str | None = None
    """The allowed embeds of ``featured_content``, rebuilt as safe HTML."""
    url_keys: tuple[str, ...] = ()
    """The matching keys of its addresses (:mod:`core.urls`): one story per page."""
    title_bands: tuple[int, ...] = ()
    """The MinHash band keys of its title (:mod:`core.titles`), to find near-duplicates."""


@dataclass(frozen=True, slots=True)
class TopicInfo:
    """A topic from the site's taxonomy (``_data/topics/*.yaml``)."""

    name: str
    slug: str | None = None
    parent: str | None = None
    keywords: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    extra: str | None = None


class FileState(NamedTuple):
    """What we know of a file on disk, to skip unchanged files cheaply."""

    path: str
    size: int
    mtime_ns: int
    sha256: str = ""


for _record in (Image, Provider, RelatedItem, Article, FileState):
    copyreg.pickle(_record, compact_reduce)


@dataclass(slots=True)
class Problem:
    """A refused file: where, and a plain reason a person can act on."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


@dataclass(slots=True)
class LoadReport:
    """The outcome of one load: counts, problems and the new content version."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: int = 0
    problems: list[Problem] = field(default_factory=list)
    content_version: int = 0
    content_digest: str = ""
    """What the database holds, by content rather than by history (:mod:`db.digest`)."""
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        """Whether this load changed any article."""
        return bool(self.added or self.updated or self.removed)

    @property
    def loaded(self) -> int:
        """Articles now present from this content folder."""
        return self.added + self.updated + self.unchanged
