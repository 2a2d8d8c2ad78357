"""The world a generated corpus is drawn from: providers, topics, dates, and the items.

One ``random.Random`` drives every choice, in a fixed order, so the same
``(count, seed, start)`` always draws the same items (see :mod:`bench.corpus`).
"""

from __future__ import annotations

import base64
import re
import unicodedata
from bisect import bisect
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from random import Random
from typing import Any, NamedTuple

from bench.vocabulary import (
    ADJS,
    B64URL,
    CREDITS,
    ENDS,
    EXTS,
    IFRAME,
    KNOWN_PROVIDERS,
    LOGO_BASE,
    NOUNS,
    POOLS,
    PREFIXES,
    PRODUCTS,
    RARE_WORDS,
    REGIONS,
    RELATED_KEYS,
    SENTENCES,
    SHORTNAMES,
    SIZE_CUM,
    SIZES,
    SUFFIXES,
    TITLES,
    TLDS,
    TOPICS,
    URLS,
    VERBS,
)
from bench.yaml_style import to_yaml

DEFAULT_START = datetime(2026, 6, 30, tzinfo=UTC)
SPAN = timedelta(days=2192)  # about six years of news before ``start``
RARE_EVERY = 50


Template = tuple[str | tuple[str, ...], ...]


class Item(NamedTuple):
    """One generated item: its path below the corpus root, front matter and body."""

    path: str
    data: dict[str, Any]
    body: str


class _Provider(NamedTuple):
    name: str
    domain: str
    style: int  # which of ``URLS``
    record: bool  # has an ``_data/organizations`` file and a logo
    description: str | None


