"""Configuration, read once at start-up: CLI flags with environment equivalents.

Every setting has a flag and a ``NEWSGRAPH_*`` variable; the flag wins. Nothing
else in newsgraph reads the environment: the resulting :class:`Settings` is
passed down.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from core.errors import ConfigError

# the bundled sample content ships in the ``newsgraph`` package, which sits beside this one
SAMPLE_CONTENT = Path(__file__).resolve().parent.parent / "newsgraph" / "sample"
DEFAULT_DB = Path("newsgraph.db")
DEFAULT_EMBED_HOSTS = (
    "youtube.com", "youtube-nocookie.com", "player.vimeo.com", "dailymotion.com",
    "player.twitch.tv", "w.soundcloud.com", "open.spotify.com", "embed.ted.com",
    "fast.wistia.net", "players.brightcove.net",
)  # fmt: skip
"""Hosts whose https iframes ``featuredContentHtml`` keeps (a subdomain of one counts too)."""
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")


@dataclass(frozen=True, slots=True)
class Limits:
    """Query limits that protect the server; each is a flag and an env variable."""

    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 1000
    max_directives: int = 50
    max_page: int = 100
    default_page: int = 20
    max_cost: int = 50_000
    sql_timeout: float = 1.0
    loop_cost: int = 5_000
    """Cost above which a compiled request runs in a background worker from the start."""
    search_window: int = 10_000
    """Matches of a full-text search that are counted, faceted, ranked and paged: the most
    recently loaded (bounds the work of a search for a word in nearly every article)."""
    slow_workers: int = 2
    """Background workers per server process for slow requests (searches, uncached counts,
    the reference executor): at most this many run at once."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the server and loader need, resolved once."""

    db: Path = DEFAULT_DB
    content: Path = SAMPLE_CONTENT
    host: str = "127.0.0.1"
    port: int = 8000
    access_token: str | None = None
    production: bool = False
    cors_origins: tuple[str, ...] = ("*",)
    compiled: bool = True
    log_format: str = "text"
    watch: bool = False
    show_future: bool = False
    """Show articles published after now (previews); by default they are hidden until then."""
    workers: int = 1
    cache_entries: int = 4096
    read_only: bool = False
    """Serve a built database file without ever writing to it (``newsgraph build``)."""
    shared_max_age: int = 60
    """Seconds a shared cache (a CDN, Varnish, nginx) may serve a persisted-query GET."""
    stale_while_revalidate: int = 30
    """Seconds past that it may serve the old answer while it asks again."""
    limits: Limits = field(default_factory=Limits)


ENV = {
    "db": "NEWSGRAPH_DB",
    "content": "NEWSGRAPH_CONTENT",
    "host": "NEWSGRAPH_HOST",
    "port": "NEWSGRAPH_PORT",
    "access_token": "NEWSGRAPH_ACCESS_TOKEN",
    "production": "NEWSGRAPH_PRODUCTION",
    "log_format": "NEWSGRAPH_LOG_FORMAT",
    "watch": "NEWSGRAPH_WATCH",
    "workers": "NEWSGRAPH_WORKERS",
    "show_future": "NEWSGRAPH_SHOW_FUTURE",
    "embed_hosts": "NEWSGRAPH_EMBED_HOSTS",
    "read_only": "NEWSGRAPH_READ_ONLY",
    "shared_max_age": "NEWSGRAPH_SHARED_MAX_AGE",
    "stale_while_revalidate": "NEWSGRAPH_STALE_WHILE_REVALIDATE",
    "cors_origins": "NEWSGRAPH_CORS_ORIGINS",
}


LIMIT_NAMES = tuple(f.name for f in fields(Limits))


def parse_limits(pairs: list[str], environ: Mapping[str, str] | None = None) -> Limits:
    """Limits from ``NAME=VALUE`` flags over ``NEWSGRAPH_LIMIT_<NAME>`` variables."""
    env = os.environ if environ is None else environ
    values: dict[str, str] = {
        name: env[f"NEWSGRAPH_LIMIT_{name.upper()}"]
        for name in LIMIT_NAMES
        if f"NEWSGRAPH_LIMIT_{name.upper()}" in env
    }
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or name.strip() not in LIMIT_NAMES:
            raise ConfigError(f"--limit takes NAME=VALUE with NAME one of {', '.join(LIMIT_NAMES)}")
        values[name.strip()] = value
    base = Limits()
    out: dict[str, Any] = {}
    for name, value in values.items():
        kind = type(getattr(base, name))
        try:
            number = kind(value)
        except ValueError:
            raise ConfigError(f"limit {name} must be a number, got {value!r}") from None
        if number <= 0 and name != "sql_timeout":
            raise ConfigError(f"limit {name} must be positive, got {value!r}")
        out[name] = number
    return replace(base, **out)


