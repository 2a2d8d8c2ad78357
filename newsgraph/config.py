"""Configuration, read once at start-up: CLI flags with environment equivalents.

Every setting has a flag and a ``NEWSGRAPH_*`` variable; the flag wins. Nothing
else in newsgraph reads the environment: the resulting :class:`Settings` is
passed down.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from newsgraph.errors import ConfigError

SAMPLE_CONTENT = Path(__file__).parent / "sample"
DEFAULT_DB = Path("newsgraph.db")


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
    workers: int = 1
    cache_entries: int = 4096
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
}


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


def parse_flag(value: str | None) -> bool:
    """A yes/no setting from the environment."""
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}
