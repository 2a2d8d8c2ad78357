"""Loading ../shared/corpus (when present): counts agree with an independent count."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import yaml

from loaders.loader import load
from tests.conftest import copy_tree


def independent_counts(root: Path) -> tuple[int, set[str], set[str]]:
    articles = 0
    domains: set[str] = set()
    topics: set[str] = set()
    for path in root.rglob("*.md"):
        if "_data" in path.parts:
            continue
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        articles += 1
        domains.add(front["provider"]["domain"].lower())
        topics.update(t.casefold() for t in front.get("topics") or [])
        for rel in front.get("related") or []:
            if rel.get("provider"):
                domains.add(rel["provider"]["domain"].lower())
    for org in root.rglob("_data/organizations/*.md"):
        domains.add(yaml.safe_load(org.read_text(encoding="utf-8").split("---")[1])["domain"])
    for topic in root.rglob("_data/topics/*.yaml"):
        topics.add(yaml.safe_load(topic.read_text(encoding="utf-8"))["name"].casefold())
    return articles, domains, topics


def test_shared_corpus_loads_whole_then_unchanged(shared_corpus: Path, tmp_path: Path) -> None:
    import sqlite3

    root = copy_tree(shared_corpus, tmp_path / "corpus")
    db = tmp_path / "shared.db"
    report = asyncio.run(load(root, db))
    articles, domains, topics = independent_counts(root)
    assert articles == 675
    assert (report.added, report.failed) == (articles, 0), report.problems
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == articles
    assert {d for (d,) in conn.execute("SELECT domain FROM providers")} == domains
    assert {t.casefold() for (t,) in conn.execute("SELECT name FROM topics")} == topics
    conn.close()
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    again = asyncio.run(load(root, db))
    assert (again.unchanged, again.added, again.updated, again.removed) == (articles, 0, 0, 0)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
