"""More like this: other articles ranked by shared topics and shared rare words.

Bounded work for any article at any size of the content (no statement reads a
whole list of a word's or a topic's articles):

1. The article's own words (title, then excerpt; at most :data:`MAX_WORDS`
   distinct ones of three letters or more, common English words left out) are
   *probed*: the newest :data:`PROBE` articles with the word tell how densely it
   is spread over the newest articles (a word with fewer articles than that is
   counted exactly). The :data:`TERMS` rarest words, each in at least one other
   article, are the query; each weighs ``ln(1 + 1 / density)``, an inverse
   document frequency.
2. For each of those words, the :data:`NEAREST` articles on each side of this
   one (by id: loaded about when it was) whose title or excerpt has the word;
   an article's text score is the weight of the words it has, out of all.
3. For each of the article's topics, the :data:`TOPIC_NEAREST` articles of the
   topic published just before and just after it; an article's topic score is
   the share of this article's topics it has (counted for every candidate).
4. Score = text score + topic score (each 0..1), best first, ties broken by
   the higher id; at most :data:`RANKED` are kept, per content version.

So an article without topics still gets text-similar ones, and one without
words gets topic-similar ones (or none). Everything depends on the content
alone: the same content gives the same list.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable

from db.session import IDS, SessionCore, ids_json

MAX_WORDS = 16
"""Distinct words of the title and excerpt that are probed."""
PROBE = 16
"""Newest articles with a word read to tell how common it is."""
TERMS = 8
"""The rarest words the text query uses."""
NEAREST = 100
"""Articles with a query word read on each side of the article, per word."""
TOPIC_NEAREST = 50
"""Articles of each topic read on each side of the article's publication time."""
MAX_TOPICS = 8
"""Topics of the article that find candidates."""
TEXT_CANDIDATES = 200
"""Best text matches that become candidates."""
RANKED = 100
"""Similar articles kept per article (the largest page)."""

STOP_WORDS = frozenset(
    (
        "about",
        "after",
        "again",
        "against",
        "also",
        "among",
        "and",
        "any",
        "are",
        "around",
        "because",
        "been",
        "before",
        "being",
        "between",
        "both",
        "but",
        "can",
        "could",
        "did",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "into",
        "its",
        "just",
        "more",
        "most",
        "new",
        "not",
        "now",
        "off",
        "once",
        "only",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "says",
        "she",
        "should",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "too",
        "under",
        "until",
        "very",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
    )
)
_WORD = re.compile(r"[^\W_]{3,}")

SOURCE_SQL = (
    "SELECT title, excerpt, sk_published, (SELECT max(id) FROM articles) FROM articles WHERE id = ?"
)
TOPICS_SQL = "SELECT topic_id FROM article_topics WHERE article_id = ? ORDER BY position LIMIT ?"
_PROBE_PART = (
    "SELECT ?, count(*), ifnull(min(rowid), 0) FROM (SELECT rowid FROM articles_fts"
    " WHERE articles_fts MATCH ? ORDER BY rowid DESC LIMIT ?)"
)
_BELOW = (
    "SELECT rowid AS id, ? AS w FROM (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
    " AND rowid < ? ORDER BY rowid DESC LIMIT ?)"
)
_ABOVE = (
    "SELECT rowid AS id, ? AS w FROM (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
    " AND rowid > ? ORDER BY rowid LIMIT ?)"
)
_TOPIC_BEFORE = (
    "SELECT article_id FROM (SELECT article_id FROM article_topics WHERE topic_id = ?"
    " AND (sk_published, article_id) < (?, ?) ORDER BY sk_published DESC, article_id DESC"
    " LIMIT ?)"
)
_TOPIC_AFTER = (
    "SELECT article_id FROM (SELECT article_id FROM article_topics WHERE topic_id = ?"
    " AND (sk_published, article_id) > (?, ?) ORDER BY sk_published, article_id LIMIT ?)"
)
SHARED_SQL = (
    f"SELECT article_id, count(*) FROM article_topics WHERE article_id IN {IDS}"
    f" AND topic_id IN {IDS} GROUP BY article_id"
)
_CACHE_KEY = "similar"


