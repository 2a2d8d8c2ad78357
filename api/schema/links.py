"""Link preference: the one address a client should link to, chosen by the server.

Real items lack some addresses (no ``webUrl``, only an AMP page, only the
source's own URL), and every client used to write the same fallback chain.
``url(prefer: [...])`` walks the kinds in the order asked and returns the first
address the item has.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Annotated, Any

import strawberry

from core.errors import BadArgument
from core.urls import canonical_url


@strawberry.enum(description="A kind of address an item may have, for `url(prefer: ...)`.")
class LinkKind(Enum):
    CANONICAL = strawberry.enum_value(
        "CANONICAL",
        description="The item's own page: its first address (web, original, AMP, CDN AMP) "
        "without tracking parameters, fragment or AMP form (an AMP cache address becomes the "
        "address it caches).",
    )
    WEB = strawberry.enum_value("WEB", description="The item's web address (`webUrl`).")
    ORIGINAL = strawberry.enum_value(
        "ORIGINAL", description="The source's own address (`originalUrl`; articles only)."
    )
    AMP = strawberry.enum_value("AMP", description="Its AMP page (`ampWebUrl`).")
    CDN_AMP = strawberry.enum_value(
        "CDN_AMP", description="Its AMP page on an AMP cache (`cdnAmpWebUrl`)."
    )


DEFAULT_PREFERENCE = (LinkKind.WEB, LinkKind.ORIGINAL, LinkKind.AMP, LinkKind.CDN_AMP)
ATTRIBUTES: dict[LinkKind, str] = {
    LinkKind.WEB: "web_url",
    LinkKind.ORIGINAL: "original_url",
    LinkKind.AMP: "amp_web_url",
    LinkKind.CDN_AMP: "cdn_amp_web_url",
}
"""The row attribute that holds each stored kind (rows without it have none of that kind)."""
URL_DESCRIPTION = (
    "The first address the item has among the kinds in `prefer`, in that order (default: web, "
    "original, AMP, CDN AMP; `CANONICAL` is the first of those without tracking parameters "
    "or AMP form); null when it has none of them."
)

Prefer = Annotated[
    list[LinkKind] | None,
    strawberry.argument(
        description="The kinds of address to try, most wanted first (at least one; default: "
        "`[WEB, ORIGINAL, AMP, CDN_AMP]`)."
    ),
]


def preference(values: Iterable[Any] | None) -> Sequence[LinkKind]:
    """The kinds asked for (coerced enum members or their names), checked."""
    if values is None:
        return DEFAULT_PREFERENCE
    kinds = [v if isinstance(v, LinkKind) else LinkKind[str(v)] for v in values]
    if not kinds:
        raise BadArgument(
            "`prefer` is empty: list at least one kind, e.g. `prefer: [WEB, AMP]`, "
            "or leave it out for the default order"
        )
    return kinds


def pick_url(row: Any, kinds: Sequence[LinkKind]) -> str | None:
    """The first non-empty address of ``row`` among ``kinds``."""
    for kind in kinds:
        if kind is LinkKind.CANONICAL:
            value = canonical_url(pick_url(row, DEFAULT_PREFERENCE))
        else:
            value = getattr(row, ATTRIBUTES[kind], None)
        if value:
            return str(value)
    return None
