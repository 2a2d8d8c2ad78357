"""URL normalisation: one key per page, whatever tracking or AMP form a link takes.

Two links name the same page when their keys are equal: the loader keeps each
article's keys (web, original and AMP addresses) and each related item's, so
duplicates cluster into one story and a related link finds its article even
with ``?utm_source=...`` or as an AMP page. The key is for matching only; the
API still answers the addresses as written.

:func:`url_key` of an ``http``/``https`` address:

* scheme and host lower-cased, ``http`` taken as ``https``, a leading ``www.``,
  a trailing dot, user info and the default port (80, 443) dropped;
* an AMP cache address (``https://www-example-com.cdn.ampproject.org/c/s/www.example.com/a``)
  becomes the address it caches; a path segment ``amp`` (``/amp/a``, ``/a/amp``,
  ``/a/amp/``) and the query parameters ``amp``, ``_amp``, ``amp_*`` (an AMP viewer's),
  ``usqp`` and ``outputType=amp`` go;
* the fragment, tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ``ref``,
  ``source`` and others in :data:`TRACKING`) and a trailing ``/`` (not the root) go;
  the remaining parameters are sorted.

Anything else (``mailto:``, a relative path, text that is no URL) is kept as
written, trimmed; no input raises.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit

TRACKING = frozenset(
    (
        "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "twclid", "igshid",
        "mc_cid", "mc_eid", "ref", "ref_src", "ref_url", "source", "_hsenc", "_hsmi",
        "mkt_tok", "cmpid", "ocid", "icid", "s_cid", "spm", "ncid", "sr_share",
    )
)  # fmt: skip
"""Query parameters that say where a visitor came from, not which page it is (plus every
parameter whose name starts with ``utm_``); compared case-insensitively."""

AMP_CACHE = ".cdn.ampproject.org"
_AMP_PARAMETERS = frozenset(("amp", "_amp", "usqp"))
_DEFAULT_PORTS = {"http": 80, "https": 443}


def url_key(value: object) -> str | None:
    """The matching key of an address (see the module doc); None for no address."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    try:
        return _key(text, 0)
    except ValueError:  # urlsplit refuses some malformed hosts and ports
        return text


def url_keys(*values: object) -> tuple[str, ...]:
    """The distinct keys of several addresses, in order (missing ones left out)."""
    out: list[str] = []
    for value in values:
        key = url_key(value)
        if key is not None and key not in out:
            out.append(key)
    return tuple(out)


def canonical_url(value: object) -> str | None:
    """An address as a link, without what only tracks visitors or re-renders the page: an
    AMP cache address becomes the address it caches, ``amp`` path segments and AMP and
    tracking parameters and the fragment go. Unlike :func:`url_key`, the scheme, ``www.``,
    a trailing ``/`` and the order of the other parameters stay, so the link still works
    as written. None for no address; anything that is not an http(s) URL comes back
    trimmed."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    try:
        return _canonical(text, 0)
    except ValueError:
        return text


def _canonical(text: str, depth: int) -> str:
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return text
    host = parts.hostname.rstrip(".")
    if host.endswith(AMP_CACHE) and depth == 0:
        cached = _from_amp_cache(parts.path, parts.query)
        if cached is not None:
            return _canonical(cached, depth + 1)
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    port = parts.port
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    path = "/".join(s for s in parts.path.split("/") if s.lower() != "amp") or "/"
    query = _query(parts.query, ordered=False)
    return f"{scheme}://{host}{path}" + (f"?{query}" if query else "")


def _key(text: str, depth: int) -> str:
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return text
    host = parts.hostname.rstrip(".")
    port = parts.port
    if host.endswith(AMP_CACHE) and depth == 0:
        cached = _from_amp_cache(parts.path, parts.query)
        if cached is not None:
            return _key(cached, depth + 1)
    if host.startswith("www."):
        host = host[4:]
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    segments = [s for s in parts.path.split("/") if s and s.lower() != "amp"]
    path = "/" + "/".join(segments)
    query = _query(parts.query)
    return f"https://{host}{path}" + (f"?{query}" if query else "")


def _from_amp_cache(path: str, query: str) -> str | None:
    """The address an AMP cache page caches: ``/c/s/host/path`` (https) or ``/c/host/path``
    (http); also ``/v/`` (viewer) and ``/i/`` forms."""
    segments = path.split("/")
    if len(segments) < 3 or segments[1] not in ("c", "v", "i"):
        return None
    rest = segments[2:]
    scheme = "http"
    if rest and rest[0] == "s":
        scheme, rest = "https", rest[1:]
    if not rest or not rest[0]:
        return None
    return f"{scheme}://{'/'.join(rest)}" + (f"?{query}" if query else "")


def _query(query: str, *, ordered: bool = True) -> str:
    """The parameters that name the page (sorted for a key, else in their order)."""
    if not query:
        return ""
    kept = []
    for name, value in parse_qsl(query, keep_blank_values=True):
        lower = name.lower()
        if lower in TRACKING or lower.startswith(("utm_", "amp_")) or lower in _AMP_PARAMETERS:
            continue
        if lower == "outputtype" and value.lower() == "amp":
            continue
        kept.append((name, value))
    if ordered:
        kept.sort()
    return urlencode(kept, quote_via=quote)