def significant_words(*texts: str | None) -> list[str]:
    """The distinct words worth probing, in order of appearance (title first)."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in _WORD.findall(_fold(text or "")):
            if word not in STOP_WORDS and not word.isdigit():
                seen.setdefault(word, None)
                if len(seen) == MAX_WORDS:
                    return list(seen)
    return list(seen)


def _fold(text: str) -> str:
    """Lower case without diacritics, as the text index's tokenizer reads words."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _phrase(word: str, columns: str = "") -> str:
    return f'{columns}"{word}"'


class SimilarReads(SessionCore):
    """Articles like a given one (see the module doc)."""

    def similar_ids(self, ids: Iterable[int]) -> dict[int, list[int]]:
        """The ranked similar article ids of each article (by id), best first."""
        out: dict[int, list[int]] = {}
        for article_id in sorted(set(ids)):
            key = (self.content_version(), _CACHE_KEY, article_id)
            found = self.aggregates.get(key) if self.aggregates is not None else None
            if found is None:
                self.slow()  # a few milliseconds at a million articles: not on the event loop
                found = self._rank(article_id)
                if self.aggregates is not None:
                    self.aggregates.put(key, found)
            out[article_id] = found
        hidden = self.visibility().hidden  # ranked once per version, hidden per request
        if hidden:
            out = {k: [i for i in v if i not in hidden] for k, v in out.items()}
        return out

    def _rank(self, article_id: int) -> list[int]:
        source = self.rows(SOURCE_SQL, (article_id,))
        if not source:
            return []
        title, excerpt, published, newest = source[0]
        topics = [t for (t,) in self.rows(TOPICS_SQL, (article_id, MAX_TOPICS))]
        weights = self._weights(significant_words(title, excerpt), newest or 0)
        text = self._text_scores(article_id, weights)
        candidates = set(text)
        if topics:
            candidates |= self._topic_neighbours(article_id, published, topics)
        shared: dict[int, int] = {}
        if topics and candidates:
            shared = dict(self.rows(SHARED_SQL, (ids_json(candidates), ids_json(topics))))
        text_total = sum(weights.values())
        scores = {
            c: (text.get(c, 0.0) / text_total if text_total else 0.0)
            + (shared.get(c, 0) / len(topics) if topics else 0.0)
            for c in candidates
        }
        ranked = sorted(scores, key=lambda c: (-scores[c], -c))
        return ranked[:RANKED]

    def _weights(self, words: list[str], newest: int) -> dict[str, float]:
        """The :data:`TERMS` rarest words (with another article) and their weights."""
        if not words:
            return {}
        sql = " UNION ALL ".join([_PROBE_PART] * len(words))
        params: list[object] = []
        for word in words:
            params.extend((word, _phrase(word), PROBE))
        densities: list[tuple[float, str]] = []
        for word, count, low in self.rows(sql, params):
            if count <= 1:
                continue  # no other article has it
            span = newest if count < PROBE else newest - low + 1
            densities.append((count / max(span, 1), word))
        densities.sort()
        return {word: math.log1p(1 / density) for density, word in densities[:TERMS]}

    def _text_scores(self, article_id: int, weights: dict[str, float]) -> dict[int, float]:
        """The summed weights of the query words the nearest matching articles have."""
        if not weights:
            return {}
        parts: list[str] = []
        params: list[object] = []
        for word, weight in weights.items():
            phrase = _phrase(word, "{title excerpt}: ")
            parts.extend((_BELOW, _ABOVE))
            params.extend((weight, phrase, article_id, NEAREST) * 2)
        sql = (
            f"SELECT id, sum(w) AS s FROM ({' UNION ALL '.join(parts)})"
            " GROUP BY id ORDER BY s DESC, id DESC LIMIT ?"
        )
        params.append(TEXT_CANDIDATES)
        return {int(i): float(s) for i, s in self.rows(sql, params)}

    def _topic_neighbours(self, article_id: int, published: str, topics: list[int]) -> set[int]:
        """Articles of the same topics published just before and after this one."""
        parts: list[str] = []
        params: list[object] = []
        for topic in topics:
            parts.extend((_TOPIC_BEFORE, _TOPIC_AFTER))
            params.extend((topic, published, article_id, TOPIC_NEAREST) * 2)
        return {int(i) for (i,) in self.rows(" UNION ".join(parts), params)}
