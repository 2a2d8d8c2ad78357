"""Deterministic, realistic news corpora for benchmarks and test fixtures.

Why: the real corpus (674 items) is too small to time a 50,000 or 200,000 item load and too
fixed for tests that must know what is inside. This writes folders shaped like the real site
(``_news/<year>/<date>-<slug>.md`` with YAML front matter, ``_data/topics``,
``_data/organizations``) with roughly its distributions: Zipf-like provider popularity, 1-4
topics, images of common sizes, 0-5 related stories (a fifth repeat an earlier generated item,
``webUrl`` and all, so a loader can link them), quotes, backslashes, ``\\r\\n`` and accents.

One ``random.Random(seed)`` and no clock: the same ``(count, seed, start)`` gives byte-identical
files; ``taxonomy`` only adds the ``_data`` files. YAML is written by hand in the corpus's style
(``yaml.dump`` is slow and styles differently). Text comes from a tech-news vocabulary, so
full-text search has real terms; when ``i % RARE_EVERY == 0``, item ``i`` (in date order) has
the made-up word ``RARE_WORDS[i // RARE_EVERY % len(RARE_WORDS)]`` in its title and no other
text has it, so tests know what a search must find (:func:`rare_word_items`).
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from random import Random

from bench.vocabulary import RARE_WORDS
from bench.world import RARE_EVERY, Item, World
from bench.yaml_style import ITEM_GROUPS, to_yaml


@dataclass(frozen=True)
class CorpusStats:
    """What :func:`generate` wrote: items, distinct providers and topics the items name,
    related entries, item images (top-level ``images`` lists) and bytes of all files."""

    items: int
    providers: int
    topics: int
    related: int
    images: int
    bytes: int


def rare_word_items(count: int) -> dict[str, int]:
    """How many of ``count`` items carry each of ``RARE_WORDS`` in their title."""
    words = (RARE_WORDS[i // RARE_EVERY % len(RARE_WORDS)] for i in range(0, count, RARE_EVERY))
    return dict(Counter(words))


def render_item(item: Item) -> str:
    """The file text of an item: front matter between ``---`` lines, a blank line, body."""
    return f"---\n{to_yaml(item.data, ITEM_GROUPS)}---\n\n{item.body}"


def iter_items(count: int, *, seed: int = 1, start: datetime | None = None) -> Iterator[Item]:
    """The items :func:`generate` writes for these arguments, in date order."""
    return World(Random(seed), count, start).items()


def generate(
    dest: Path, count: int, *, seed: int = 1, taxonomy: bool = True, start: datetime | None = None
) -> CorpusStats:
    """Write a corpus of ``count`` items into ``dest``, which must be empty or absent."""
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise ValueError(f"{dest} exists and is not an empty folder; refusing to write into it")
    enabled = gc.isenabled()
    gc.disable()  # millions of small acyclic objects: the cyclic collector only costs time
    try:
        return _write(dest, World(Random(seed), count, start), taxonomy)
    finally:
        if enabled:
            gc.enable()


def _write(dest: Path, world: World, taxonomy: bool) -> CorpusStats:
    (dest / "_news").mkdir(parents=True, exist_ok=True)
    root, years, size, related, images = str(dest), set[int](), 0, 0, 0
    providers, topics = set[str](), set[str]()
    for item in world.items():
        if (year := item.data["publishedDateTime"].year) not in years:
            (dest / "_news" / str(year)).mkdir(exist_ok=True)
            years.add(year)
        raw = render_item(item).encode("utf-8")
        with open(f"{root}/{item.path}", "wb") as fh:
            fh.write(raw)
        size += len(raw)
        related += len(item.data.get("related", ()))
        images += len(item.data.get("images", ()))
        providers.add(item.data["provider"]["domain"])
        topics.update(item.data["topics"])
    if taxonomy:
        for folder in ("topics", "organizations"):
            (dest / "_data" / folder).mkdir(parents=True, exist_ok=True)
        for rel, text in (*world.topic_files(), *world.organization_files()):
            raw = text.encode("utf-8")
            with open(f"{root}/{rel}", "wb") as fh:
                fh.write(raw)
            size += len(raw)
    return CorpusStats(world.count, len(providers), len(topics), related, images, size)
