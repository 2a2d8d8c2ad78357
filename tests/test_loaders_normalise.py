"""From parsed YAML to typed records: what is accepted, what is refused, and why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.errors import ContentError
from core.records import Image, Provider
from loaders import frontmatter, normalise


def article(text: str, path: str = "_news/2024-01-01-x.md") -> Any:
    return normalise.article(path, frontmatter.split(path, text))


def fm(body: str) -> str:
    return f"---\n{body}\n---\n"


def test_seed_item_keeps_every_field(seed_file: Path) -> None:
    text = seed_file.read_text(encoding="utf-8")
    raw = yaml.safe_load(text.split("---\n")[1])
    art = article(text, f"_news/{seed_file.name}")
    assert art.slug == seed_file.stem
    assert art.category == raw["category"]
    assert art.title == raw["title"]
    assert art.excerpt == raw["excerpt"]
    assert art.published_at == "2021-02-04T12:52:00Z"
    assert art.original_url == raw["originalUrl"]
    assert art.web_url == raw["webUrl"]
    assert (art.type, art.quality, art.heat, art.published) == ("article", 24, -1, False)
    assert art.secured == raw["secured"]
    assert art.provider == Provider(domain="threatpost.com", name="Threat Post")
    assert art.topics == ("Computer Vision", "AI")
    assert art.images == (
        Image(url=raw["images"][0]["url"], width=750, height=499, is_cached=True),
    )
    assert len(art.related) == 2
    first = art.related[0]
    assert first.title == raw["related"][0]["title"]
    assert first.published_at == "2021-02-04T18:58:00Z"
    assert first.cdn_amp_web_url == raw["related"][0]["cdnAmpWebUrl"]
    assert first.provider == Provider(domain="thenextweb.com", name="The Next Web")
    assert first.quality == 87
    assert first.images[0].width == 796
    assert art.related[1].amp_web_url is None
    assert art.body is None
    assert art.extra is None


@pytest.mark.parametrize(
    ("line", "key", "message"),
    [
        ('quality: "high"', "quality", "expected a whole number, got 'high'"),
        ("heat: 1.5", "heat", "expected a whole number"),
        ("quality: true", "quality", "expected a whole number, got true"),
        ("images: 3", "images", "expected a list, got 3"),
        ("images:\n  - width: 3", "images", "images[0]: image has no url"),
        ("published: maybe", "published", "expected true or false"),
        ("publishedDateTime: yesterday", "publishedDateTime", "expected a date-time"),
        ("title: [a, b]", "title", "expected text, got a list"),
        ("topics: {a: 1}", "topics", "expected a list of topic names"),
        ("related: [1]", "related", "expected a related item"),
        ("provider: 7", "provider", "expected a provider"),
    ],
)
def test_wrong_types_are_refused_with_key_and_line(line: str, key: str, message: str) -> None:
    with pytest.raises(ContentError) as err:
        article(fm(f"category: news\n{line}"))
    assert message in err.value.reason
    assert err.value.reason.startswith(key)
    assert err.value.line == 3


@pytest.mark.parametrize(
    ("line", "attr", "expected"),
    [
        ('quality: "12"', "quality", 12),
        ("quality: 12.0", "quality", 12),
        ('published: "yes"', "published", True),
        ("published: 0", "published", False),
        ("publishedDateTime: 2021-02-04", "published_at", "2021-02-04T00:00:00Z"),
        ("publishedDateTime: 2021-02-04T14:52:00+02:00", "published_at", "2021-02-04T12:52:00Z"),
        ('publishedDateTime: "2021-02-04 12:52:00"', "published_at", "2021-02-04T12:52:00Z"),
        (
            "publishedDateTime: 2021-02-04T12:52:00.250Z",
            "published_at",
            "2021-02-04T12:52:00.250000Z",
        ),
        ("title: 2021", "title", "2021"),
        ("topics: AI", "topics", ("AI",)),
        ("topics: [AI, ai, ' Machine   learning ', null]", "topics", ("AI", "Machine learning")),
        ("type:", "type", None),
    ],
)
def test_values_with_one_obvious_meaning_are_accepted(line: str, attr: str, expected: Any) -> None:
    assert getattr(article(fm(line)), attr) == expected


def test_provider_domain_falls_back_to_the_url_host() -> None:
    art = article(fm('originalUrl: "https://www.example.org/a"\nprovider:\n  name: Example'))
    assert art.provider == Provider(domain="example.org", name="Example")


def test_provider_as_plain_name_with_url() -> None:
    art = article(fm('webUrl: "https://news.site/x"\nprovider: News Site'))
    assert art.provider == Provider(domain="news.site", name="News Site")


def test_unknown_keys_are_kept_as_json() -> None:
    art = article(fm("title: x\nlocale: en-us\nwhen: 2021-01-01\nnested: {a: [1, 2]}"))
    assert json.loads(art.extra) == {
        "locale": "en-us",
        "when": "2021-01-01",
        "nested": {"a": [1, 2]},
    }


def test_image_title_and_attribution() -> None:
    art = article(
        fm(
            'images:\n  - url: "u"\n    title: "A photo"\n    attribution: "Someone"\n    isCached: false'
        )
    )
    assert art.images == (Image(url="u", title="A photo", attribution="Someone", is_cached=False),)


def test_body_is_kept() -> None:
    art = article("---\ntitle: x\n---\n# Heading\n\nText.\n")
    assert art.body == "# Heading\n\nText.\n"


@pytest.mark.parametrize(
    ("path", "slug"),
    [
        ("_news/2021-02-04-Some Story.md", "2021-02-04-some-story"),
        ("a/b/plain.markdown", "plain"),
        ("_news/%%%.md", "item"),
    ],
)
def test_slug_from_file_name(path: str, slug: str) -> None:
    assert normalise.slug_for(path) == slug


def test_topic_and_organization_records() -> None:
    topic = normalise.topic_info(
        "t.yaml",
        {
            "name": "Canvas apps",
            "_id": "canvas-apps",
            "parent": "Power Apps",
            "keywords": ["canvas"],
            "hashtags": ["#Canvas"],
            "taxonomy": "topic",
        },
    )
    assert (topic.slug, topic.parent, topic.keywords) == ("canvas-apps", "Power Apps", ("canvas",))
    org = normalise.organization(
        "o.md", {"_id": "cnn.com", "name": "CNN", "images": [{"url": "/l.jpg"}]}
    )
    assert org == Provider(domain="cnn.com", name="CNN", images=(Image(url="/l.jpg"),))
    with pytest.raises(ContentError):
        normalise.topic_info("t.yaml", ["not", "a", "mapping"])
