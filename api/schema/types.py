"""GraphQL object types that mirror the content: articles and what hangs off them.

Scalar fields are copied from the database row when the object is built
(cheap attributes, no per-field resolver); nested lists and objects resolve
through the request's DataLoaders, so a page of articles costs one query per
table, whatever its size.
"""

from __future__ import annotations

import json
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from api.schema.arguments import NestedFirst
from api.schema.connections import ContextInfo
from api.schema.feeds import article_list
from api.schema.filed import FiledProvider
from api.schema.filed import resolver as filed_resolver
from api.schema.images import Image, image_list, pick_lead_image
from api.schema.links import URL_DESCRIPTION, Prefer, pick_url, preference
from api.schema.pagination import check_first
from api.schema.scalars import DateTime, as_datetime
from core.errors import Forbidden
from core.ids import encode_id
from db.rows import ArticleRow, ProviderRow, RelatedRow, TopicRow


@strawberry.interface(description="An object with a global id (Relay `Node`); see `node(id)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="A global, opaque, stable id.")


@strawberry.type(description="A publisher of news items; one per web domain.")
class Provider(Node):
    domain: str = strawberry.field(description="The provider's web domain, e.g. `cnn.com`.")
    name: str | None = strawberry.field(description="The provider's display name.")
    article_count: int = strawberry.field(description="How many articles it has in the corpus.")
    row_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: ProviderRow) -> Provider:
        return cls(
            id=strawberry.ID(encode_id("Provider", row.domain)),
            domain=row.domain,
            name=row.name,
            article_count=row.article_count,
            row_id=row.id,
        )

    @strawberry.field(description="Logos of the provider, in their given order.")
    async def images(
        self,
        info: ContextInfo,
        first: NestedFirst = None,
    ) -> list[Image]:
        rows = await info.context.batch().provider_images.load(self.row_id)
        return image_list(rows, first, info)

    articles = article_list(
        "This provider's articles: filtered, sorted, paginated.",
        lambda provider: {"provider": provider.domain},
        lambda row: Article.from_row(row),
    )


@strawberry.type(description="A subject that articles are tagged with.")
class Topic(Node):
    name: str = strawberry.field(description="The topic's name, as written in the items.")
    slug: str = strawberry.field(description="A URL-safe name for the topic.")
    keywords: list[str] = strawberry.field(description="Words the site associates with it.")
    hashtags: list[str] = strawberry.field(description="Hashtags the site associates with it.")
    article_count: int = strawberry.field(description="How many articles have this topic.")
    parent_name: strawberry.Private[str | None]

    @classmethod
    def from_row(cls, row: TopicRow) -> Topic:
        return cls(
            id=strawberry.ID(encode_id("Topic", row.slug)),
            name=row.name,
            slug=row.slug,
            keywords=json.loads(row.keywords) if row.keywords else [],
            hashtags=json.loads(row.hashtags) if row.hashtags else [],
            article_count=row.article_count,
            parent_name=row.parent,
        )

    @strawberry.field(description="The broader topic in the site's taxonomy, if any.")
    async def parent(self, info: ContextInfo) -> Topic | None:
        if not self.parent_name:
            return None
        row = await info.context.batch().topics_by_name.load(self.parent_name.casefold())
        return None if row is None else Topic.from_row(row)

    @strawberry.field(
        description=(
            "The narrower topics whose parent this one is in the site's taxonomy "
            "(`_data/topics/*.yaml`), by name; empty when none."
        )
    )
    async def children(self, info: ContextInfo) -> list[Topic]:
        rows = await info.context.batch().topics_by_parent.load(self.name.casefold())
        return [Topic.from_row(r) for r in rows]

    articles = article_list(
        "Articles with this topic: filtered, sorted, paginated.",
        lambda topic: {"topic": topic.slug},
        lambda row: Article.from_row(row),
    )


async def _provider(info: ContextInfo, provider_id: int | None) -> Provider | None:
    if provider_id is None:
        return None
    row = await info.context.batch().providers.load(provider_id)
    return None if row is None else Provider.from_row(row)


