"""The matching keys of an item, computed by the parser processes with the rest of it.

An article's address keys (web, original and AMP addresses, :mod:`core.urls`)
and its title's MinHash bands (:mod:`core.titles`) let the writer find the
other articles of its story through two indexes; a related item's address key
finds the article it points at. Computing them here keeps the work (about 40 us
an item) in the parallel parsers, not in the one writing process.
"""

from __future__ import annotations

from core.records import Article
from core.titles import title_bands, title_words
from core.urls import url_key, url_keys


def keyed(art: Article) -> Article:
    """The article with its keys and its related items' keys filled in."""
    related = tuple(
        rel._replace(url_key=url_key(rel.web_url or rel.amp_web_url or rel.cdn_amp_web_url))
        for rel in art.related
    )
    return art._replace(
        url_keys=url_keys(art.web_url, art.original_url, art.amp_web_url, art.cdn_amp_web_url),
        title_bands=title_bands(title_words(art.title)) if art.published_at else (),
        related=related,
    )
