"""What HTTP caches may do with a response: ``Cache-Control``, ``Vary``, ``X-Content-Version``.

Every caching decision about response headers is made by :func:`cache_headers`,
so the policy reads in one place:

* a GET whose answer the server keeps (complete, error-free, not depending on
  the time) and that carries no ``Authorization`` header is ``public``; a
  persisted-query GET (a hash, not a document, in the URL: what a CDN or
  Varnish sees) may be kept by a **shared** cache for ``s-maxage`` seconds and
  served stale for ``stale-while-revalidate`` more while the cache asks again.
  Browsers always revalidate (``max-age=0``), which an ETag makes cheap;
* a request that carries an ``Authorization`` header (the access token) is
  ``private, no-store``: never kept by a shared cache nor served from one;
* any other GET (an error, a persisted-query miss, a trending first page) is
  ``no-store``, so a shared cache's default time-to-live never keeps it;
* ``Vary: Accept, Authorization``: the media type follows ``Accept``, and what
  a token may see differs.

The ETag names the content digest (:mod:`db.digest`) and the body, so replicas
serving the same content give the same ETag, and a new content gives a new one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

CONTENT_VERSION = "X-Content-Version"
"""The response header naming the content digest that answered."""

VARY = "Accept, Authorization"


@dataclass(frozen=True, slots=True)
class SharedCachePolicy:
    """How long shared caches may keep persisted-query answers (seconds)."""

    s_maxage: int = 60
    stale_while_revalidate: int = 30


def etag_of(body: bytes, digest: str = "") -> str:
    """A strong ETag: the content digest's first 16 digits, then a hash of the body."""
    body_hash = hashlib.blake2b(body, digest_size=12).hexdigest()
    return f'"{digest[:16]}-{body_hash}"' if digest else f'"{body_hash}"'


def cache_headers(
    policy: SharedCachePolicy, *, kept: bool, persisted: bool, token_sent: bool
) -> dict[str, str]:
    """``Cache-Control`` and ``Vary`` of a GET response (see the module docstring).

    ``kept``: the answer is one the server keeps in its response cache (so it is the
    same for everyone until the content changes); ``persisted``: the request named a
    persisted query by its hash; ``token_sent``: it carried an ``Authorization`` header.
    """
    if token_sent:
        control = "private, no-store"
    elif not kept:
        control = "no-store"
    elif persisted:
        control = (
            f"public, max-age=0, s-maxage={policy.s_maxage}, "
            f"stale-while-revalidate={policy.stale_while_revalidate}"
        )
    else:
        control = "public, max-age=0, must-revalidate"
    return {"Cache-Control": control, "Vary": VARY}
