"""Near-duplicate titles: word sets, MinHash bands to find candidates, and the test.

Two titles are the same story when their word sets (case-folded, common words
and common suffixes dropped) overlap by at least :data:`SAME_STORY` (Jaccard)
and they carry the same numbers ("Power Apps 3.21" is not "Power Apps 3.22").
Reworded headlines of one event usually pass ("Canada rules Clearview facial
recognition illegal" and "Clearview facial-recognition technology ruled illegal
in Canada": 0.75); two stories that share a few words do not.

Comparing every pair is out of the question at a million articles, so each
title also gets :data:`BANDS` MinHash band keys (:data:`ROWS` minimum hashes
each, of :data:`BANDS` x :data:`ROWS` hash functions: the 64-bit words of one
SHAKE-128 digest per word). Titles with a Jaccard of 0.6 share a band with
probability 0.93, of 0.75 with 0.99, and two that share one word in ten with
0.06. The loader stores the keys; candidates are the articles that share one,
published within a few days, and each candidate is checked with
:func:`same_story`. The hashes are stable across processes and
Python versions (SHAKE-128, not ``hash()``).
"""

from __future__ import annotations

import re
import struct
from hashlib import shake_128

SAME_STORY = 0.6
"""The least Jaccard similarity of two titles' word sets for one story."""
MIN_WORDS = 3
"""Titles with fewer significant words are not matched by title (only by URL)."""
BANDS = 6
ROWS = 2
_MASK = (1 << 63) - 1
_MIX = 0x9E3779B97F4A7C15
_BAND = 0x632BE59BD9B4E019
_HASHES = struct.Struct(f"<{BANDS * ROWS}Q")
_WORD = re.compile(r"\w+")
STOPWORDS = frozenset(
    (
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "how", "in",
        "into", "is", "it", "its", "of", "on", "or", "our", "over", "than", "that", "the", "their",
        "this", "to", "up", "via", "vs", "was", "what", "when", "why", "will", "with", "you",
        "your",
    )
)  # fmt: skip
"""Words too common to say what a headline is about."""


def title_words(title: str | None) -> frozenset[str]:
    """The significant words of a title: case-folded, without common words, stemmed."""
    if not title:
        return frozenset()
    out = set()
    for word in _WORD.findall(title.casefold()):
        if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
            continue
        word = _stem(word)
        out.add(word)
    return frozenset(out)


def _stem(word: str) -> str:
    """A crude English stem, enough for headlines ("rules", "ruled" -> "rul")."""
    if len(word) > 4:
        for suffix in ("ing", "ed", "es"):
            if word.endswith(suffix):
                return word[: -len(suffix)]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def same_story(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two titles' word sets (:func:`title_words`) tell the same story."""
    if len(a) < MIN_WORDS or len(b) < MIN_WORDS:
        return False
    if {w for w in a if w.isdigit()} != {w for w in b if w.isdigit()}:
        return False
    shared = len(a & b)
    return shared >= SAME_STORY * (len(a) + len(b) - shared)


def title_bands(words: frozenset[str]) -> tuple[int, ...]:
    """The MinHash band keys of a title's word set (none for a title too short)."""
    if len(words) < MIN_WORDS:
        return ()
    # one SHAKE-128 digest per word gives all its hash values at once (one C call)
    per_word = [_HASHES.unpack(shake_128(w.encode()).digest(_HASHES.size)) for w in words]
    minima = [min(column) for column in zip(*per_word, strict=True)]
    return tuple(
        ((minima[b * ROWS] ^ (minima[b * ROWS + 1] * _MIX)) + b * _BAND) & _MASK
        for b in range(BANDS)
    )
