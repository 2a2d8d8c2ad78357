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

import base64
import gc
import re
import unicodedata
from bisect import bisect
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from random import Random
from typing import Any, NamedTuple

DEFAULT_START = datetime(2026, 6, 30, tzinfo=UTC)
SPAN = timedelta(days=2192)  # about six years of news before ``start``
RARE_EVERY = 50


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split(sep) if w.strip())


def _list(text: str) -> tuple[str, ...]:
    return _words(text, ";")


RARE_WORDS = _words("""zorbulate quixalith vermiglade snarvelo plinthwick gromulent brixtonel
yarrowisk fjelmquist oozlebart caddlewump thrumbly""")  # made up: in no other text

NOUNS = _words("""
platform model chip network cloud server browser update feature app device smartphone laptop
tablet startup regulator lawsuit privacy policy breach ransomware vulnerability patch framework
library database algorithm dataset robot drone satellite rocket battery sensor camera display
processor GPU memory storage bandwidth subscription marketplace developer engineer researcher
customer partner investor merger acquisition earnings revenue forecast outage incident report
benchmark assistant chatbot agent pipeline workflow dashboard analytics compiler runtime kernel
container cluster workload firmware protocol standard encryption password identity token wallet
payment blockchain exchange headset console studio stream creator advertiser campaign election
antitrust tariff factory wafer transistor qubit telescope mission grid turbine charger vehicle
autopilot search index feed timeline newsletter podcast spreadsheet connector portal form plugin
extension toolkit repository license roadmap preview release beta version copilot keyboard
router modem fiber datacenter backup migration integration deployment observability telemetry""")
VERBS = _words("""
launch unveil ship acquire block ban fine sue patch expand cut raise test delay rebuild open
retire scale secure redesign migrate integrate automate accelerate simplify replace challenge
rethink overhaul upgrade invest pilot certify license deprecate benchmark train deploy monitor
audit track restrict approve reject investigate fix preview rename bundle unify""")
ADJS = _words("""
new faster cheaper open-source secure private generative autonomous quantum hybrid modular
native real-time low-code no-code scalable distributed federated encrypted experimental
flagship budget premium foldable wireless portable sustainable massive tiny critical unexpected
controversial long-awaited major global regional mobile enterprise consumer serverless
cloud-native smart digital virtual immersive responsive efficient robust legacy offline""")
COMPANIES = _list("""Microsoft;Google;Apple;Amazon;Meta;Nvidia;Intel;AMD;Samsung;IBM;Oracle;
Salesforce;Adobe;Netflix;Spotify;Tesla;OpenAI;Anthropic;Cisco;Dell;Sony;Nintendo;Qualcomm;Arm;
TSMC;Huawei;Xiaomi;Baidu;Alibaba;SAP;Siemens;Stripe;Shopify;Zoom;GitHub;Mozilla;Red Hat""")
PRODUCTS = _list("""Power Apps;Power BI;Teams;Azure;Windows 11;Copilot;Gemini;Android;iOS;
macOS;Chrome;Firefox;Kubernetes;Docker;Python;Rust;TypeScript;PostgreSQL;SQLite;Linux;Xbox;
PlayStation;Pixel;iPhone;Galaxy;Vision Pro;Quest;ChatGPT;Claude;Llama;Dynamics 365;SharePoint;
Excel;Outlook;VS Code;Raspberry Pi;Starlink""")
PLACES = _list("""Canada;Europe;Britain;India;Japan;Brazil;São Paulo;Zürich;Montréal;Québec;
Kraków;Malmö;Reykjavík;Düsseldorf;Bogotá;Texas;California;Singapore;Nairobi;Seoul""")
TITLES = _list("""{C} {S} {A} {N} for {P};{C}’s {A} {N} could {V} the {N} market;
How {P} is changing the {A} {N};{P} gets a {A} {N} and a {A} {N};{C} {S} {N} in {L};
The {A} {N} from {C} is finally here;Exclusive: {C} in talks to {V} {A} {N} maker;
Review: {P} is a {A} {N} with a {A} {N};{P} {N} | {Y} release wave {D} overview;
“{A} {N}”: {C} {S} {P} in {L};{C} to {V} {N} in {L} after {N} {N};Hands-on with {P}: {A}, {A};
#{D} things to know about the {A} {P} {N};Regulators in {L} {V} {C}'s {N} deal;
Analyst says {C} "{A} {N}" is a risky bet;{P} bug mangles {A} paths like C:\\Users\\{N};
Café-grade {N}? {C} bets on a {A} {N};{C} {S} {N} as {N} sales slip {D}%;
{C} {S} {A} {N}, {A} {N} at {N} event;{C} and {C} team up to {V} the {A} {N};
Why the {A} {N} matters for {C}""")
SENTENCES = _list("""{C} said it will {V} its {A} {N} in {L} later this year.;
The {A} {N} lets every {N} {V} the {N} without a {N}.;{C} declined to comment on the {A} {N}.;
According to the {N}, the {N} could {V} {N} costs by {D}0 percent.;
Critics argue the {N} is too {A} to {V} the {N}.;Analysts expect the {N} to {V} {N} in {Y}.;
It is the company’s first {A} {N} since the {N} of {P}.;“We want to {V} the {N},” {C} said.;
{P} users will be able to {V} a {N} directly from the {N}.;The {N} costs ${D}9 a month.;
The update arrives as {C} and {C} race to {V} the {A} {N}.;
Developers can {V} the {N} with a {A} {N} and a {A} {N}.;
Here are the capabilities covered: {N}, {N} and {A} {N}.;
The {N} is available in preview for {P} customers in {L}.""")
TOPIC_TREE = {root: kids.split(", ") for root, kids in (t.split(": ") for t in _list("""
AI: Machine Learning, Computer Vision, Natural Language Processing, Generative AI, Robotics
Cloud: Kubernetes, Serverless, Cloud Storage, Edge Computing
Security: Ransomware, Privacy, Zero Trust, Vulnerabilities, Identity
Developer Tools: Programming Languages, Open Source, DevOps, C# & .NET, Low-code
Data: Databases, Analytics, Data Engineering;Mobile: Android, iOS, Wearables
Hardware: Semiconductors, PCs & Laptops, Quantum Computing;Gaming: Consoles, Esports
Business: Startups, Funding, Regulation, Earnings, M&A;Science & Space: Space, Climate, Energy
Power Platform: Power Apps, Power Automate, Power BI""".replace("\n", ";")))}  # fmt: skip
TOPICS: list[tuple[str, str | None]] = [(root, None) for root in TOPIC_TREE]
TOPICS += [(kid, root) for root, kids in TOPIC_TREE.items() for kid in kids]
SHORTNAMES = {"Machine Learning": "ML", "Natural Language Processing": "NLP",
              "Generative AI": "GenAI", "Quantum Computing": "Quantum"}  # fmt: skip
