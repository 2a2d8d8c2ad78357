"""Described argument types shared by every connection field."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.schema.inputs import ArticleFilter, ArticleOrder

First = Annotated[
    int | None,
    strawberry.argument(description="Page forward: at most this many items (default 20, max 100)."),
]
After = Annotated[
    str | None, strawberry.argument(description="Page forward: start after this cursor.")
]
Last = Annotated[
    int | None,
    strawberry.argument(
        description="Page backward: at most this many items (default 20, max 100)."
    ),
]
Before = Annotated[
    str | None, strawberry.argument(description="Page backward: end before this cursor.")
]
Filter = Annotated[
    ArticleFilter | None,
    strawberry.argument(description="Conditions the articles must meet; all by default."),
]
Order = Annotated[
    list[ArticleOrder] | None,
    strawberry.argument(
        description=(
            "Sort keys, the first deciding first (`[{field: QUALITY}, {field: PUBLISHED_AT}]`;"
            " one key needs no brackets); newest first by default, by relevance for a text "
            "search."
        )
    ),
]
NestedFirst = Annotated[
    int | None, strawberry.argument(description="At most this many (max 100); all by default.")
]
Dedupe = Annotated[
    bool | None,
    strawberry.argument(
        description=(
            "One article per story: of the articles of a story (the same page under other "
            "addresses, or a near-duplicate title published within 3 days; see "
            "`Article.storyId`) that match the filter, only the best is listed (highest "
            "quality, then newest, then highest id). `totalCount` and `facets` then count "
            "stories. Cursors stay exact."
        )
    ),
]