@strawberry.type(description="Another story listed under an article (related coverage).")
class RelatedItem:
    title: str | None = strawberry.field(description="The story's title.")
    excerpt: str | None = strawberry.field(description="A short summary.")
    published_at: DateTime | None = strawberry.field(description="When it was published (UTC).")
    web_url: str | None = strawberry.field(description="The story's web address.")
    amp_web_url: str | None = strawberry.field(description="Its AMP page, if any.")
    cdn_amp_web_url: str | None = strawberry.field(description="Its AMP page on an AMP cache.")
    type: str | None = strawberry.field(description="The kind of item (article, video, ...).")
    quality: int | None = strawberry.field(description="Its quality score.")
    extra: JSON | None = strawberry.field(description="Unknown keys of the item, kept as JSON.")
    row: strawberry.Private[RelatedRow]

    @classmethod
    def from_row(cls, row: RelatedRow) -> RelatedItem:
        return cls(
            title=row.title,
            excerpt=row.excerpt,
            published_at=as_datetime(row.published_at),
            web_url=row.web_url,
            amp_web_url=row.amp_web_url,
            cdn_amp_web_url=row.cdn_amp_web_url,
            type=row.type,
            quality=row.quality,
            extra=json.loads(row.extra) if row.extra else None,
            row=row,
        )

    @strawberry.field(description=URL_DESCRIPTION)
    def url(self, prefer: Prefer = None) -> str | None:
        return pick_url(self.row, preference(prefer))

    filed_provider: FiledProvider | None = filed_resolver()

    @strawberry.field(description="Who published it.")
    async def provider(self, info: ContextInfo) -> Provider | None:
        return await _provider(info, self.row.provider_id)

    @strawberry.field(description="Its pictures, in their given order.")
    async def images(
        self,
        info: ContextInfo,
        first: NestedFirst = None,
    ) -> list[Image]:
        rows = await info.context.batch().related_images.load(self.row.id)
        return image_list(rows, first, info)

    @strawberry.field(description="The article in this corpus it points at, when there is one.")
    async def article(self, info: ContextInfo) -> Article | None:
        if self.row.target_id is None:
            return None
        row = await info.context.batch().articles.load(self.row.target_id)
        return None if row is None else Article.from_row(row)