KNOWN_PROVIDERS = [
    p.split("=")
    for p in _list("""Microsoft=microsoft.com;
The Verge=theverge.com;TechCrunch=techcrunch.com;Wired=wired.com;Ars Technica=arstechnica.com;
ZDNet=zdnet.com;Engadget=engadget.com;The Next Web=thenextweb.com;Wall Street Journal=wsj.com;
Reuters=reuters.com;Bloomberg=bloomberg.com;BBC=bbc.com;CNBC=cnbc.com;GeekWire=geekwire.com;
VentureBeat=venturebeat.com;InfoWorld=infoworld.com;Threat Post=threatpost.com;
Neowin=neowin.net;Windows Central=windowscentral.com;TechRadar=techradar.com;Forbes=forbes.com;
Dark Reading=darkreading.com;Tom’s Hardware=tomshardware.com;9to5Mac=9to5mac.com;
MIT Technology Review=technologyreview.com;Les Échos=lesechos.fr;El País=elpais.com;
Süddeutsche Zeitung=sueddeutsche.de;heise online=heise.de;On MSFT=onmsft.com""")
]
_PREFIXES = _words("""Cloud Data Byte Silicon Quantum Pixel Circuit Kernel Signal Vector Tensor
Stack Packet Orbit Neon Binary Cipher Lambda Fiber Photon Logic Matrix Nano Hyper Cyber Open
Bright Swift Atlas Nimbus Cobalt Copper Pioneer Harbor Summit Meridian Polar Tidal Zenith Echo""")
_SUFFIXES = _words("""Wire Times Daily Report Insider Journal Herald Post Review Digest Gazette
Monitor Weekly Chronicle Beat Hub Today Observer Dispatch Ledger Brief Pulse Lab Radar Current""")
_REGIONS = (("", ""), (" Europe", "-eu"), (" Asia", "-asia"), (" Africa", "-af"), (" Latam", "-la"))
_TLDS = (".com", ".com", ".com", ".net", ".io", ".co.uk", ".org", ".de")
_SIZES = ((1200, 630), (1600, 1600), (1280, 720), (1200, 800), (647, 450), (1024, 768),
          (400, 400), (1200, 675), (760, 428), (1200, 600), (1920, 1080), (800, 600))  # fmt: skip
