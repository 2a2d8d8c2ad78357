"""Read, hash and parse one content file into an :class:`Outcome`.

These functions are pure and picklable so the loader can run them in worker
processes: YAML parsing is the CPU-heavy part of a load and must not block
the event loop. Nothing here raises for a bad file; a bad file becomes an
``Outcome`` with a :class:`Problem`.
"""

from __future__ import annotations

import copyreg
import hashlib
import os
from dataclasses import dataclass
from typing import NamedTuple

from core.config import DEFAULT_EMBED_HOSTS
from core.errors import ContentError
from core.records import Article, FileState, Problem, compact_reduce
from loaders import frontmatter, normalise, render
from loaders.keys import keyed


@dataclass(frozen=True, slots=True)
class Limits:
    """How one file is parsed: size limits (larger files are refused, not truncated), and
    the hosts whose embeds its featured content may keep."""

    max_file_bytes: int = frontmatter.MAX_FILE_BYTES
    max_front_matter_bytes: int = frontmatter.MAX_FRONT_MATTER_BYTES
    embed_hosts: tuple[str, ...] = DEFAULT_EMBED_HOSTS


@dataclass(frozen=True, slots=True)
class Job:
    """A file to parse, with the hash stored for it last time (if any)."""

    root: str
    state: FileState
    known_sha: str | None = None


class Outcome(NamedTuple):
    """What became of one file: an article, a problem, or "same bytes as before"."""

    state: FileState
    article: Article | None = None
    problem: Problem | None = None
    same: bool = False


copyreg.pickle(Outcome, compact_reduce)


def read_bytes(root: str, state: FileState, limits: Limits) -> bytes:
    """The file's bytes; refuses oversized files before reading them whole."""
    if state.size > limits.max_file_bytes:
        raise ContentError(
            state.path,
            f"file is {state.size:,} bytes, over the {limits.max_file_bytes:,}-byte limit "
            "for one item",
        )
    try:
        with open(os.path.join(root, state.path), "rb") as handle:
            return handle.read(limits.max_file_bytes + 1)
    except OSError as exc:
        raise ContentError(state.path, f"cannot read the file: {exc.strerror or exc}") from exc


def parse_job(job: Job, limits: Limits) -> Outcome:
    """Parse one file; never raises for bad content."""
    try:
        raw = read_bytes(job.root, job.state, limits)
        sha = hashlib.sha256(raw).hexdigest()
        state = FileState(job.state.path, len(raw), job.state.mtime_ns, sha)
        if sha == job.known_sha:
            return Outcome(state=state, same=True)
        text = frontmatter.decode(job.state.path, raw, limits.max_file_bytes)
        parsed = frontmatter.split(job.state.path, text, limits.max_front_matter_bytes)
        art = normalise.article(job.state.path, parsed)
        return Outcome(state=state, article=keyed(render.rendered(art, limits.embed_hosts)))
    except ContentError as exc:
        return Outcome(state=job.state, problem=Problem(exc.path, exc.reason, exc.line))
    except Exception as exc:  # one bad file must never stop a load
        reason = f"cannot be loaded: {type(exc).__name__}: {exc}"[:300]
        return Outcome(state=job.state, problem=Problem(job.state.path, reason))


def parse_jobs(jobs: list[Job], limits: Limits) -> list[Outcome]:
    """Parse a chunk of files (one round trip to a worker process)."""
    return [parse_job(job, limits) for job in jobs]