def slugify(text: str) -> str:
    """The slug of a title: ASCII, lower-case, dash-separated, at most 80 characters."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")
    return (slug[:81].rsplit("-", 1)[0] if len(slug) > 80 else slug) or "item"


def _compile(template: str) -> Template:
    parts = re.split(r"\{(\w)\}", template)
    return tuple(POOLS[p] if i % 2 else p for i, p in enumerate(parts) if p)


def _zipf(n: int, s: float) -> list[float]:
    cum = list(accumulate(1 / (r + 1) ** s for r in range(n)))
    return [c / cum[-1] for c in cum]


class World:
    """The providers, topics and dates of one corpus, and the items drawn from them."""

    def __init__(self, rng: Random, count: int, start: datetime | None) -> None:
        if count < 0:
            raise ValueError(f"count must be >= 0, got {count}")
        start = start or DEFAULT_START
        self.end = start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)
        self.rng, self.rnd, self.count = rng, rng.random, count
        self.titles = [_compile(t) for t in TITLES]
        self.sentences = [_compile(s) for s in SENTENCES]
        self.providers = self._providers(min(2000, 20 + count // 50))
        self.topics = list(TOPICS)
        rng.shuffle(self.topics)  # which topics are popular differs by seed
        self.pcum, self.tcum = _zipf(len(self.providers), 1.1), _zipf(len(self.topics), 0.9)
        self.recent: deque[dict[str, Any]] = deque(maxlen=200)  # items later ones may link
        self.outside: deque[dict[str, Any]] = deque(maxlen=300)  # stories several items link

    def _providers(self, size: int) -> list[_Provider]:
        rng, names = self.rng, [(n, d) for n, d in KNOWN_PROVIDERS]
        combos = [(p, s, rng.choice(TLDS)) for p in PREFIXES for s in SUFFIXES]
        rng.shuffle(names)
        rng.shuffle(combos)
        for region, code in REGIONS:  # past 1,000 invented names come regional editions
            names += [(f"{p} {s}{region}", f"{p}{s}{code}".lower() + t) for p, s, t in combos]
        out = []
        for name, domain in names[:size]:
            desc = self.sentence() if self.rnd() < 0.5 else None
            out.append(_Provider(name, domain, rng.randrange(4), self.rnd() < 0.7, desc))
        return out

    def pick(self, pool: tuple[str, ...]) -> str:
        return pool[int(self.rnd() * len(pool))]

    def fill(self, parts: Template) -> str:
        rnd = self.rnd
        return "".join([p if p.__class__ is str else p[int(rnd() * len(p))] for p in parts])

    def sentence(self) -> str:
        return self.fill(self.sentences[int(self.rnd() * len(self.sentences))])

    def title(self, rare: str | None = None) -> str:
        roll = self.rnd()
        if roll < 0.05:
            text = f"{self.pick(PRODUCTS)} {self.pick(NOUNS)} {self.pick(VERBS)}"
        else:
            text = self.fill(self.titles[int(self.rnd() * len(self.titles))])
            text = f"{text}: {self.sentence()[:-1]}" if roll > 0.82 else text
        return f"{text}: inside the {rare} {self.pick(NOUNS)}" if rare else text

    def excerpt(self, longest: int = 340) -> str:
        target = int(self.rng.triangular(40, longest, longest * 0.8))
        glue, text = "\r\n" if self.rnd() < 0.03 else " ", self.sentence()
        while len(text) < target:
            text += glue + self.sentence()
        if len(text) > target + 20 and self.rnd() < 0.6:
            text = text[:target].rsplit(" ", 1)[0] + self.pick(ENDS)
        return text

    def provider(self) -> _Provider:
        return self.providers[bisect(self.pcum, self.rnd())]

    def topic_names(self) -> list[str]:
        want, out = bisect((0.55, 0.85, 0.97), self.rnd()) + 1, list[str]()
        for _ in range(want * 3):
            name, parent = self.topics[bisect(self.tcum, self.rnd())]
            if parent and parent not in out and len(out) + 2 <= want and self.rnd() < 0.6:
                out.append(parent)
            if name not in out:
                out.append(name)
            if len(out) >= want:
                break
        return out

    def url(self, prov: _Provider, when: datetime, slug: str) -> str:
        day, n = when.isoformat()[:10].replace("-", "/"), self.rng.randrange(10**5, 10**6)
        return URLS[prov.style].format(d=prov.domain, day=day, slug=slug, n=n)

    def image(self, prov: _Provider, when: datetime, slug: str, k: int = 0) -> dict[str, Any]:
        if self.rnd() < 0.7:
            w, h = SIZES[bisect(SIZE_CUM, self.rnd())]
        else:
            w = self.rng.randrange(320, 2049)
            h = int(w / (1 + self.rnd()))
        host = ("media.", "cdn.", "images.", "static.")[prov.style] + prov.domain
        name = f"{slug[:40].strip('-')}{f'-{k}' if k else ''}-{w}x{h}.{self.pick(EXTS)}"
        url = f"https://{host}/wp-content/uploads/{when.year}/{when.month:02d}/{name}"
        img: dict[str, Any] = {"url": url, "width": w, "height": h, "isCached": self.rnd() < 0.9}
        if self.rnd() < 0.06:
            img["title"] = f"{self.pick(ADJS)} {self.pick(NOUNS)}".capitalize()
            img["attribution"] = f"Photo: {self.pick(CREDITS)}"
        return img

    def quality(self) -> int:
        return min(250, int(self.rng.gammavariate(2.6, 29)))

    def related(self, when: datetime) -> list[dict[str, Any]]:
        out, seen = list[dict[str, Any]](), set[str]()
        n = 0 if self.rnd() < 0.4 else bisect((0.3, 0.6, 0.8, 0.92), self.rnd()) + 1
        for _ in range(n):
            roll = self.rnd()
            if self.recent and roll < 0.2:
                entry = self.recent[int(self.rnd() * len(self.recent))]
            elif len(self.outside) > 20 and roll < 0.5:
                entry = self.outside[int(self.rnd() * len(self.outside))]
            else:
                entry = self.story(when)
                self.outside.append(entry)
            if entry["webUrl"] not in seen:
                seen.add(entry["webUrl"])
                out.append(entry)
        return out

    def story(self, when: datetime) -> dict[str, Any]:
        """A related story from outside the corpus, published within three days of ``when``."""
        prov, title = self.provider(), self.title()
        at = min(self.end, when + timedelta(seconds=self.rng.randint(-259200, 259200)))
        slug = slugify(title)
        entry: dict[str, Any] = {"title": title, "excerpt": self.excerpt(200)}
        entry["publishedDateTime"], entry["webUrl"] = at, self.url(prov, at, slug)
        if self.rnd() < 0.15:
            entry["ampWebUrl"], entry["cdnAmpWebUrl"] = _amp(entry["webUrl"])
        entry["type"] = "video" if self.rnd() < 0.08 else "article"
        if self.rnd() < 0.9:
            entry["provider"] = {"name": prov.name, "domain": prov.domain}
        entry["quality"] = self.quality()
        if self.rnd() < 0.75:
            entry["images"] = [self.image(prov, at, slug)]
        return entry

    def body(self) -> str:
        blocks = list[str]()
        for k in range(bisect((0.2, 0.45, 0.65, 0.8, 0.92), self.rnd()) + 1):
            if k and self.rnd() < 0.25:
                blocks.append(f"## {self.pick(ADJS).capitalize()} {self.pick(NOUNS)}")
            para = " ".join(self.sentence() for _ in range(self.rng.randint(2, 5)))
            if self.rnd() < 0.3:
                link = f"https://{self.provider().domain}/{self.pick(NOUNS)}/{k + 1}/"
                para += f" Read the [{self.pick(ADJS)} {self.pick(NOUNS)} announcement]({link})."
            blocks.append(para)
            if self.rnd() < 0.15:
                bullets = [f"- {self.pick(ADJS)} {self.pick(NOUNS)}" for _ in range(k + 2)]
                blocks.append("\n".join(bullets))
        return "\n\n".join(blocks) + "\n"

    def times(self) -> list[datetime]:
        end, span, used = int(self.end.timestamp()), int(SPAN.total_seconds()), set[int]()
        for _ in range(self.count):
            t = end - span + int(span * self.rnd() ** 0.75)  # denser towards ``start``
            t -= t % 60 if self.rnd() < 0.5 else 0
            while t in used:
                t -= 1
            used.add(t)
        return [datetime.fromtimestamp(t, UTC) for t in sorted(used)]

    def items(self) -> Iterator[Item]:
        rnd, stems = self.rnd, set[str]()
        for i, when in enumerate(self.times()):
            rare = RARE_WORDS[i // RARE_EVERY % len(RARE_WORDS)] if i % RARE_EVERY == 0 else None
            prov, title = self.provider(), self.title(rare)
            day, slug, n = when.isoformat()[:10], slugify(title), 1
            while (stem := f"{day}-{slug}{f'-{n}' if n > 1 else ''}") in stems:
                n += 1
            stems.add(stem)
            web, video = self.url(prov, when, stem[11:]), rnd() < 0.15
            vid = "".join(self.rng.choices(B64URL, k=11)) if video else ""
            data: dict[str, Any] = {"category": "news", "title": title, "excerpt": self.excerpt()}
            data["publishedDateTime"] = when
            data["originalUrl"] = f"https://youtube.com/watch?v={vid}" if video else web
            if rnd() < 0.98:
                data["webUrl"] = web
                if rnd() < 0.06:
                    data["ampWebUrl"], data["cdnAmpWebUrl"] = _amp(web)
            data["type"], data["quality"] = "video" if video else "article", self.quality()
            heat, quality = rnd(), data["quality"]
            data["heat"] = (
                -1 if heat < 0.1 else max(0, quality + (heat > 0.6) * int(heat * 200 - 140))
            )
            data["published"] = rnd() < 0.64
            if video and rnd() < 0.14:
                data["featuredContent"] = IFRAME.format(vid)
            data["provider"] = {"name": prov.name, "domain": prov.domain}
            if prov.record and rnd() < 0.85:
                logo = {"url": f"{LOGO_BASE}{prov.domain}-50x50.jpg", "width": 50, "height": 50}
                data["provider"]["images"] = [logo]
            data["topics"] = self.topic_names()
            if (pictured := rnd() < 0.92) and video:
                yt = f"https://i.ytimg.com/vi/{vid}/maxresdefault.jpg"
                data["images"] = [{"url": yt, "width": 1280, "height": 720, "isCached": True}]
            elif pictured:
                n = bisect((0.85, 0.95, 0.99), rnd()) + 1
                data["images"] = [self.image(prov, when, stem[11:], k) for k in range(n)]
            if related := self.related(when):
                data["related"] = related
            secret = self.rng.randbytes(16 * self.rng.randint(14, 24))
            data["secured"] = f"{_b64(secret)};{_b64(self.rng.randbytes(16))}"
            body = self.body() if rnd() < 0.3 else ""
            if "webUrl" in data and rare is None:  # a target for later related links
                entry = {k: data[k] for k in RELATED_KEYS if k in data}
                self.recent.append(entry | {"provider": {"name": prov.name, "domain": prov.domain}})
            yield Item(f"_news/{when.year}/{stem}.md", data, body)

    def topic_files(self) -> Iterator[tuple[str, str]]:
        for n, (name, parent) in enumerate(TOPICS, 1):
            slug = slugify(name.replace("#", "sharp").replace("&", "and"))
            data: dict[str, Any] = {"taxonomy": "topic", "_id": slug, "name": name}
            if short := SHORTNAMES.get(name):
                data["shortname"] = short
            if parent:
                data["parent"] = parent
            data["keywords"] = [name.lower(), short.lower()] if short else [name.lower()]
            data["hashtags"] = ["#" + "".join(w[:1].upper() + w[1:] for w in slug.split("-"))]
            data["services"] = {"news": f"https://news.newsgraph.example/api/news/{slug}/"}
            yield f"_data/topics/{n:02d}-{slug}.yaml", to_yaml(data)

    def organization_files(self) -> Iterator[tuple[str, str]]:
        for p in (p for p in self.providers if p.record):
            data: dict[str, Any] = {"taxonomy": "organization", "_id": p.domain, "name": p.name}
            data["domain"] = p.domain
            if p.description:
                data["description"] = p.description
            logo = "/assets/images/organizations/{}-{}x{}.jpg"
            data["images"] = [{"url": logo.format(p.domain, s, s), "width": s, "height": s}
                              for s in (50, 400)]  # fmt: skip
            yield f"_data/organizations/{p.domain}.md", f"---\n{to_yaml(data)}---\n"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _amp(web: str) -> tuple[str, str]:
    amp = web + "amp/" if web.endswith("/") else web + "/amp/"
    host, _, path = amp.removeprefix("https://").partition("/")
    return amp, f"https://{host.replace('.', '-')}.cdn.ampproject.org/c/s/{host}/{path}"