_SIZE_CUM = [x / 309 for x in accumulate((167, 66, 21, 19, 6, 5, 5, 5, 4, 4, 4, 3))]
_URLS = ("https://www.{d}/{day}/{slug}/", "https://{d}/news/{slug}-{n}",
         "https://www.{d}/articles/{slug}-{n}0{n}", "https://{d}/tech/{day}/{slug}/")  # fmt: skip
_IFRAME = ('<iframe width="800" height="500" frameborder="0" src="https://www.youtube.com/embed/'
           '{}" allow="accelerometer; autoplay; encrypted-media; gyroscope; picture-in-picture" '
           "allowfullscreen></iframe>")  # fmt: skip
_CREDITS = ("Getty Images", "Reuters", "AP Photo", "Shutterstock", "Unsplash")
_EXTS, _ENDS = ("jpg", "jpg", "jpg", "png", "webp"), ("...", " ...", "…", "")
_B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_RELATED_KEYS = ("title", "excerpt", "publishedDateTime", "webUrl", "ampWebUrl", "cdnAmpWebUrl",
                 "type", "provider", "quality", "images")  # fmt: skip
LOGO_BASE = "https://static.newsgraph.example/assets/images/organizations/"
_POOLS = {"C": COMPANIES, "P": PRODUCTS, "N": NOUNS, "A": ADJS, "V": VERBS, "L": PLACES,
          "S": tuple(v + "es" if v.endswith(("s", "sh", "ch", "x")) else v + "s" for v in VERBS),
          "D": tuple("23456789"), "Y": ("2025", "2026", "2027", "2028")}  # fmt: skip
Template = tuple[str | tuple[str, ...], ...]


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


class Item(NamedTuple):
    """One generated item: its path below the corpus root, front matter and body."""

    path: str
    data: dict[str, Any]
    body: str


class _Provider(NamedTuple):
    name: str
    domain: str
    style: int  # which of ``_URLS``
    record: bool  # has an ``_data/organizations`` file and a logo
    description: str | None