@strawberry.type(description="A news item, from one Markdown file with YAML front matter.")
class Article(Node):
    slug: str = strawberry.field(description="The file name without extension; unique.")
    path: str = strawberry.field(description="The file's path relative to the content folder.")
    category: str | None = strawberry.field(description="The item's category (e.g. news).")
    title: str | None = strawberry.field(description="The headline.")
    excerpt: str | None = strawberry.field(description="A short summary.")
    body: str | None = strawberry.field(description="The Markdown body after the front matter.")
    published_at: DateTime | None = strawberry.field(description="When it was published (UTC).")
    original_url: str | None = strawberry.field(description="The source's own address.")
    web_url: str | None = strawberry.field(description="The item's web address.")
    amp_web_url: str | None = strawberry.field(description="Its AMP page, if any.")
    cdn_amp_web_url: str | None = strawberry.field(description="Its AMP page on an AMP cache.")
    type: str | None = strawberry.field(description="The kind of item (article, video, ...).")
    quality: int | None = strawberry.field(description="Its quality score.")
    heat: int | None = strawberry.field(description="Its heat (trending) score.")
    published: bool | None = strawberry.field(description="The item's `published` flag.")
    featured_content: str | None = strawberry.field(
        description="Embedded HTML to feature (e.g. a video player), as given."
    )
    body_html: str | None = strawberry.field(
        description=(
            "The body as HTML that is safe to put in a page: the Markdown (CommonMark, "
            "with tables and strikethrough) rendered and sanitised when the file was loaded. "
            "No script, event handler, style, iframe, `javascript:` or `data:` URL is left; "
            'links carry `rel="noopener nofollow"`. Null when there is no body.'
        )
    )
    featured_content_html: str | None = strawberry.field(
        description=(
            "`featuredContent` made safe to put in a page: only its iframes whose `src` is "
            "https on the server's embed-host allow-list (video players by default), each "
            "with only the attributes a player needs. Null when none is left."
        )
    )
    extra: JSON | None = strawberry.field(
        description="Front-matter keys newsgraph does not know, kept as a JSON object."
    )
    story_id: strawberry.ID = strawberry.field(
        description=(
            "Its story: articles that share one are the same page under other addresses "
            "(tracking parameters, AMP forms) or near-duplicate titles published within 3 "
            "days of each other. Opaque; the same content gives the same ids."
        )
    )
    row: strawberry.Private[ArticleRow]

    @classmethod
    def from_row(cls, row: ArticleRow) -> Article:
        return cls(
            id=strawberry.ID(encode_id("Article", row.id)),
            slug=row.slug,
            path=row.path,
            category=row.category,
            title=row.title,
            excerpt=row.excerpt,
            body=row.body,
            published_at=as_datetime(row.published_at),
            original_url=row.original_url,
            web_url=row.web_url,
            amp_web_url=row.amp_web_url,
            cdn_amp_web_url=row.cdn_amp_web_url,
            type=row.type,
            quality=row.quality,
            heat=row.heat,
            published=None if row.published is None else bool(row.published),
            featured_content=row.featured_content,
            body_html=row.body_html,
            featured_content_html=row.featured_content_html,
            extra=json.loads(row.extra) if row.extra else None,
            story_id=strawberry.ID(encode_id("Story", row.story_id)),
            row=row,
        )

    @strawberry.field(
        description=(
            "An opaque value only for the operator: returned with the access token "
            "(`Authorization: Bearer ...`), otherwise null with a FORBIDDEN error."
        )
    )
    def secured(self, info: ContextInfo) -> str | None:
        if not info.context.authorized:
            raise Forbidden(
                "`secured` is returned only to requests with the operator's access token "
                "(header `Authorization: Bearer <token>`); leave the field out otherwise"
            )
        return self.row.secured

    @strawberry.field(description=URL_DESCRIPTION)
    def url(self, prefer: Prefer = None) -> str | None:
        return pick_url(self.row, preference(prefer))

    filed_provider: FiledProvider | None = filed_resolver()

    @strawberry.field(description="Who published it.")
    async def provider(self, info: ContextInfo) -> Provider | None:
        return await _provider(info, self.row.provider_id)

    @strawberry.field(description="Its topics, in the order the item lists them.")
    async def topics(self, info: ContextInfo) -> list[Topic]:
        rows = await info.context.batch().article_topics.load(self.row.id)
        return [Topic.from_row(r) for r in rows]

    @strawberry.field(description="Its pictures, in the order the item lists them.")
    async def images(
        self,
        info: ContextInfo,
        first: NestedFirst = None,
    ) -> list[Image]:
        if self.row.image_count == 0:
            return []
        rows = await info.context.batch().article_images.load(self.row.id)
        return image_list(rows, first, info)

    @strawberry.field(
        description=(
            "The best picture for a card: the largest with at least `minWidth` pixels of "
            "width (cached pictures preferred on ties); null when none qualifies."
        )
    )
    async def lead_image(
        self,
        info: ContextInfo,
        min_width: Annotated[
            int, strawberry.argument(description="Smallest acceptable width in pixels.")
        ] = 0,
    ) -> Image | None:
        if self.row.image_count == 0:
            return None
        rows = await info.context.batch().article_images.load(self.row.id)
        best = pick_lead_image(rows, min_width)
        return None if best is None else Image.from_row(best)

    @strawberry.field(description="Related coverage listed under the item, in its order.")
    async def related(
        self,
        info: ContextInfo,
        first: NestedFirst = None,
    ) -> list[RelatedItem]:
        limit = check_first(first, info.context.limits.max_page)
        rows = await info.context.batch().related.load(self.row.id)
        return [RelatedItem.from_row(r) for r in (rows if limit is None else rows[:limit])]

    @strawberry.field(
        description=(
            "More like this: other articles that share its topics and the rarer words of its "
            "title and excerpt, most similar first (ties: newest id first). Never the article "
            "itself; the same content gives the same list. Candidates are the articles nearest "
            "to it (loaded or published about when it was), so the work is bounded."
        )
    )
    async def similar(
        self,
        info: ContextInfo,
        first: Annotated[int, strawberry.argument(description="At most this many (1 to 100).")] = 5,
    ) -> list[Article]:
        limit = check_first(first, info.context.limits.max_page) or first
        ids = (await info.context.batch().similar.load(self.row.id))[:limit]
        rows = await info.context.batch().articles.load_many(ids)
        return [Article.from_row(r) for r in rows if r is not None]

    @strawberry.field(
        description=(
            "The other articles of its story (see `storyId`), best first: highest quality, "
            "then newest, then highest id. Empty when it is a story of its own."
        )
    )
    async def duplicates(
        self,
        info: ContextInfo,
        first: Annotated[
            int, strawberry.argument(description="At most this many (1 to 100).")
        ] = 10,
    ) -> list[Article]:
        limit = check_first(first, info.context.limits.max_page) or first
        ids = (await info.context.batch().duplicates.load(self.row.id))[:limit]
        rows = await info.context.batch().articles.load_many(ids)
        return [Article.from_row(r) for r in rows if r is not None]