def parse_embed_hosts(
    flags: list[str] | None, environ: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """The embed allow-list: ``--embed-host`` flags, else ``NEWSGRAPH_EMBED_HOSTS``
    (comma-separated), else :data:`DEFAULT_EMBED_HOSTS`. ``none`` allows no host."""
    env = os.environ if environ is None else environ
    if flags:
        given = [h for flag in flags for h in flag.split(",")]
    elif ENV["embed_hosts"] in env:
        given = env[ENV["embed_hosts"]].split(",")
    else:
        return DEFAULT_EMBED_HOSTS
    hosts = [h.strip().lower().rstrip(".") for h in given if h.strip()]
    if hosts == ["none"]:
        return ()
    for host in hosts:
        if not _HOST.fullmatch(host):
            raise ConfigError(
                f"embed host {host!r} is not a host name; write one like player.vimeo.com "
                "(no scheme, port or path), or `none` to allow no embeds"
            )
    return tuple(dict.fromkeys(hosts))


_ORIGIN = re.compile(r"https?://(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?")


def parse_cors_origins(
    flags: list[str] | None, environ: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """The origins whose pages may call the API (CORS, and WebSocket handshakes):
    ``--cors-origin`` flags, else ``NEWSGRAPH_CORS_ORIGINS`` (comma-separated), else ``*``
    (any origin; the API sends no credentials-bearing CORS answers, so this is safe)."""
    env = os.environ if environ is None else environ
    if flags:
        given = [o for flag in flags for o in flag.split(",")]
    elif ENV["cors_origins"] in env:
        given = env[ENV["cors_origins"]].split(",")
    else:
        return ("*",)
    origins = [o.strip().rstrip("/") for o in given if o.strip()]
    if not origins:
        raise ConfigError("--cors-origin needs an origin like https://news.example.com, or *")
    for origin in origins:
        if origin != "*" and not _ORIGIN.fullmatch(origin):
            raise ConfigError(
                f"CORS origin {origin!r} is not an origin; write the scheme, host and port "
                "of the page, like https://news.example.com or http://127.0.0.1:5173 "
                "(no path), or * for any"
            )
    return tuple(dict.fromkeys(origins))


def to_environ(settings: Settings) -> dict[str, str]:
    """Settings as environment variables, for server worker processes."""
    env = {
        "NEWSGRAPH_DB": str(settings.db),
        "NEWSGRAPH_CONTENT": str(settings.content),
        "NEWSGRAPH_PRODUCTION": "1" if settings.production else "0",
        "NEWSGRAPH_LOG_FORMAT": settings.log_format,
        "NEWSGRAPH_READ_ONLY": "1" if settings.read_only else "0",
        "NEWSGRAPH_SHARED_MAX_AGE": str(settings.shared_max_age),
        "NEWSGRAPH_STALE_WHILE_REVALIDATE": str(settings.stale_while_revalidate),
        "NEWSGRAPH_CORS_ORIGINS": ",".join(settings.cors_origins),
        "NEWSGRAPH_SHOW_FUTURE": "1" if settings.show_future else "0",
    }
    if settings.access_token:
        env["NEWSGRAPH_ACCESS_TOKEN"] = settings.access_token
    for name in LIMIT_NAMES:
        env[f"NEWSGRAPH_LIMIT_{name.upper()}"] = str(getattr(settings.limits, name))
    return env


def from_environ(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings of a server worker process, from :func:`to_environ`'s variables."""
    env = os.environ if environ is None else environ
    return Settings(
        db=Path(env.get("NEWSGRAPH_DB", str(DEFAULT_DB))),
        content=Path(env.get("NEWSGRAPH_CONTENT", str(SAMPLE_CONTENT))),
        production=parse_flag(env.get("NEWSGRAPH_PRODUCTION")),
        log_format=env.get("NEWSGRAPH_LOG_FORMAT", "text"),
        show_future=parse_flag(env.get("NEWSGRAPH_SHOW_FUTURE")),
        access_token=env.get("NEWSGRAPH_ACCESS_TOKEN") or None,
        read_only=parse_flag(env.get("NEWSGRAPH_READ_ONLY")),
        shared_max_age=parse_seconds(env.get("NEWSGRAPH_SHARED_MAX_AGE", "60"), "shared max-age"),
        stale_while_revalidate=parse_seconds(
            env.get("NEWSGRAPH_STALE_WHILE_REVALIDATE", "30"), "stale-while-revalidate"
        ),
        cors_origins=parse_cors_origins(None, env),
        limits=parse_limits([], env),
    )


def env_default(
    name: str, fallback: str | None, environ: Mapping[str, str] | None = None
) -> str | None:
    """The environment's value for a setting, for use as a flag's default."""
    return (os.environ if environ is None else environ).get(ENV[name], fallback)


def parse_port(value: str) -> int:
    """A TCP port number."""
    try:
        port = int(value)
    except ValueError:
        raise ConfigError(f"port must be a number, got {value!r}") from None
    if not 0 < port < 65536:
        raise ConfigError(f"port must be between 1 and 65535, got {port}")
    return port


def parse_seconds(value: str, what: str) -> int:
    """A whole number of seconds, 0 or more."""
    try:
        seconds = int(value)
    except ValueError:
        raise ConfigError(f"{what} must be a whole number of seconds, got {value!r}") from None
    if seconds < 0:
        raise ConfigError(f"{what} must be 0 or more seconds, got {seconds}")
    return seconds


def parse_flag(value: str | None) -> bool:
    """A yes/no setting from the environment."""
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}
