"""Site data under ``_data/``: the topic taxonomy and provider records.

A Jekyll site keeps ``_data/topics/*.yaml`` (name, parent, keywords,
hashtags) and ``_data/organizations/*.md`` (name, domain, logos). They are
not articles; they enrich the topics and providers that articles name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from core.errors import ContentError
from core.records import FileState, Problem, Provider, TopicInfo
from loaders import frontmatter, normalise
from loaders.parse import Limits, read_bytes

_TOPIC_SUFFIXES = {".yaml", ".yml"}
_ORG_SUFFIXES = {".md", ".markdown", ".yaml", ".yml"}


@dataclass(slots=True)
class SiteData:
    """Everything read from the ``_data`` folders of a content root."""

    topics: list[TopicInfo] = field(default_factory=list)
    organizations: list[Provider] = field(default_factory=list)
    states: list[FileState] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def is_site_file(rel: str) -> bool:
    """Whether a path (relative to the content root) is site data we read."""
    parts = PurePosixPath(rel).parts
    if "_data" not in parts[:-1]:
        return False
    kind = parts[parts.index("_data") + 1] if len(parts) > parts.index("_data") + 2 else ""
    suffix = PurePosixPath(rel).suffix.lower()
    return (kind == "topics" and suffix in _TOPIC_SUFFIXES) or (
        kind == "organizations" and suffix in _ORG_SUFFIXES
    )


def read_site(root: str, states: list[FileState], limits: Limits) -> SiteData:
    """Parse every site file; a bad one is reported and skipped."""
    site = SiteData()
    for state in sorted(states, key=lambda s: s.path):
        try:
            raw = read_bytes(root, state, limits)
            text = frontmatter.decode(state.path, raw, limits.max_file_bytes)
            suffix = PurePosixPath(state.path).suffix.lower()
            if suffix in _TOPIC_SUFFIXES:
                data = frontmatter.parse_yaml(state.path, text)
            else:
                data = frontmatter.split(state.path, text, limits.max_front_matter_bytes).data
            if "/topics/" in f"/{state.path}" and suffix in _TOPIC_SUFFIXES:
                site.topics.append(normalise.topic_info(state.path, data))
            else:
                site.organizations.append(normalise.organization(state.path, data))
            site.states.append(state)
        except ContentError as exc:
            site.problems.append(Problem(exc.path, exc.reason, exc.line))
    return site