def slugify(text: str) -> str:
    """The slug of a title: ASCII, lower-case, dash-separated, at most 80 characters."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")
    return (slug[:81].rsplit("-", 1)[0] if len(slug) > 80 else slug) or "item"


def rare_word_items(count: int) -> dict[str, int]:
    """How many of ``count`` items carry each of ``RARE_WORDS`` in their title."""
    words = (RARE_WORDS[i // RARE_EVERY % len(RARE_WORDS)] for i in range(0, count, RARE_EVERY))
    return dict(Counter(words))


def _compile(template: str) -> Template:
    parts = re.split(r"\{(\w)\}", template)
    return tuple(_POOLS[p] if i % 2 else p for i, p in enumerate(parts) if p)


def _zipf(n: int, s: float) -> list[float]:
    cum = list(accumulate(1 / (r + 1) ** s for r in range(n)))
    return [c / cum[-1] for c in cum]


class _World:
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
        combos = [(p, s, rng.choice(_TLDS)) for p in _PREFIXES for s in _SUFFIXES]
        rng.shuffle(names)
        rng.shuffle(combos)
        for region, code in _REGIONS:  # past 1,000 invented names come regional editions
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
            text = text[:target].rsplit(" ", 1)[0] + self.pick(_ENDS)
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
        return _URLS[prov.style].format(d=prov.domain, day=day, slug=slug, n=n)

    def image(self, prov: _Provider, when: datetime, slug: str, k: int = 0) -> dict[str, Any]:
        if self.rnd() < 0.7:
            w, h = _SIZES[bisect(_SIZE_CUM, self.rnd())]
        else:
            w = self.rng.randrange(320, 2049)
            h = int(w / (1 + self.rnd()))
        host = ("media.", "cdn.", "images.", "static.")[prov.style] + prov.domain
        name = f"{slug[:40].strip('-')}{f'-{k}' if k else ''}-{w}x{h}.{self.pick(_EXTS)}"
        url = f"https://{host}/wp-content/uploads/{when.year}/{when.month:02d}/{name}"
        img: dict[str, Any] = {"url": url, "width": w, "height": h, "isCached": self.rnd() < 0.9}
        if self.rnd() < 0.06:
            img["title"] = f"{self.pick(ADJS)} {self.pick(NOUNS)}".capitalize()
            img["attribution"] = f"Photo: {self.pick(_CREDITS)}"
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
            vid = "".join(self.rng.choices(_B64URL, k=11)) if video else ""
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
                data["featuredContent"] = _IFRAME.format(vid)
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
                entry = {k: data[k] for k in _RELATED_KEYS if k in data}
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


# --- YAML, hand-formatted in the corpus's style ----------------------------------------------
_ESCAPES = {chr(c): f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}
_ESCAPES |= {"\\": "\\\\", '"': '\\"', "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x85": "\\N"}
_ESCAPES |= {"\u2028": "\\L", "\u2029": "\\P", "\ufeff": "\\uFEFF", "\ufffe": "\\uFFFE"}
_NEEDS_ESCAPE = re.compile("[" + re.escape("".join(_ESCAPES)) + "]")
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 .&+’'-]*[A-Za-z0-9.]\Z")
_RESERVED = frozenset(("y", "n", "yes", "no", "on", "off", "true", "false", "null"))
_PLAIN_KEYS = frozenset(
    ("category", "type", "name", "domain", "taxonomy", "_id", "parent", "shortname")
)
_EMPTY = {dict: "{}", list: "[]"}
_GROUPS = frozenset(("featuredContent", "provider", "topics", "images", "related", "secured"))


def quote(text: str) -> str:
    """A YAML double-quoted scalar for any string (quotes, backslashes, controls escaped)."""
    return f'"{_NEEDS_ESCAPE.sub(lambda m: _ESCAPES[m.group()], text)}"'


def _scalar(value: Any, plain: bool = False) -> str:
    kind = value.__class__
    if kind is str:
        if plain and _PLAIN.match(value) and value.lower() not in _RESERVED:
            return str(value)
        if value.isprintable() and '"' not in value and "\\" not in value:  # usual, fast
            return f'"{value}"'
        return quote(value)
    if kind is bool:
        return "true" if value else "false"
    if isinstance(value, datetime):
        return f"{(value if value.tzinfo is UTC else value.astimezone(UTC)).isoformat()[:19]}Z"
    return str(int(value))


def _lines(out: list[str], data: dict[str, Any], pad: str, groups: frozenset[str]) -> None:
    for key, value in data.items():
        kind = value.__class__
        if key in groups:
            out.append("")
        if kind is dict and value:
            out.append(f"{pad}{key}:")
            _lines(out, value, pad + "  ", frozenset())
        elif kind is list and value:
            out.append(f"{pad}{key}:")
            inner, plain = pad + "    ", key in _PLAIN_KEYS or key in ("topics", "keywords")
            for v in value:
                if v.__class__ is dict and v:
                    first = len(out)
                    _lines(out, v, inner, frozenset())
                    out[first] = f"{pad}  - {out[first][len(inner) :]}"
                else:
                    out.append(f"{pad}  - {_scalar(v, plain)}")
        else:
            empty = _EMPTY.get(kind)  # only reached by an empty dict or list
            out.append(f"{pad}{key}: {empty or _scalar(value, key in _PLAIN_KEYS)}")


def to_yaml(data: dict[str, Any], groups: frozenset[str] = frozenset()) -> str:
    """Block-style YAML for ``data``; a blank line goes before each key in ``groups``."""
    out: list[str] = []
    _lines(out, data, "", groups)
    return "\n".join(out) + "\n"


def render_item(item: Item) -> str:
    """The file text of an item: front matter between ``---`` lines, a blank line, body."""
    return f"---\n{to_yaml(item.data, _GROUPS)}---\n\n{item.body}"


def iter_items(count: int, *, seed: int = 1, start: datetime | None = None) -> Iterator[Item]:
    """The items :func:`generate` writes for these arguments, in date order."""
    return _World(Random(seed), count, start).items()


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
        return _write(dest, _World(Random(seed), count, start), taxonomy)
    finally:
        if enabled:
            gc.enable()


def _write(dest: Path, world: _World, taxonomy: bool) -> CorpusStats:
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
