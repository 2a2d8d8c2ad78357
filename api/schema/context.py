"""Per-request context: the database session, DataLoaders, limits and who is asking."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol, TypeVar

from strawberry.dataloader import DataLoader

from core.clock import Now
from core.config import Limits
from db.changes import Change
from db.filed import FiledProviderRow
from db.reader import ReadPool, Session
from db.rows import ArticleRow, ImageRow, ProviderRow, RelatedRow, TopicRow

K = TypeVar("K")
V = TypeVar("V")


class ChangeSource(Protocol):
    """Where a subscription reads content changes from (the transport's change feed)."""

    def changes(self) -> AsyncIterator[Change]:
        """Changes as they come, for one subscriber."""
        ...


@dataclass(slots=True)
class Context:
    """What resolvers see as ``info.context``; one per request."""

    limits: Limits
    authorized: bool = False
    session: Session | None = None
    loaders: Loaders | None = None
    live: bool = False
    pool: ReadPool | None = None
    feed: ChangeSource | None = None
    now: Now = field(default_factory=Now)
    """The request's instant (read from the clock once, if anything asks)."""

    @property
    def db(self) -> Session:
        """The request's read session (opened by the schema extension)."""
        assert self.session is not None, "the database session opens with the operation"
        return self.session

    def batch(self) -> Loaders:
        """The request's DataLoaders, created on first use."""
        if self.loaders is None:
            self.loaders = Loaders(self)
        return self.loaders


def _loader(
    fetch: Callable[[list[K]], Mapping[K, V]], missing: Callable[[], V] | None = None
) -> DataLoader[K, V]:
    async def load(keys: list[K]) -> list[V]:
        found = fetch(keys)
        if missing is None:
            return [found.get(k) for k in keys]  # type: ignore[misc]
        return [found.get(k) or missing() for k in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """One DataLoader per nested lookup, so a page costs one query per table."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def _db(self) -> Session:
        return self._ctx.db

    @cached_property
    def articles(self) -> DataLoader[int, ArticleRow | None]:
        return _loader(lambda ids: self._db().articles_by_id(ids))

    @cached_property
    def providers(self) -> DataLoader[int, ProviderRow | None]:
        return _loader(lambda ids: self._db().providers_by_id(ids))

    @cached_property
    def article_images(self) -> DataLoader[int, list[ImageRow]]:
        return _loader(lambda ids: self._db().article_images(ids), list)

    @cached_property
    def article_topics(self) -> DataLoader[int, list[TopicRow]]:
        return _loader(lambda ids: self._db().article_topics(ids), list)

    @cached_property
    def similar(self) -> DataLoader[int, list[int]]:
        return _loader(lambda ids: self._db().similar_ids(ids), list)

    @cached_property
    def duplicates(self) -> DataLoader[int, list[int]]:
        return _loader(lambda ids: self._db().duplicate_ids(ids), list)

    @cached_property
    def related(self) -> DataLoader[int, list[RelatedRow]]:
        return _loader(lambda ids: self._db().related(ids), list)

    @cached_property
    def related_images(self) -> DataLoader[int, list[ImageRow]]:
        return _loader(lambda ids: self._db().related_images(ids), list)

    @cached_property
    def provider_images(self) -> DataLoader[int, list[ImageRow]]:
        return _loader(lambda ids: self._db().provider_images(ids), list)

    @cached_property
    def filed_providers(self) -> DataLoader[int, FiledProviderRow | None]:
        return _loader(lambda ids: self._db().filed_providers(ids))

    @cached_property
    def topics_by_name(self) -> DataLoader[str, TopicRow | None]:
        return _loader(lambda names: self._db().topics_by_name(names))

    @cached_property
    def topics_by_parent(self) -> DataLoader[str, list[TopicRow]]:
        return _loader(lambda names: self._db().topics_by_parent(names), list)
